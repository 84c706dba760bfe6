"""Admins change the office's settings (DOMAIN.md "configurable" numbers and the time zone): each
value is validated (core.office.rules), the save is refused when somebody changed the same setting since
it was loaded, and every change is audited."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, select, update

from core.audit import log as audit
from core.audit.queries import latest_change
from core.errors import Refusals, StaleEdit, Unchanged
from core.office.defaults import DEFAULTS
from core.office.rules import validate_setting
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.scheduling.rules import WINDOW_SETTING, Windows
from core.scheduling.sweep import stamp_unstamped
from db.engine import session_scope
from db.enums import AuditAction
from db.models import Setting


def update_settings(engine: Engine, actor: Actor, loaded: dict[str, object], wanted: dict[str, object],
                    now: datetime) -> list[str]:
    """Save the settings whose wanted value differs from the loaded one; returns the changed keys.
    Unchanged (nothing written, nothing audited) when every wanted value is the loaded one."""
    require(actor, Action.EDIT_SETTINGS)  # before validation: a non-admin learns nothing about values
    with Refusals() as check:  # every refused setting at once, each named
        clean = {k: check(validate_setting, k, v) for k, v in wanted.items()}
    changed = [k for k, v in clean.items() if v != loaded.get(k)]
    if not changed:
        raise Unchanged()
    planned_with = _windows_before(engine, changed)
    with session_scope(engine) as s:
        if planned_with is not None:  # open callbacks keep the window they were planned with (issue 9, CB-2)
            stamp_unstamped(s, planned_with)
        rows = {r.key: r for r in s.scalars(select(Setting).where(Setting.key.in_(changed)).with_for_update())}
        for key in changed:
            _save_one(s, actor, rows.get(key), key, loaded.get(key), clean[key], now)
    return changed


def _windows_before(engine: Engine, changed: list[str]) -> Windows | None:
    """The windows in force before this save, when it changes one: open callbacks stored before they kept their
    window (core.scheduling.sweep.stamp_unstamped) take these, not the new one, which only the admin's explicit
    apply (core.scheduling.windows) gives them."""
    if not any(key.removeprefix("callback.") in WINDOW_SETTING.values() for key in changed):
        return None
    return Windows.from_settings(load_office(engine).get)


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
