"""What each KPI rollup counts (issue 14 "Fast at scale"): one Rollup per table of db.models.kpi, with the base
timestamp whose office day is its `day` and the SELECT that recounts its rows for a run of office days, grouped
by the dimensions the dashboard filters on. core.kpi.rollups keeps them exact (marks, refresh, rebuild)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import BigInteger, Date, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from core.kpi.sql import seconds_between
from core.lists import day_bounds_utc
from db.enums import CallbackStatus, CallOutcome, LeadClass, Satisfaction, ServiceType
from db.models import (
    CallAttempt,
    Callback,
    Complaint,
    Customer,
    KpiAttemptDay,
    KpiCallbackDay,
    KpiComplaintDay,
    KpiDissatisfactionDay,
    KpiLeadContactDay,
    KpiLeadFollowUpDay,
    KpiOrderDoneDay,
    KpiOrderIntakeDay,
    Lead,
    LeadContact,
    Product,
    WorkOrder,
)

Day = ColumnElement  # the CASE naming a row's office day


class Options(NamedTuple):
    """What a basis holds besides the time zone: WO-3's dispatch target, L-1's follow-up intervals (A, B, C)."""

    target: int | None = None
    intervals: tuple[int, ...] | None = None


Recount = Callable[[Day, str, Options], Select]  # (day, dialect, options) → the recounting SELECT
Ranged = Callable[[list[date], str, str, Options], Select]  # (days, tz, dialect, options) → (day, columns...)


@dataclass(frozen=True)
class Rollup:
    """One rollup: its name (also its marks' `rollup` and its reader's name), table, the base timestamp
    whose office day is its `day`, and the SELECT that recounts its rows (day first, then the table's
    columns in order) for the base rows in a range of that timestamp."""

    name: str
    table: type
    stamp: ColumnElement
    recount: Recount | None
    uses_target: bool = False
    ranged: Ranged | None = None  # a recount that reads rows outside its days (a lead's earlier contacts)
    uses_intervals: bool = False

    def basis(self, tz: str, options: Options) -> str:
        out = f"tz={tz};target={options.target}" if self.uses_target else f"tz={tz}"
        return f"{out};intervals={options.intervals}" if self.uses_intervals else out


def _count(condition) -> ColumnElement:
    return func.sum(case((condition, 1), else_=0))


def _total(value, condition=None) -> ColumnElement:
    return func.coalesce(func.sum(value if condition is None else case((condition, value), else_=0)), 0)


def _callbacks(day: Day, _dialect: str, _options: Options) -> Select:
    """A1: callbacks not cancelled (K-1), on the office day of due_end."""
    c, completed = Callback, Callback.status == CallbackStatus.COMPLETED
    live = [s for s in CallbackStatus if s != CallbackStatus.CANCELLED]  # an IN the status index answers
    return (select(day, c.assignee_id, Customer.grade, c.kind, c.level, func.count(),
                   _count(completed), _count(and_(completed, c.completed_at <= c.due_end)))
            .join(Customer, Customer.id == c.customer_id).where(c.status.in_(live))
            .group_by(day, c.assignee_id, Customer.grade, c.kind, c.level))


def _attempts(day: Day, _dialect: str, _options: Options) -> Select:
    """A2: call attempts (K-2), on the office day of attempted_at, with their callback's kind, level and
    customer grade, and the technician of the callback's work order."""
    a = CallAttempt
    reached = a.outcome == CallOutcome.REACHED
    scored = and_(reached, a.score.is_not(None))
    return (select(day, a.caller_id, WorkOrder.technician_id, Customer.grade, Callback.kind, Callback.level,
                   func.count(), _count(reached), _count(a.outcome == CallOutcome.WRONG_NUMBER),
                   _total(a.score, scored), _count(scored),
                   *[_count(and_(reached, a.satisfaction == s)) for s in
                     (Satisfaction.SATISFIED, Satisfaction.NEUTRAL, Satisfaction.DISSATISFIED)],
                   _total(a.qa_score), func.count(a.qa_score))
            .join(Callback, Callback.id == a.callback_id).join(Customer, Customer.id == Callback.customer_id)
            .outerjoin(WorkOrder, WorkOrder.id == Callback.work_order_id)
            .group_by(day, a.caller_id, WorkOrder.technician_id, Customer.grade, Callback.kind, Callback.level))


def _orders(day: Day, *measures) -> Select:
    w, model = WorkOrder, func.coalesce(Product.model, "")
    return (select(day, w.technician_id, Customer.grade, w.service_type, model, *measures)
            .join(Customer, Customer.id == w.customer_id).outerjoin(Product, Product.id == w.product_id)
            .group_by(day, w.technician_id, Customer.grade, w.service_type, model))


def whole_seconds(earlier, later, dialect: str) -> ColumnElement:
    """Seconds from `earlier` to `later`, each row rounded to a whole second (half away from zero)."""
    return cast(func.round(seconds_between(earlier, later, dialect)), BigInteger)


def whole_ms(earlier, later, dialect: str) -> ColumnElement:
    """Milliseconds from `earlier` to `later` (the reference's seconds are exact to the millisecond)."""
    return cast(func.round(seconds_between(earlier, later, dialect) * 1000), BigInteger)


def _intake(day: Day, dialect: str, options: Options) -> Select:
    """A4: work orders on the office day of intake_at (WO-3: dispatched within k times the target)."""
    w = WorkOrder
    sent = w.dispatched_at.is_not(None)
    seconds = seconds_between(w.intake_at, w.dispatched_at, dialect)
    return _orders(day, func.count(), func.count(w.dispatched_at),
                   _total(whole_seconds(w.intake_at, w.dispatched_at, dialect), sent),
                   *[_count(and_(sent, seconds <= k * int(options.target or 0) * 60)) for k in (1, 3, 12)],
                   _count(w.dispatched_at.is_(None)))


def _done(day: Day, dialect: str, _options: Options) -> Select:
    """A5: work orders completed, on the office day of completed_at."""
    w = WorkOrder
    accepted = w.accepted_at.is_not(None)
    signed = and_(accepted, w.technician_signed_at.is_not(None), w.customer_signed_at.is_not(None),
                  w.manager_countersigned_at.is_not(None))
    fee = and_(w.service_type == ServiceType.PAID, w.fee_cents.is_not(None))
    return _orders(day, func.count(), _total(whole_seconds(w.intake_at, w.completed_at, dialect)),
                   _count(accepted), _count(signed), _count(and_(accepted, w.special_approval_at.is_not(None))),
                   _total(w.fee_cents, fee), _count(fee))


# ---- dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7) ------------------------------------------

def _dissatisfied(day: Day, _dialect: str, _options: Options) -> Select:
    """Reached call attempts answered dissatisfied with a non-empty reason (core.kpi.call_quality's
    dissatisfied), on the office day of attempted_at, by caller, the callback's customer grade, kind and
    level, and the reason's grouping key (reason_key: the same expression object in SELECT and GROUP BY, so
    its bound parameters are the same ones on PostgreSQL)."""
    from core.kpi.call_quality import reason_key  # call_quality reads this package: imported when counted

    a = CallAttempt
    key = reason_key(a.dissatisfaction_reason)
    return (select(day, a.caller_id, Customer.grade, Callback.kind, Callback.level, key, func.count())
            .join(Callback, Callback.id == a.callback_id).join(Customer, Customer.id == Callback.customer_id)
            .where(a.satisfaction == Satisfaction.DISSATISFIED, a.outcome == CallOutcome.REACHED,
                   a.dissatisfaction_reason.is_not(None), key != "")
            .group_by(day, a.caller_id, Customer.grade, Callback.kind, Callback.level, key))
def _complaints(day: Day, dialect: str, _options: Options) -> Select:
    """K-3: complaints on the office day of received_at, with the conditions of core.kpi.complaints that
    depend on the complaint's own row (the promise only for closed complaints: an open one's depends on
    `now`) and `repeat`, read by an EXISTS equal to the reference's window (the latest earlier complaint of
    the customer about the model is within REPEAT_DAYS iff any is)."""
    from core.complaints.log import promise_kept
    from core.kpi.complaints import REPEAT_DAYS, _days_before, conditions

    c, cond = Complaint, conditions(datetime(1970, 1, 1), dialect)  # `now` unused by the conditions kept
    earlier, its = aliased(Complaint), aliased(Product)
    model = func.coalesce(Product.model, "")
    cause = func.coalesce(c.cause, "")
    before = or_(earlier.received_at < c.received_at, and_(earlier.received_at == c.received_at, earlier.id < c.id))
    repeat = exists().where(
        earlier.customer_id == c.customer_id, before,
        earlier.received_at >= _days_before(c.received_at, REPEAT_DAYS, dialect),
        its.id == earlier.product_id, its.model == Product.model)
    ms = lambda later: whole_ms(c.received_at, later, dialect)  # noqa: E731
    closed = cond["closed"]
    return (select(day, c.owner_id, Customer.grade, c.channel, c.status, model, cause, func.count(),
                   _count(cond["responded"]), _total(ms(c.first_response_at), cond["responded"]),
                   _count(closed), _total(ms(c.closed_at), closed),
                   _count(and_(closed, c.reply_deadline.is_not(None))),
                   _count(and_(c.closed_at.is_(None), c.reply_deadline.is_not(None))), _count(promise_kept()),
                   *[_count(cond[n]) for n in ("judged", "ours", "verified")],
                   _count(and_(c.product_id.is_not(None), repeat)),
                   _count(cond["reopened"]), _count(cond["ever_closed"]))
            .join(Customer, Customer.id == c.customer_id).outerjoin(Product, Product.id == c.product_id)
            .group_by(day, c.owner_id, Customer.grade, c.channel, c.status, model, cause))


def _lead_contacts(day: Day, _dialect: str, _options: Options) -> Select:
    """K-5 (L-2): lead contacts on the office day of contacted_at, per user and the grade of the lead's
    customer ('' none), counted per stage of core.kpi.leads.STAGES."""
    from core.kpi.leads import STAGES

    lc, grade = LeadContact, func.coalesce(Customer.grade, "")
    stages = [func.count() if c is None else _count(c) for c in STAGES.values()]
    return (select(day, lc.user_id, grade, *stages, _total(lc.sale_amount_cents, STAGES["sales"]))
            .join(Lead, Lead.id == lc.lead_id).outerjoin(Customer, Customer.id == Lead.customer_id)
            .group_by(day, lc.user_id, grade))


def _follow_ups(days: list[date], tz: str, dialect: str, options: Options) -> Select:
    """K-5 (L-1): the follow-up contacts made on `days`, by the reference rule (core.kpi.leads.follow_ups: the
    window over each lead's earlier contacts), per office day, the lead's specialist, its customer's grade ('' none)
    and the class the follow-up was due in: due and on time."""
    from core.kpi.leads import follow_ups
    from core.kpi.sql import KpiFilter

    settings = {f"lead.{k.value.lower()}_interval_days": n for k, n in zip(LeadClass, options.intervals or (),
                                                                          strict=True)}
    fu = follow_ups(KpiFilter(days[0], days[-1]), tz, settings, dialect)
    day = day_case(fu.c.contacted_at, days, tz)[0]
    grade = func.coalesce(Customer.grade, "")
    return (select(day, Lead.specialist_id, grade, fu.c.lead_class, func.count(), _total(fu.c.on_time))
            .select_from(fu).join(Lead, Lead.id == fu.c.lead_id).outerjoin(Customer, Customer.id == Lead.customer_id)
            .group_by(day, Lead.specialist_id, grade, fu.c.lead_class))


ROLLUPS: dict[str, Rollup] = {r.name: r for r in (
    Rollup("callback_days", KpiCallbackDay, Callback.due_end, _callbacks),
    Rollup("attempt_days", KpiAttemptDay, CallAttempt.attempted_at, _attempts),
    Rollup("order_intake_days", KpiOrderIntakeDay, WorkOrder.intake_at, _intake, uses_target=True),
    Rollup("order_done_days", KpiOrderDoneDay, WorkOrder.completed_at, _done),
    # dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7)
    Rollup("dissatisfaction_days", KpiDissatisfactionDay, CallAttempt.attempted_at, _dissatisfied),
    Rollup("complaint_days", KpiComplaintDay, Complaint.received_at, _complaints),
    Rollup("lead_contact_days", KpiLeadContactDay, LeadContact.contacted_at, _lead_contacts),
    Rollup("lead_follow_up_days", KpiLeadFollowUpDay, LeadContact.contacted_at, None, ranged=_follow_ups,
           uses_intervals=True),
)}


def day_case(stamp, days: list[date], tz: str) -> tuple[Day, datetime, datetime]:
    """The CASE naming the office day of `stamp` among consecutive `days`, and the UTC range they cover."""
    bounds = [(d, day_bounds_utc(d, d, tz)[1]) for d in days]
    lo, hi = day_bounds_utc(days[0], days[-1], tz)
    return case(*[(stamp < end, literal(d, Date)) for d, end in bounds]), lo, hi
