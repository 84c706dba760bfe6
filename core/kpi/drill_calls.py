"""Drill-downs of the callback and call charts (K-1, K-2; contract in issue 14): for a picked mark, one page
of exactly the records the chart counts in it, and their total. Each function is
`fn(engine, f, tz, now, pick, limit, offset) -> (rows, total)`; a row is {kind, id, number, customer, at,
status, staff}, ordered by `at` then id, the latest first, paginated in SQL. An attempt's id is its
callback's id (that is the record a user opens); its number is the attempt's own id as text."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, Select, and_, func, select
from sqlalchemy.orm import aliased

from core.kpi.call_days import OWED
from core.kpi.call_quality import dissatisfied, reason_key
from core.kpi.sql import KpiFilter, in_range, narrow
from db.engine import session_scope
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, CallOutcome
from db.models import CallAttempt, Callback, Customer, RecheckSample, User

DONE = Callback.status == CallbackStatus.COMPLETED
SERIES = {"due": None, "done": DONE, "on_time": and_(DONE, Callback.completed_at <= Callback.due_end)}
Rows = tuple[list[dict], int]


def _page(engine: Engine, stmt: Select, kind: str, limit: int, offset: int) -> Rows:
    """One page of `stmt` (id, number, customer, at, status, staff, then tiebreak columns), and the total."""
    total_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    with session_scope(engine) as s:
        total = s.scalar(total_stmt) or 0
        rows = s.execute(stmt.limit(limit).offset(offset)).all()
    return [{"kind": kind, "id": r.id, "number": str(r.number), "customer": r.customer, "at": r.at,
             "status": None if r.status is None else getattr(r.status, "value", r.status), "staff": r.staff}
            for r in rows], int(total)


def _callbacks(f: KpiFilter, *where) -> Select:
    """The owed callbacks matching the filter, as drill rows: `at` is the end of the due window."""
    staff = aliased(User)
    stmt = (select(Callback.id, Callback.id.label("number"), Customer.name.label("customer"),
                   Callback.due_end.label("at"), Callback.status, staff.display_name.label("staff"))
            .join(Customer, Customer.id == Callback.customer_id).outerjoin(staff, staff.id == Callback.assignee_id)
            .where(Callback.status.in_(OWED), *where).order_by(Callback.due_end.desc(), Callback.id.desc()))
    return narrow(stmt, f, staff=Callback.assignee_id, customer=Callback.customer_id, kinds=Callback.kind)


def _attempts(f: KpiFilter, tz: str, *where) -> Select:
    """The call attempts of the range matching the filter, as drill rows: `at` is the attempt time, `status`
    its outcome, `staff` the caller."""
    a, staff = CallAttempt, aliased(User)
    stmt = (select(Callback.id, a.id.label("number"), Customer.name.label("customer"), a.attempted_at.label("at"),
                   a.outcome.label("status"), staff.display_name.label("staff"))
            .select_from(a).join(Callback, Callback.id == a.callback_id)
            .join(Customer, Customer.id == Callback.customer_id).join(staff, staff.id == a.caller_id)
            .where(*where).order_by(a.attempted_at.desc(), Callback.id.desc(), a.id.desc()))
    stmt = narrow(stmt, f, staff=a.caller_id, customer=Callback.customer_id, kinds=Callback.kind)
    return in_range(stmt, a.attempted_at, f, tz)


def callback_rates_by_kind(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                           limit: int, offset: int) -> Rows:
    """The callbacks due of one kind and level: pick {"kind", "level"} and optionally "series" ("due", the
    default, "done" or "on_time")."""
    condition = SERIES[pick.get("series", "due")]
    stmt = in_range(_callbacks(f, Callback.kind == CallbackKind(pick["kind"]),
                               Callback.level == CallbackLevel(pick["level"]),
                               *([] if condition is None else [condition])), Callback.due_end, f, tz)
    return _page(engine, stmt, "callback", limit, offset)


def callbacks_on_time(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                          limit: int, offset: int) -> Rows:
    """The on-time headline's records over the whole period (K-1, CB-3): the callbacks due in the range, pick
    {"series": "due" | "done" | "on_time"}; on_time (the headline's numerator) lists those done by the end of
    their due window."""
    condition = SERIES[pick.get("series", "on_time")]
    stmt = in_range(_callbacks(f, *([] if condition is None else [condition])), Callback.due_end, f, tz)
    return _page(engine, stmt, "callback", limit, offset)


def call_attempts(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
               offset: int) -> Rows:
    """The reach headline's records over the whole period (K-2, CB-6): pick {"outcome": "reached"} (the
    numerator) or {"outcome": "all"} (every attempt made, the denominator)."""
    outcome = pick.get("outcome", "reached")
    where = [] if outcome == "all" else [CallAttempt.outcome == CallOutcome(outcome)]
    return _page(engine, _attempts(f, tz, *where), "attempt", limit, offset)


def scored_calls(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                  offset: int) -> Rows:
    """The score headline's records over the whole period (K-2, CB-7): the reached call attempts with a score, the
    ones the average is taken over; pick {"scored": "yes"}."""
    if pick.get("scored", "yes") != "yes":
        raise ValueError(pick["scored"])
    stmt = _attempts(f, tz, CallAttempt.outcome == CallOutcome.REACHED, CallAttempt.score.is_not(None))
    return _page(engine, stmt, "attempt", limit, offset)


def dissatisfaction_reasons(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                            limit: int, offset: int) -> Rows:
    """The dissatisfied call attempts whose reason groups under the picked one: pick {"reason"} (as the
    chart shows it, normalised)."""
    reason = CallAttempt.dissatisfaction_reason
    # Fast at scale (issue 14): each word of the key is in the lowered reason (blanks only ever separate words),
    # a cheap test that spares most rows the key's dozen string functions; the key then decides.
    words = [func.lower(reason).contains(w, autoescape=True) for w in pick["reason"].split(" ") if w]
    ids = dissatisfied(f, tz, CallAttempt.id).where(*words, reason_key(reason) == pick["reason"])
    return _page(engine, _attempts(f, tz, CallAttempt.id.in_(ids)), "attempt", limit, offset)


def qa_score_per_specialist(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                            limit: int, offset: int) -> Rows:
    """The scored call attempts of one caller: pick {"caller": the caller's id}."""
    stmt = _attempts(f, tz, CallAttempt.caller_id == int(pick["caller"]), CallAttempt.qa_score.is_not(None))
    return _page(engine, stmt, "attempt", limit, offset)


def recheck_coverage(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                     offset: int) -> Rows:
    """The re-check callbacks of one sample: pick {"period", "level"} and optionally "series" ("drawn", the
    default, or "done"). Like the chart, the other filters do not apply; `at` is the end of the due window."""
    staff = aliased(User)
    sample = select(RecheckSample.id).where(RecheckSample.period == pick["period"],
                                            RecheckSample.level == CallbackLevel(pick["level"]))
    stmt = (select(Callback.id, Callback.id.label("number"), Customer.name.label("customer"),
                   Callback.due_end.label("at"), Callback.status, staff.display_name.label("staff"))
            .join(Customer, Customer.id == Callback.customer_id).outerjoin(staff, staff.id == Callback.assignee_id)
            .where(Callback.sample_id.in_(sample), *([DONE] if pick.get("series") == "done" else []))
            .order_by(Callback.due_end.desc(), Callback.id.desc()))
    return _page(engine, stmt, "callback", limit, offset)


# callbacks_per_week and satisfaction_distribution are core.kpi.drill's (one rule, written once).
DRILLS = {fn.__name__: fn for fn in (callback_rates_by_kind, dissatisfaction_reasons, qa_score_per_specialist,
                                     recheck_coverage, callbacks_on_time, call_attempts, scored_calls)}


def specialist_view(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                    offset: int) -> Rows:
    """A specialist's bar of the staff view (K-6): the callbacks assigned to them and due in the range, the
    denominator of their on-time rate; pick {"user": their id}."""
    return callbacks_on_time(engine, replace(f, staff_id=int(pick["user"])), tz, now, {"series": "due"},
                                 limit, offset)


def technician_view(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                    offset: int) -> Rows:
    """A technician's bar of the staff view (K-6): their work orders that its dispatch-within-target rate divides
    by, as K-4's headline (taken in during the range, dispatched or past the target); pick {"technician": their
    id}. The rule is core.kpi.drill's dispatch_decided narrowed to the technician."""
    from core.kpi.drill import dispatch_decided  # core.kpi.drill imports this module to build its registry

    return dispatch_decided(engine, replace(f, staff_id=int(pick["technician"])), tz, now, limit, offset)


STAFF_DRILLS = {fn.__name__: fn for fn in (specialist_view, technician_view)}
DRILLS |= STAFF_DRILLS
