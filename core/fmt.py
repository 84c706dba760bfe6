"""Dates, times and money shown in the office's time zone and the user's language (Babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency

# Parsed once: Babel parses a locale's name on every call given as text (~2 ms), which an export repeats for
# each cell of a million rows (issue 13).
BABEL_LOCALE = {"en": Locale.parse("en_US"), "zh": Locale.parse("zh_CN")}
DATETIME_PATTERN = {"en": "d MMM yyyy HH:mm", "zh": "yyyy年M月d日 HH:mm"}
DATE_PATTERN = {"en": "d MMM yyyy", "zh": "yyyy年M月d日"}


def to_office(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def fmt_datetime(moment: datetime | None, lang: str, tz: str) -> str:
    if moment is None:
        return ""
    return _babel_datetime(to_office(moment, tz), DATETIME_PATTERN[lang], locale=BABEL_LOCALE[lang])


def fmt_date(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return _babel_date(day, DATE_PATTERN[lang], locale=BABEL_LOCALE[lang])


def fmt_money(cents: int | None, lang: str, currency: str) -> str:
    """Money is integer cents in the database; shown with the currency's symbol, never via float."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, currency, locale=BABEL_LOCALE[lang])


def amount_text(cents: int | None) -> str:
    """Integer cents as the plain amount a money box shows and reads back (12050 → "120.50"), with no
    currency symbol and no float; None → ""."""
    if cents is None:
        return ""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


def fmt_percent(ratio: float | None, lang: str) -> str:
    return "—" if ratio is None else f"{ratio:.1%}"
