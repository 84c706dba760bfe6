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

from core.kpi.call_quality import DISSATISFIED, dissatisfaction_reason_count, reason_key
from core.kpi.drill_page import Rows, need, number, only, page
from core.kpi.sql import KpiFilter, in_range, narrow, unindexed
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, CallOutcome
from db.models import CallAttempt, Callback, Customer, RecheckSample, User

# done: completed; walked in due order (the due-time index) rather than read from the status index, whose rows of
# one due time (40k callbacks share a day's end) were sorted again by id: two years' on-time list 0.8 s → 0.26 s
DONE = unindexed(Callback.status) == CallbackStatus.COMPLETED
# the owed callbacks (core.kpi.call_days.OWED: all but the cancelled), written so that SQLite cannot drive a list from
# the status index: an IN of four statuses sorted every callback of the range (two years at the large office: 50 s);
# the due-time index walks them in the list's order instead (issue 14, "a drill-down list ≤ 100 ms")
OWED_ROWS = Callback.status != CallbackStatus.CANCELLED
SERIES = {"due": None, "done": DONE, "on_time": and_(DONE, Callback.completed_at <= Callback.due_end)}
CALLBACK_ORDER = [Callback.due_end, Callback.id]
ATTEMPT_ORDER = [CallAttempt.attempted_at, Callback.id, CallAttempt.id]  # an attempt's own id: unique per row


def _series(pick: dict, default: str):
    """The picked series' condition (None: every callback due); not a series: ValueError."""
    series = pick.get("series", default)
    if series not in SERIES:
        raise ValueError(series)
    return SERIES[series]


def _callbacks(f: KpiFilter, *where) -> Select:
    """The owed callbacks matching the filter, as drill rows: `at` is the end of the due window."""
    staff = aliased(User)
    stmt = (select(Callback.id, Callback.id.label("number"), Customer.name.label("customer"),
                   Callback.due_end.label("at"), Callback.status, staff.display_name.label("staff"))
            # outer joins (every callback has its customer): a total counts no name, so PostgreSQL leaves the
            # customers out of it rather than merge-joining every callback of the range with them (issue 14)
            .outerjoin(Customer, Customer.id == Callback.customer_id)
            .outerjoin(staff, staff.id == Callback.assignee_id)
            .where(OWED_ROWS, *where))
    return narrow(stmt, f, staff=Callback.assignee_id, customer=Callback.customer_id, kinds=Callback.kind)


def _attempts(f: KpiFilter, tz: str, *where) -> Select:
    """The call attempts of the range matching the filter, as drill rows: `at` is the attempt time, `status`
    its outcome, `staff` the caller."""
    a, staff = CallAttempt, aliased(User)
    stmt = (select(Callback.id, a.id.label("number"), Customer.name.label("customer"), a.attempted_at.label("at"),
                   a.outcome.label("status"), staff.display_name.label("staff"))
            .select_from(a).join(Callback, Callback.id == a.callback_id)
            .outerjoin(Customer, Customer.id == Callback.customer_id)  # as in _callbacks: a total names nobody
            # an outer join (every attempt has its caller) keeps SQLite from driving the query from the users and
            # sorting every attempt of the range: it walks the attempts by time instead (issue 14, "Fast at scale")
            .outerjoin(staff, staff.id == a.caller_id).where(*where))
    stmt = narrow(stmt, f, staff=a.caller_id, customer=Callback.customer_id, kinds=Callback.kind)
    return in_range(stmt, a.attempted_at, f, tz)


def callback_rates_by_kind(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                           limit: int, offset: int) -> Rows:
    """The callbacks due of one kind and level: pick {"kind", "level"} and optionally "series" ("due", the
    default, "done" or "on_time")."""
    condition = _series(only(pick, "kind", "level", "series"), "due")
    stmt = in_range(_callbacks(f, Callback.kind == CallbackKind(need(pick, "kind")),
                               Callback.level == CallbackLevel(need(pick, "level")),
                               *([] if condition is None else [condition])), Callback.due_end, f, tz)
    return page(engine, "callback", stmt, CALLBACK_ORDER, limit, offset)


def callbacks_on_time(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                          limit: int, offset: int) -> Rows:
    """The on-time headline's records over the whole period (K-1, CB-3): the callbacks due in the range, pick
    {"series": "due" | "done" | "on_time"}; on_time (the headline's numerator) lists those done by the end of
    their due window."""
    condition = _series(only(pick, "series"), "on_time")
    stmt = in_range(_callbacks(f, *([] if condition is None else [condition])), Callback.due_end, f, tz)
    return page(engine, "callback", stmt, CALLBACK_ORDER, limit, offset)


def call_attempts(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
               offset: int) -> Rows:
    """The reach headline's records over the whole period (K-2, CB-6): pick {"outcome": "reached"} (the
    numerator) or {"outcome": "all"} (every attempt made, the denominator)."""
    outcome = only(pick, "outcome").get("outcome", "reached")
    where = [] if outcome == "all" else [CallAttempt.outcome == CallOutcome(outcome)]
    return page(engine, "attempt", _attempts(f, tz, *where), ATTEMPT_ORDER, limit, offset)


def scored_calls(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                  offset: int) -> Rows:
    """The score headline's records over the whole period (K-2, CB-7): the reached call attempts with a score, the
    ones the average is taken over; pick {"scored": "yes"}."""
    if only(pick, "scored").get("scored", "yes") != "yes":
        raise ValueError(pick["scored"])
    stmt = _attempts(f, tz, CallAttempt.outcome == CallOutcome.REACHED, CallAttempt.score.is_not(None))
    return page(engine, "attempt", stmt, ATTEMPT_ORDER, limit, offset)


def dissatisfaction_reasons(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                            limit: int, offset: int) -> Rows:
    """The dissatisfied call attempts whose reason groups under the picked one: pick {"reason"} (as the
    chart shows it, normalised)."""
    picked, reason = need(only(pick, "reason"), "reason"), CallAttempt.dissatisfaction_reason
    # Fast at scale (issue 14): each word of the key is in the lowered reason (blanks only ever separate words),
    # a cheap test that spares most rows the key's dozen string functions; the key then decides.
    words = [func.lower(reason).contains(w, autoescape=True) for w in picked.split(" ") if w]
    # core.kpi.call_quality.dissatisfied's conditions on the attempt itself (the filter's are _attempts'), not an
    # IN of its ids: SQLite then walks the dissatisfied attempts newest first and stops at a page, or at CAP for
    # the total, instead of keying every dissatisfied attempt of the range (two years: 190k at the large office)
    stmt = _attempts(f, tz, *DISSATISFIED, *words, reason_key(reason) == picked)
    total = dissatisfaction_reason_count(engine, f, tz, picked)  # the bar's own number, from its rollup
    return page(engine, "attempt", stmt, ATTEMPT_ORDER, limit, offset, total=total)


def qa_score_per_specialist(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                            limit: int, offset: int) -> Rows:
    """The scored call attempts of one caller: pick {"caller": the caller's id}."""
    caller = number(only(pick, "caller"), "caller")
    stmt = _attempts(f, tz, CallAttempt.caller_id == caller, CallAttempt.qa_score.is_not(None))
    return page(engine, "attempt", stmt, ATTEMPT_ORDER, limit, offset)


def recheck_coverage(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                     offset: int) -> Rows:
    """The re-check callbacks of one sample: pick {"period", "level"} and optionally "series" ("drawn", the
    default, or "done"). Like the chart, the other filters do not apply; `at` is the end of the due window."""
    staff, series = aliased(User), only(pick, "period", "level", "series").get("series", "drawn")
    if series not in ("drawn", "done"):
        raise ValueError(series)
    # The sample's id first, then `sample_id = <id>`: PostgreSQL plans that by its statistics and walks
    # ix_callbacks_sample_due in order; an IN of a subquery it planned as every sample's callbacks and walked all
    # callbacks by due time (3.3-3.9 s a page at the large office).
    level = CallbackLevel(need(pick, "level"))
    with engine.connect() as conn:
        sample = conn.execute(select(RecheckSample.id).where(RecheckSample.period == need(pick, "period"),
                                                             RecheckSample.level == level)).scalar()
    if sample is None:  # no sample drawn for that period and level: nothing behind the mark
        return [], 0
    stmt = (select(Callback.id, Callback.id.label("number"), Customer.name.label("customer"),
                   Callback.due_end.label("at"), Callback.status, staff.display_name.label("staff"))
            .outerjoin(Customer, Customer.id == Callback.customer_id).outerjoin(staff, staff.id == Callback.assignee_id)
            .where(Callback.sample_id == sample, *([DONE] if series == "done" else [])))
    return page(engine, "callback", stmt, CALLBACK_ORDER, limit, offset)


# callbacks_per_week and satisfaction_distribution are core.kpi.drill's (one rule, written once).
DRILLS = {fn.__name__: fn for fn in (callback_rates_by_kind, dissatisfaction_reasons, qa_score_per_specialist,
                                     recheck_coverage, callbacks_on_time, call_attempts, scored_calls)}


def _person(f: KpiFilter, pick: dict[str, str], key: str) -> KpiFilter:
    """The filter narrowed to the picked person; one the dashboard's staff filter excludes: ValueError (a pick
    never widens the filter)."""
    person = number(only(pick, key), key)
    if f.staff_id is not None and f.staff_id != person:
        raise ValueError(person)
    return replace(f, staff_id=person)


def specialist_view(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                    offset: int) -> Rows:
    """A specialist's bar of the staff view (K-6): the callbacks assigned to them and due in the range, the
    denominator of their on-time rate; pick {"user": their id}."""
    return callbacks_on_time(engine, _person(f, pick, "user"), tz, now, {"series": "due"},
                                 limit, offset)


def technician_view(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                    offset: int) -> Rows:
    """A technician's bar of the staff view (K-6): their work orders that its dispatch-within-target rate divides
    by, as K-4's headline (taken in during the range, dispatched or past the target); pick {"technician": their
    id}. The rule is core.kpi.drill's dispatch_decided narrowed to the technician."""
    from core.kpi.drill import dispatch_decided  # core.kpi.drill imports this module to build its registry

    return dispatch_decided(engine, _person(f, pick, "technician"), tz, now, limit, offset)


STAFF_DRILLS = {fn.__name__: fn for fn in (specialist_view, technician_view)}
DRILLS |= STAFF_DRILLS
