"""Admins change the office's settings (DOMAIN.md "configurable" numbers and the time zone): each
value is validated, the save is refused when somebody changed the same setting since it was loaded,
and every change is audited."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import is_currency
from sqlalchemy import Engine, select, update

from core import audit
from core.audit_read import latest_change
from core.care import Holidays, care_grades
from core.errors import Invalid, StaleEdit
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import AuditAction
from db.models import Setting
from db.office_settings import DEFAULTS

PARSED = {  # list settings: parsed, then stored in one canonical spelling
    "callback.holidays": lambda text: Holidays.parse(text).text(),
    "callback.care_grades": lambda text: ", ".join(care_grades(text)),
}
CHOICES = {"callback.assignment": ("least_load", "round_robin"), "recheck.period": ("week", "month")}
RANGES = {
    "recheck.l2_rate_pct": (10, 100), "recheck.l3_rate_pct": (5, 100),  # CB-4: at least 10% / 5%
    "callback.max_attempts": (1, 20), "auth.lockout_attempts": (3, 20), "auth.lockout_minutes": (1, 1440),
    "auth.idle_timeout_minutes": (5, 720), "auth.session_lifetime_hours": (1, 72),
    "work_order.dispatch_target_minutes": (1, 1440), "callback.holiday_lead_days": (1, 30),
}


def validate_setting(key: str, value: object) -> object:
    """The value converted to its setting's type, or Invalid naming the key."""
    if key not in DEFAULTS:
        raise Invalid("setting_edit.unknown", setting=key)
    default = DEFAULTS[key]
    if isinstance(default, int):
        return _int_in_range(key, value)
    text = str(value).strip()
    if key in CHOICES and text not in CHOICES[key]:
        raise Invalid("setting_edit.bad_choice", setting=key)
    if key == "office.timezone":
        _zone(key, text)
    if key == "office.currency":
        _currency(key, text)
    if key in PARSED:
        return _parsed(key, text)
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
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("setting_edit.bad_timezone", setting=key) from None


def _currency(key: str, text: str) -> None:
    if not is_currency(text):
        raise Invalid("setting_edit.bad_currency", setting=key)


def update_settings(engine: Engine, actor: Actor, loaded: dict[str, object], wanted: dict[str, object],
                    now: datetime) -> list[str]:
    """Save the settings whose wanted value differs from the loaded one; returns the changed keys."""
    require(actor, Action.EDIT_SETTINGS)  # before validation: a non-admin learns nothing about values
    clean = {k: validate_setting(k, v) for k, v in wanted.items()}
    changed = [k for k, v in clean.items() if v != loaded.get(k)]
    with session_scope(engine) as s:
        rows = {r.key: r for r in s.scalars(select(Setting).where(Setting.key.in_(changed)).with_for_update())}
        for key in changed:
            _save_one(s, actor, rows.get(key), key, loaded.get(key), clean[key], now)
    return changed


def _stale(s, key: str) -> None:
    """Another admin saved this setting since it was loaded: name them (user name, as everywhere)."""
    who, when = latest_change(s, "setting", key)
    raise StaleEdit(who=who or "?", when=when)


def _save_one(s, actor: Actor, row: Setting | None, key: str, loaded: object, value: object, now) -> None:
    current = json.loads(row.value) if row else DEFAULTS[key]
    if current != loaded:
        _stale(s, key)
    if row is None:
        row = Setting(key=key, value=json.dumps(value, ensure_ascii=False), updated_at=now, updated_by_id=actor.id)
        s.add(row)
    else:
        res = s.execute(update(Setting).where(Setting.key == key, Setting.value == row.value)
                        .values(value=json.dumps(value, ensure_ascii=False), updated_at=now, updated_by_id=actor.id)
                        .execution_options(synchronize_session=False))
        if res.rowcount != 1:
            _stale(s, key)
    audit.record(s, actor, "setting", key, AuditAction.SETTINGS, {key: loaded}, {key: value}, at=now)
