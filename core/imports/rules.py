"""The import's cell rules (C-1), pure: a cell of a mapped column made the value the archive stores, or
Invalid with the reason's key. Dates: an .xlsx date cell as it is; a number in a date column an Excel serial
(days since 1899-12-30, never 1970 nor the year 45123) from SERIAL_MIN on (1927-05-18: a smaller number is
no date a customer file means, and 1900..2100 alone is a year, refused as such); text as year-month-day, or
day and month in the column's order (inferred from the file or answered by the user); a two-digit year in the
century that does not put the date in the future. Phones in their canonical form (core.phones). Grades and
sources by their value or either language's label. Formulas are refused, never evaluated: the set
core.export.cells quotes on export (= + - @ first, unless a plain number or a + phone), after one leading '
(Excel's text marker) is taken off."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache

from core.errors import Invalid
from core.export.cells import FORMULA_STARTS, is_formula_like
from core.i18n import LANGS, enum_label
from core.imports.read import Formula, text_of
from core.phones import canonical
from db.enums import CustomerGrade, SourceChannel

EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 10_000, 2958465  # 1927-05-18 .. 9999-12-31: "12" is not 1900-01-11
YEARS = range(1900, 2101)  # a number in a date column that is a year alone ("1990"), not the serial 1905-06-12
TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
ISO = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + TIME + "$")
COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
DAY_MONTH = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
# yy-mm-dd, the Chinese order with a two-digit year: certain with 年, else when the first part cannot be a day
YEAR_FIRST = re.compile(r"^(\d{2})\s*(年|[-/.])\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
ORDERS = ("dmy", "mdy")  # a day/month/year column's orders; year-first text is always year-month-day
FLAGS = {"1": True, "0": False, "yes": True, "no": False, "y": True, "n": False, "true": True, "false": False,
         "是": True, "否": False, "公司": True, "企业": True, "个人": False, "company": True, "person": False}
GRADE_EXTRA = {"重要": "key", "重点": "key", "普通": "normal", "一般": "normal", "vip客户": "vip"}


def unmarked(value: object) -> object:
    """A text cell without the one leading ' that marks it as text before = + - @ ("'+1 415-872-3301", as our
    own export writes it); any other cell as it is."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_STARTS[:4]:
        return value[1:]
    return value


def is_formula(value: object) -> bool:
    """An .xlsx formula cell, or a CSV text a spreadsheet would take for one: = + - @ first ("=SUM(A1)",
    "=cmd|' /C calc'!A0", "@SUM(A1)", "-2+3+cmd|…", "= 张三"), unless it is a plain number ("-5") or a phone
    written + first ("+1 415-872-3301"): those hold no letter, no | and no !, so nothing to call."""
    return isinstance(value, Formula) or (isinstance(value, str) and is_formula_like(value.strip()))


def day_month(value: object) -> tuple[int, int] | None:
    """The two leading parts of a day/month/year text ("04/03/2026" → (4, 3)), None for any other cell."""
    if not isinstance(value, str):
        return None
    found = DAY_MONTH.match(value.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def parse_date(value: object, order: str | None, latest: date) -> tuple[date, bool]:
    """The date a cell means, and whether its year was written with two digits; `order` is the column's
    day/month order ("dmy", "mdy"; None while the file does not tell: Invalid import.ambiguous_date when it
    matters). A two-digit year is the latest one not after `latest`. Invalid import.bad_date or
    import.impossible_date (2026-02-30)."""
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value), False
    text = text_of(value)
    if SERIAL.match(text) and not COMPACT.match(text):
        return _serial(float(text)), False
    if found := ISO.match(text) or COMPACT.match(text):
        return _made(int(found.group(1)), int(found.group(2)), int(found.group(3)), text), False
    if (found := YEAR_FIRST.match(text)) and (found.group(2) == "年" or int(found.group(1)) > 31):
        year, month, day = int(found.group(1)), int(found.group(3)), int(found.group(4))
        return _two_digit(year, month, day, latest, text), True
    if found := DAY_MONTH.match(text):
        first, second, year = int(found.group(1)), int(found.group(2)), found.group(3)
        order = order or ("dmy" if first > 12 else "mdy" if second > 12 else None)
        if order is None and first != second:
            raise Invalid("import.ambiguous_date")
        if order not in (None, *ORDERS):  # the same orders check_mapping accepts (C-1)
            raise Invalid("error.invalid", field="date_orders")
        day, month = (second, first) if order == "mdy" else (first, second)
        if len(year) == 2:
            return _two_digit(int(year), month, day, latest, text), True
        return _made(int(year), month, day, text), False
    raise Invalid("import.bad_date")


def _serial(number: float) -> date:
    """An Excel serial (C-1): a year alone (1990) is refused as such, a number below SERIAL_MIN as no date."""
    if number in YEARS:
        raise Invalid("import.year_only", text=text_of(number))
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        raise Invalid("import.bad_date")
    return EXCEL_EPOCH + timedelta(days=int(number))


def _made(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid("import.impossible_date", text=text) from None


def _two_digit(year: int, month: int, day: int, latest: date, text: str) -> date:
    century = latest.year // 100 * 100
    made = _made(century + year, month, day, text)
    return made if made <= latest else _made(century - 100 + year, month, day, text)


def phone(value: object, region: str) -> str | None:
    """The canonical (E.164) phone, None when blank; Invalid import.bad_phone."""
    text = text_of(value)
    if not text:
        return None
    found = canonical(text, region)
    if found is None:
        raise Invalid("import.bad_phone")
    return found


@cache
def _labels(enum_cls, extra: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """What a value of `enum_cls` may be written as (lower case, no blanks) -> the value."""
    out = {m.value.lower(): m.value for m in enum_cls}
    for lang in LANGS:
        out |= {enum_label(m, lang).lower().replace(" ", ""): m.value for m in enum_cls}
    return out | dict(extra)


def grade(value: object) -> CustomerGrade | None:
    """The grade by its value or its label in either language ("VIP", "key", "重点客户", "重要"); None when
    blank; Invalid import.bad_grade."""
    text = text_of(value)
    if not text:
        return None
    found = _labels(CustomerGrade, tuple(GRADE_EXTRA.items())).get(text.lower().replace(" ", ""))
    if found is None:
        raise Invalid("import.bad_grade", text=text)
    return CustomerGrade(found)


def channel(value: object) -> SourceChannel | None:
    text = text_of(value)
    if not text:
        return None
    found = _labels(SourceChannel).get(text.lower().replace(" ", ""))
    if found is None:
        raise Invalid("import.bad_channel", text=text)
    return SourceChannel(found)


def flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = text_of(value).lower()
    if not text:
        return None
    if text not in FLAGS:
        raise Invalid("import.bad_flag")
    return FLAGS[text]


def number(value: object) -> int | None:
    """A whole number ≥ 0 (a usage or a mileage), None when blank; Invalid import.bad_number."""
    text = text_of(value).replace(",", "")
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        raise Invalid("import.bad_number")
    return int(text)
