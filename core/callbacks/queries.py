"""Callbacks, read side: the queue (CB-1, CB-2, C-2) and one callback with its attempts (CB-5..CB-9)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Boolean, Engine, and_, case, func, select, type_coerce, union_all
from sqlalchemy.orm import Session, aliased

from core.accounts.queries import staff_names
from core.callbacks.flow import require_view, visible_levels
from core.clock import office_day
from core.customers.search import search_region
from core.lists import Page, as_dict, customer_match, day_bounds_utc, enum_rank, ordered, paginate, streaming
from core.permissions import Action, Actor, require
from core.scheduling.assignment import ASSIGNABLE_ROLES, workable_by
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CustomerGrade,
    Role,
)
from db.models import CallAttempt, Callback, Customer, User, WorkOrder

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
    due: str | None = None  # one of DUE_BUCKETS: the open work overdue, due today or due after today


DUE_BUCKETS = ("overdue", "today", "later")  # the count tiles over the queue, in this order


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


def _buckets(now: datetime, tz: str) -> dict:
    """The open work split by when its window ends: before `now`, later this office day, after today."""
    today = office_day(now, tz)
    _, tomorrow = day_bounds_utc(today, today, tz)
    return {"overdue": Callback.due_end < now, "today": and_(Callback.due_end >= now, Callback.due_end < tomorrow),
            "later": Callback.due_end >= tomorrow}


def _conditions(actor: Actor, f: CallbackFilter, tz: str, now: datetime, region: str) -> list:
    chosen = ((Callback.status, f.statuses), (Callback.kind, f.kinds), (Callback.level, f.levels))
    where = _readable(actor) + [column.in_(values) for column, values in chosen if values]
    if f.assignee_id:
        where.append(Callback.assignee_id == f.assignee_id)
    if f.search.strip():
        where.append(customer_match(f.search, Callback.customer_id, region=region))
    if f.due in DUE_BUCKETS:
        where += [is_open(), _buckets(now, tz)[f.due]]
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


def _sort_columns() -> dict:
    """The columns a user may sort the queue by (the `sort` URL parameter is checked against these)."""
    return {"customer": Customer.name, "kind": enum_rank(Callback.kind, CallbackKind),
            "level": Callback.level, "status": enum_rank(Callback.status, CallbackStatus),
            "due_start": Callback.due_start, "due_end": Callback.due_end, "assignee": _ASSIGNEE.display_name,
            "attempts_count": Callback.attempts_count, "completed_at": Callback.completed_at}


_ASSIGNEE = aliased(User, name="sort_assignee")
SORTS = tuple(_sort_columns())


def _sorted_ids(s: Session, where: list, order: list, offset: int, size: int) -> list[int]:
    """One page of ids in a chosen order over the whole filtered queue, read in SQL."""
    stmt = (select(Callback.id).join(Customer, Customer.id == Callback.customer_id)
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Callback.assignee_id).where(*where).order_by(*order))
    return list(s.scalars(stmt.limit(size).offset(offset)))


def _all_ids(where: list, order: list | None):
    """Every id of the filtered queue in the order its pages show: the chosen sort (`_sorted_ids`), or queue
    order (`_page_ids`): open work by due_end, grade, id, then finished work, the latest finished first."""
    stmt = (select(Callback.id).join(Customer, Customer.id == Callback.customer_id)
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Callback.assignee_id).where(*where))
    if order is not None:
        return stmt.order_by(*order)
    open_ = is_open()
    grade = case({CustomerGrade.VIP.value: 0, CustomerGrade.KEY.value: 1}, value=Customer.grade, else_=2)  # C-2
    return stmt.order_by(case((open_, 0), else_=1), case((open_, Callback.due_end)), case((open_, grade)),
                         case((open_, Callback.id)), Callback.completed_at.desc().nulls_last(), Callback.id.desc())


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
                   page: int = 1, page_size: int = 25, sort: str | None = None) -> Page:
    """The filtered callbacks the actor may read (`_readable`) in queue order (see `_page_ids`), or sorted by
    one of SORTS (`name` or `-name`, then by id) over the whole filtered queue; each marked overdue or not as
    of `now`. Counting and queue ordering read the callbacks table alone; the shown columns are read for the
    page's rows only, so a queue of millions is counted and paged from its indexes."""
    where = _conditions(actor, f, tz, now, search_region(engine, f.search))
    order = ordered(sort, _sort_columns(), Callback.id)
    with session_scope(engine) as s:
        if streaming():  # an export: the whole queue in one statement of the same order (core.lists.stream)
            return paginate(s, _all_ids(where, order), 1, page_size,
                            enrich=lambda rows: _rows(s, [r["id"] for r in rows], now))
        total = _count(s, where)
        page = min(max(1, page), max(1, -(-total // page_size)))
        offset = (page - 1) * page_size
        ids = _page_ids(s, where, offset, page_size) if order is None else _sorted_ids(s, where, order, offset,
                                                                                          page_size)
        return Page(_rows(s, ids, now), total, page, page_size)


def queue_counts(engine: Engine, actor: Actor, f: CallbackFilter, tz: str, now: datetime) -> dict[str, int]:
    """The count tiles of the queue, one per DUE_BUCKETS: the open work (open or in progress, CB-6) the actor
    may read under every filter but the bucket itself, whose window ended before `now` (`overdue`), ends later
    this office day (`today`) or after it (`later`). Each equals the queue's total with that bucket chosen
    (`list_callbacks` with `due` set), so a tile opens exactly the list it counts. One aggregate in SQL."""
    where = _conditions(actor, replace(f, due=None), tz, now, search_region(engine, f.search)) + [is_open()]
    buckets = _buckets(now, tz)
    with session_scope(engine) as s:
        row = s.execute(select(*(func.count().filter(buckets[b]) for b in DUE_BUCKETS))
                        .select_from(Callback).where(*where)).one()
    return dict(zip(DUE_BUCKETS, row, strict=True))


def matching(actor: Actor, f: CallbackFilter, tz: str, now: datetime, region: str) -> list:
    """The conditions of the list the actor sees under `f` (the same as list_callbacks and its count), for a
    bulk action on the whole filtered list rather than the page shown."""
    return _conditions(actor, f, tz, now, region)


def reassign_count(engine: Engine, actor: Actor, f: CallbackFilter, tz: str, now: datetime,
                   to_user_id: int | None = None) -> int:
    """How many callbacks a bulk reassign of the list under `f` would move: those listed that are still open
    (open or in progress) and, once a target is chosen, not already with it and of a level it works (CB-1, as
    core.scheduling.assignment.move_to moves them). One count in SQL."""
    require(actor, Action.REASSIGN_CALLBACK)
    where = [*matching(actor, f, tz, now, search_region(engine, f.search)), is_open()]
    with session_scope(engine) as s:
        if to_user_id is not None:
            where += [Callback.assignee_id.is_distinct_from(to_user_id),
                      *workable_by(s.scalar(select(User.role).where(User.id == to_user_id)))]
        return _count(s, where)


def assignable(engine: Engine) -> dict[int, str]:
    """Active people a manager may hand callbacks or a lead to (core.scheduling.assignment.check_target): the
    reassign and new-lead owner boxes offer only them, so the director is never offered only to be refused."""
    return staff_names(engine, User.role.in_(ASSIGNABLE_ROLES), User.active.is_(True))


def assignees(engine: Engine) -> dict[int, str]:
    """Active staff who make callbacks (CB-1), for the assignee filter."""
    return staff_names(engine, User.role.in_(CALLERS), User.active.is_(True))


def _progress_order(s: Session, cb: Callback) -> dict | None:
    """WO-11: a progress call's order as it stands now (number, state, reason), which the call screen says
    in the user's language; None for any other call."""
    if cb.kind != CallbackKind.PROGRESS or cb.work_order_id is None:
        return None
    row = s.execute(select(WorkOrder.number, WorkOrder.status, WorkOrder.pending_reason)
                    .where(WorkOrder.id == cb.work_order_id)).mappings().first()
    return dict(row) if row else None


def callback_detail(engine: Engine, actor: Actor, callback_id: int, now: datetime) -> dict | None:
    """One callback's fields, its customer card (C-2 grade, C-3 validity) and its attempts in time order
    (CB-5 channel, CB-6 outcome, CB-7 satisfaction and verbatim record, CB-8 promised reply, CB-9 QA score),
    and a progress call's order as it stands now (WO-11, "work_order").
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
            "work_order": _progress_order(s, cb),
        }


def my_claimed_call(engine: Engine, actor: Actor) -> int | None:
    """The call this person holds (latest claim first), so the call screen survives a browser refresh:
    the claim lives in the database, not in the tab's session."""
    with session_scope(engine) as s:
        return s.scalar(select(Callback.id).where(Callback.claimed_by_id == actor.id,
                                                  Callback.status == CallbackStatus.IN_PROGRESS)
                        .order_by(Callback.claimed_at.desc(), Callback.id.desc()).limit(1))
