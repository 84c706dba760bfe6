"""Callbacks, read side: the queue (CB-1, CB-2, C-2) and one callback with its attempts (CB-5..CB-9)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Boolean, Engine, and_, case, func, select, type_coerce, union_all
from sqlalchemy.orm import Session, aliased

from core.accounts.queries import staff_names
from core.callbacks.flow import require_view, visible_levels
from core.clock import office_day
from core.lists import Page, as_dict, customer_match, day_bounds_utc
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CustomerGrade,
    Role,
)
from db.models import CallAttempt, Callback, Customer, User

OPEN_STATUSES = (CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS)
CALLERS = (Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR)  # CB-1: who makes L1 / L2 / L3 calls


@dataclass(frozen=True)
class CallbackFilter:
    statuses: tuple[CallbackStatus, ...] = ()
    kinds: tuple[CallbackKind, ...] = ()
    levels: tuple[CallbackLevel, ...] = ()
    assignee_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    search: str = ""


def is_open():
    return Callback.status.in_(OPEN_STATUSES)


def is_overdue(now: datetime):
    """Overdue: still open (open or in progress) and its due window ended before `now`."""
    return and_(is_open(), Callback.due_end < now)


def _overdue_flag(now: datetime):
    return type_coerce(case((is_overdue(now), True), else_=False), Boolean).label("overdue")


def _grade_rank():
    """C-2: VIP, then key customers, then normal ones."""
    grade = select(Customer.grade).where(Customer.id == Callback.customer_id).scalar_subquery()
    return case({CustomerGrade.VIP.value: 0, CustomerGrade.KEY.value: 1}, value=grade, else_=2)


def _readable(actor: Actor) -> list:
    """The rows the actor may read at all: the levels of LEVEL_VIEW (a specialist never lists a re-check)."""
    require(actor, Action.VIEW_CALLBACKS)
    levels = visible_levels(actor)
    return [] if len(levels) == len(CallbackLevel) else [Callback.level.in_(levels)]


def _conditions(actor: Actor, f: CallbackFilter, tz: str) -> list:
    chosen = ((Callback.status, f.statuses), (Callback.kind, f.kinds), (Callback.level, f.levels))
    where = _readable(actor) + [column.in_(values) for column, values in chosen if values]
    if f.assignee_id:
        where.append(Callback.assignee_id == f.assignee_id)
    if f.search.strip():
        where.append(customer_match(f.search, Callback.customer_id))
    lo, hi = day_bounds_utc(f.due_from, f.due_to, tz)
    return where + ([Callback.due_end >= lo] if lo else []) + ([Callback.due_end < hi] if hi else [])


def _count(s: Session, where: list) -> int:
    return s.scalar(select(func.count()).select_from(Callback).where(*where)) or 0


def _open_ids(s: Session, where: list, offset: int, size: int) -> list[int]:
    """Open work by due_end (so the overdue come first), VIP then key customers first at equal due time (C-2).
    Each open status is read in due_end order from its index and the two runs are merged: no full sort."""
    def run(status):
        cols = (Callback.id, Callback.due_end, _grade_rank().label("grade"))
        return select(*cols).where(*where, Callback.status == status).order_by(
            Callback.due_end, "grade", Callback.id).limit(offset + size).subquery()

    both = union_all(*(select(run(status)) for status in OPEN_STATUSES)).subquery()
    order = (both.c.due_end, both.c.grade, both.c.id)
    return list(s.scalars(select(both.c.id).order_by(*order).limit(size).offset(offset)))


def _done_ids(s: Session, where: list, offset: int, size: int) -> list[int]:
    """Finished work (completed, not completed, cancelled), the latest finished first, read from the index."""
    order = (Callback.completed_at.desc().nulls_last(), Callback.id.desc())
    stmt = select(Callback.id).where(*where, Callback.status.notin_(OPEN_STATUSES)).order_by(*order)
    return list(s.scalars(stmt.limit(size).offset(offset)))


def _page_ids(s: Session, where: list, offset: int, size: int) -> list[int]:
    """Queue order: open work first, then finished work. A page takes from the open part, then past its end
    from the finished part; the open part is counted only when a page lies wholly beyond it."""
    ids = _open_ids(s, where, offset, size)
    if len(ids) < size:
        open_total = offset + len(ids) if ids or not offset else _count(s, [*where, is_open()])
        ids += _done_ids(s, where, max(0, offset - open_total), size - len(ids))
    return ids


def _rows(s: Session, ids: list[int], now: datetime) -> list[dict]:
    assignee = aliased(User)
    stmt = (
        select(Callback.id, Customer.name.label("customer"), Customer.phone, Callback.kind, Callback.level,
               Callback.status, Callback.due_start, Callback.due_end, assignee.display_name.label("assignee"),
               Callback.attempts_count, Callback.completed_at, _overdue_flag(now))
        .join(Customer, Customer.id == Callback.customer_id)
        .outerjoin(assignee, assignee.id == Callback.assignee_id)
        .where(Callback.id.in_(ids))
    )
    by_id = {r["id"]: dict(r) for r in s.execute(stmt).mappings()}
    return [by_id[i] for i in ids]


def list_callbacks(engine: Engine, actor: Actor, f: CallbackFilter, tz: str, now: datetime,
                   page: int = 1, page_size: int = 25) -> Page:
    """The filtered callbacks the actor may read (`_readable`) in queue order (see `_page_ids`), each marked
    overdue or not as of `now`.
    Counting and ordering read the callbacks table alone; the shown columns are read for the page's rows only,
    so a queue of millions is counted and paged from its indexes."""
    where = _conditions(actor, f, tz)
    with session_scope(engine) as s:
        total = _count(s, where)
        page = min(max(1, page), max(1, -(-total // page_size)))
        ids = _page_ids(s, where, (page - 1) * page_size, page_size)
        return Page(_rows(s, ids, now), total, page, page_size)


def queue_counts(engine: Engine, actor: Actor, f: CallbackFilter, tz: str, now: datetime) -> dict[str, int]:
    """The counts at the top of the queue: the open work the actor may read (open or in progress, CB-6) under
    the filter's kinds, levels, assignee and search, whatever its status and date filters: `overdue` (its
    window ended before `now`), `due_today` (ends later this office day), `upcoming` (ends after today).
    One aggregate in SQL."""
    where = _conditions(actor, replace(f, statuses=(), due_from=None, due_to=None), tz) + [is_open()]
    today = office_day(now, tz)
    _, tomorrow = day_bounds_utc(today, today, tz)
    with session_scope(engine) as s:
        row = s.execute(select(
            func.count().filter(Callback.due_end < now),
            func.count().filter(Callback.due_end >= now, Callback.due_end < tomorrow),
            func.count().filter(Callback.due_end >= tomorrow),
        ).select_from(Callback).where(*where)).one()
    return {"overdue": row[0], "due_today": row[1], "upcoming": row[2]}


def matching(actor: Actor, f: CallbackFilter, tz: str) -> list:
    """The conditions of the list the actor sees under `f` (the same as list_callbacks and its count), for a
    bulk action on the whole filtered list rather than the page shown."""
    return _conditions(actor, f, tz)


def reassign_count(engine: Engine, actor: Actor, f: CallbackFilter, tz: str, to_user_id: int | None = None) -> int:
    """How many callbacks a bulk reassign of the list under `f` would move: those listed that are still open
    (open or in progress) and, once a target is chosen, not already with it. One count in SQL."""
    require(actor, Action.REASSIGN_CALLBACK)
    where = [*matching(actor, f, tz), is_open()]
    if to_user_id is not None:
        where.append(Callback.assignee_id.is_distinct_from(to_user_id))
    with session_scope(engine) as s:
        return _count(s, where)


def assignees(engine: Engine) -> dict[int, str]:
    """Active staff who make callbacks (CB-1), for the assignee filter."""
    return staff_names(engine, User.role.in_(CALLERS), User.active.is_(True))


def callback_detail(engine: Engine, actor: Actor, callback_id: int, now: datetime) -> dict | None:
    """One callback's fields, its customer card (C-2 grade, C-3 validity) and its attempts in time order
    (CB-5 channel, CB-6 outcome, CB-7 satisfaction and verbatim record, CB-8 promised reply, CB-9 QA score).
    Forbidden when the actor may not read its level (a specialist opening a re-check's results by its id)."""
    require(actor, Action.VIEW_CALLBACKS)
    with session_scope(engine) as s:
        cb = s.get(Callback, callback_id)
        if cb is None:
            return None
        require_view(actor, cb.level)
        names = dict(s.execute(select(User.id, User.display_name)).all())
        attempts = s.execute(select(CallAttempt).where(CallAttempt.callback_id == cb.id)
                             .order_by(CallAttempt.attempted_at, CallAttempt.id)).scalars()
        overdue = s.scalar(select(_overdue_flag(now)).where(Callback.id == cb.id))
        return {
            "callback": as_dict(cb) | {"assignee": names.get(cb.assignee_id), "claimed_by": names.get(cb.claimed_by_id),
                                       "overdue": overdue},
            "customer": as_dict(s.get(Customer, cb.customer_id)),
            "attempts": [as_dict(a) | {"caller": names.get(a.caller_id)} for a in attempts],
        }


def my_claimed_call(engine: Engine, actor: Actor) -> int | None:
    """The call this person holds (latest claim first), so the call screen survives a browser refresh:
    the claim lives in the database, not in the tab's session."""
    with session_scope(engine) as s:
        return s.scalar(select(Callback.id).where(Callback.claimed_by_id == actor.id,
                                                  Callback.status == CallbackStatus.IN_PROGRESS)
                        .order_by(Callback.claimed_at.desc(), Callback.id.desc()).limit(1))
