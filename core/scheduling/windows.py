"""A changed window setting and the open callbacks planned before it (CB-2, issue 9).

A new window length applies to callbacks planned after the change (core.scheduling.rules.plan_wanted
keeps each callback's own length). An admin may apply it to the open ones too, after seeing how many
would move and how many of those would fall overdue at once (`preview`, counted in SQL); `apply` then
moves them, each move audited with its window before and after, plus one row for the decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.clock import office_day
from core.errors import Invalid
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.scheduling.rules import EDGE_SHIFT, END_ONLY, WINDOW_SETTING, Windows, day_start, rewindowed
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, CallbackStatus
from db.models import Callback

SETTING_KINDS = {f"callback.{name}": kind for kind, name in WINDOW_SETTING.items()}


@dataclass(frozen=True)
class WindowPreview:
    """Open callbacks of the setting's kind planned with another length: how many `apply` would move, and
    how many of them are not overdue now but would be at once."""

    setting: str
    days: int
    moving: int
    fall_overdue: int


def _other_length(kind: CallbackKind, days: int):
    return (Callback.status == CallbackStatus.OPEN, Callback.kind == kind, Callback.window_days.is_not(None),
            Callback.window_days != days)


def _count(s: Session, kind: CallbackKind, days: int, now: datetime, tz: str) -> tuple[int, int]:
    """(moving, fall overdue), one grouped count per stored length. A window ending on office day D ends on
    D + shift after the move, overdue now when that day is before today: when due_end < day_start(today - shift)."""
    end_shift = EDGE_SHIFT.get(kind, END_ONLY)[1]
    moving = overdue = 0
    today = office_day(now, tz)
    groups = s.execute(select(Callback.window_days, func.count()).where(*_other_length(kind, days))
                       .group_by(Callback.window_days)).all()
    for stored, count in groups:
        moving += count
        threshold = day_start(today - timedelta(days=end_shift * (days - stored)), tz)
        overdue += s.scalar(select(func.count()).where(
            *_other_length(kind, days), Callback.window_days == stored, Callback.due_end >= now,
            Callback.due_end < threshold)) if end_shift else 0
    return moving, overdue


def preview(engine: Engine, actor: Actor, now: datetime) -> list[WindowPreview]:
    """For each window setting with open callbacks planned under another length: what applying it would do."""
    require(actor, Action.EDIT_SETTINGS)
    office = load_office(engine)
    w = Windows.from_settings(office.get)
    out = []
    with session_scope(engine) as s:
        for setting, kind in SETTING_KINDS.items():
            days = getattr(w, WINDOW_SETTING[kind])
            moving, overdue = _count(s, kind, days, now, office.timezone)
            if moving:
                out.append(WindowPreview(setting, days, moving, overdue))
    return out


def apply(engine: Engine, actor: Actor, setting: str, now: datetime) -> WindowPreview:
    """Give the open callbacks of `setting`'s kind the window its current value cuts; returns what moved.
    A callback claimed meanwhile is left alone (compare-and-set on OPEN and its version)."""
    require(actor, Action.EDIT_SETTINGS)
    if setting not in SETTING_KINDS:
        raise Invalid("setting_edit.unknown", setting=setting)
    office, kind = load_office(engine), SETTING_KINDS[setting]
    days, tz = int(office.get(setting)), office.timezone
    with session_scope(engine) as s:
        rows = s.execute(select(Callback.id, Callback.version, Callback.due_start, Callback.due_end,
                                Callback.window_days).where(*_other_length(kind, days)).order_by(Callback.id)).all()
        moved = overdue = 0
        for row in rows:
            start, end = rewindowed(kind, row.due_start, row.due_end, row.window_days, days, tz)
            if _move(s, actor, row, start, end, days, now):
                moved += 1
                overdue += row.due_end >= now > end
        audit.record(s, actor, "setting", setting, AuditAction.SETTINGS, at=now,
                     extra={"applied_to_open_callbacks": moved, "fell_overdue": overdue, "days": days})
    return WindowPreview(setting, days, moved, overdue)


def _move(s: Session, actor: Actor, row, start: datetime, end: datetime, days: int, now: datetime) -> bool:
    done = s.execute(update(Callback).where(Callback.id == row.id, Callback.version == row.version,
                                            Callback.status == CallbackStatus.OPEN)
                     .values(due_start=start, due_end=end, window_days=days, version=Callback.version + 1)
                     .execution_options(synchronize_session=False)).rowcount
    if done:
        audit.record(s, actor, "callback", row.id, AuditAction.UPDATE,
                     {"due_start": row.due_start, "due_end": row.due_end, "window_days": row.window_days},
                     {"due_start": start, "due_end": end, "window_days": days}, at=now)
    return bool(done)
