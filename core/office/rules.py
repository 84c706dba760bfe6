"""The office settings' checks: every value an admin types is validated here (ranges, choices, time zone,
currency, the holiday and care-grade lists) before core.office.services saves it."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel.numbers import is_currency

from core import inputs
from core.errors import Invalid
from core.office.defaults import DEFAULTS
from core.scheduling.care import Holidays, care_grades

PARSED = {  # list settings: parsed, then stored in one canonical spelling
    "callback.holidays": lambda text: Holidays.parse(text).text(),
    "callback.care_grades": lambda text: ", ".join(care_grades(text)),
}
CHOICES = {"callback.assignment": ("least_load", "round_robin"), "recheck.period": ("week", "month"),
           "report.language": ("zh", "en"), "report.smtp_starttls": ("on", "off")}
ADDRESSES = {"report.smtp_sender": 1, "report.recipients": 50}  # mail settings: how many addresses each holds
ADDRESS_MAX = 254  # RFC 5321's longest path
TEXT_MAX = 2000  # a text setting: the holiday list is the longest, about 130 characters
TIMEZONE_MAX = 64  # the longest IANA zone name is 32 characters
RANGES = {
    "recheck.l2_rate_pct": (10, 100), "recheck.l3_rate_pct": (5, 100),  # CB-4: at least 10% / 5%
    "callback.max_attempts": (1, 20), "auth.lockout_attempts": (3, 20), "auth.lockout_minutes": (1, 1440),
    "auth.idle_timeout_minutes": (5, 720), "auth.session_lifetime_hours": (1, 72),
    "work_order.dispatch_target_minutes": (1, 1440), "callback.holiday_lead_days": (1, 30),
    "work_order.repair_target_hours": (1, 2000), "work_order.progress_call_days": (1, 90),
    "complaint.reply_deadline_days": (1, 90), "complaint.reply_deadline_days_critical": (1, 90),
    "complaint.reply_deadline_days_minor": (1, 90), "complaint.first_response_working_days": (1, 10),
    "complaint.full_inspection_max": (1, 100000), "report.smtp_port": (1, 65535),
    "backup.keep_days": (1, 3650),
}


def validate_setting(key: str, value: object) -> object:
    """The value converted to its setting's type, or Invalid naming the key."""
    if key not in DEFAULTS:
        raise Invalid("setting_edit.unknown", setting=key)
    default = DEFAULTS[key]
    if isinstance(default, int):
        return _int_in_range(key, value)
    kind = inputs.Kind.TEXT if key in PARSED else inputs.Kind.LINE  # a list may be typed one entry a line
    text = inputs.text(value if isinstance(value, str) else str(value), key, TEXT_MAX, kind) or ""
    if key in CHOICES and text not in CHOICES[key]:
        raise Invalid("setting_edit.bad_choice", setting=key)
    if key == "office.timezone":
        _zone(key, text)
    if key == "office.currency":
        _currency(key, text)
    if key == "office.phone_region":
        return _region(key, text)
    if key in PARSED:
        return _parsed(key, text)
    if key in ADDRESSES:
        return _addresses(key, text)
    return text


def _int_in_range(key: str, value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise Invalid("setting_edit.not_a_number", setting=key) from None
    low, high = RANGES.get(key, (0, 3650))
    if not low <= number <= high:
        raise Invalid("setting_edit.out_of_range", setting=key, low=low, high=high)
    return number


def _parsed(key: str, text: str) -> str:
    """CB-2 holidays and C-2 care grades: the canonical text of a valid list, or Invalid naming the entry."""
    try:
        return PARSED[key](text)
    except ValueError as bad:
        raise Invalid(f"setting_edit.bad_{key.split('.')[1]}", setting=key, entry=str(bad)) from None


def _zone(key: str, text: str) -> None:
    """An IANA zone zoneinfo knows, at most TIMEZONE_MAX characters (a long name is refused before the
    file system sees it: ZoneInfo raises OSError "file name too long")."""
    if len(text) > TIMEZONE_MAX:
        raise Invalid("setting_edit.bad_timezone", setting=key)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid("setting_edit.bad_timezone", setting=key) from None


def _currency(key: str, text: str) -> None:
    if not is_currency(text):
        raise Invalid("setting_edit.bad_currency", setting=key)


def _region(key: str, text: str) -> str:
    """C-1: a region libphonenumber knows (CN, US, HK …), stored in capitals."""
    region = text.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise Invalid("cu_new.region_bad", setting=key)
    return region


def _addresses(key: str, text: str) -> str:
    """Issue 14's mail settings: email addresses (email-validator, no DNS look-up), separated by commas or
    semicolons, stored as "a, b"; empty is allowed (no mail)."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if len(parts) > ADDRESSES[key]:
        raise Invalid("report.bad_address", setting=key)
    for part in parts:
        inputs.email(part, key, ADDRESS_MAX, key="report.bad_address")
    return ", ".join(parts)
