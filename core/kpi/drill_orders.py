"""The records behind a work-order chart's mark (issue 14's drill-down contract): one page of the orders the
picked mark counts, newest first, with the same filters and the same conditions as the figure. Each function
is `fn(engine, f, tz, now, pick, limit, offset) -> (rows, total)`; ORDER_DRILLS maps the chart (its KPI
function's name) to it. A pick naming a week, status, age, bucket or reason the chart has not: no records."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select

from core.kpi.order_days import orders
from core.kpi.sql import KpiFilter, seconds_between
from core.kpi.work_orders import AGES, BACKLOG, DISPATCH_BUCKETS, backlog_age
from core.lists import day_bounds_utc
from core.office.settings import load_office
from db.engine import session_scope
from db.enums import PendingReason, ServiceType, WorkOrderStatus
from db.models import Customer, User, WorkOrder, WorkOrderEvent
from db.models.base import UTCDateTime

Page = tuple[list[dict], int]
NOTHING: Page = ([], 0)
# a dispatched bucket → (above, up to) multiples of the target its time to dispatch falls between
TIMES = {"within": (None, 1), "x3": (1, 3), "x12": (3, 12), "later": (12, None)}


def records(engine: Engine, f: KpiFilter, at, where: list, limit: int, offset: int) -> Page:
    """The filter's orders meeting `where`, as drill rows whose "at" is `at`: one page by `at` desc, id desc,
    and the total."""
    rows = (orders(f, WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), at.label("at"),
                   WorkOrder.status, User.display_name.label("staff"))
            .join(Customer, Customer.id == WorkOrder.customer_id)
            .outerjoin(User, User.id == WorkOrder.technician_id)
            .where(*where).order_by(at.desc(), WorkOrder.id.desc()).limit(limit).offset(offset))
    with session_scope(engine) as s:
        total = s.scalar(orders(f, func.count()).where(*where))
        page = [{"kind": "work_order", "id": r.id, "number": r.number, "customer": r.customer, "at": r.at,
                 "status": r.status.value, "staff": r.staff} for r in s.execute(rows)]
    return page, int(total or 0)


def week_of(pick: dict[str, str], f: KpiFilter, tz: str) -> tuple[datetime, datetime] | None:
    """The picked week's UTC bounds, clipped to the range's days as the weekly figures are; None: no such week."""
    try:
        week = date.fromisoformat(pick.get("week", ""))
    except (TypeError, ValueError):
        return None
    first, last = max(week, f.start), min(week + timedelta(days=6), f.end)
    return None if week.weekday() or first > last else day_bounds_utc(first, last, tz)


def work_orders_per_week(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                         offset: int) -> Page:
    """Pick {"week": Monday ISO date, "series": "opened" | "completed"}: the orders taken in (by intake_at) or
    completed (by completed_at) in that office week of the range."""
    at = {"opened": WorkOrder.intake_at, "completed": WorkOrder.completed_at}.get(pick.get("series", ""))
    bounds = week_of(pick, f, tz)
    if at is None or bounds is None:
        return NOTHING
    return records(engine, f, at, [at >= bounds[0], at < bounds[1]], limit, offset)


def work_order_backlog(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                       offset: int) -> Page:
    """Pick {"status": a backlog status, "age": an AGES code} (either may be left out): the orders open now in
    that status and age group since intake; "at" is the intake time."""
    status, age = pick.get("status"), pick.get("age")
    if (status is not None and status not in BACKLOG) or (age is not None and age not in AGES):
        return NOTHING
    where = [WorkOrder.status.in_(BACKLOG)]
    where += [] if status is None else [WorkOrder.status == WorkOrderStatus(status)]
    where += [] if age is None else [backlog_age(now) == age]
    return records(engine, f, WorkOrder.intake_at, where, limit, offset)


def dispatch_time_distribution(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                               limit: int, offset: int) -> Page:
    """Pick {"bucket": a DISPATCH_BUCKETS code}: the orders taken in during the range in that group of time
    to dispatch, against the office's dispatch target; "at" is the dispatch time, or for "not_dispatched"
    (the target passed before `now`) the intake time."""
    bucket = pick.get("bucket")
    if bucket not in DISPATCH_BUCKETS:
        return NOTHING
    target = int(load_office(engine).get("work_order.dispatch_target_minutes")) * 60
    lo, hi = day_bounds_utc(f.start, f.end, tz)
    taken = [WorkOrder.intake_at >= lo, WorkOrder.intake_at < hi]
    if bucket == "not_dispatched":
        late = [WorkOrder.dispatched_at.is_(None), WorkOrder.intake_at < now - timedelta(seconds=target)]
        return records(engine, f, WorkOrder.intake_at, taken + late, limit, offset)
    seconds = seconds_between(WorkOrder.intake_at, WorkOrder.dispatched_at, engine.dialect.name)
    above, upto = TIMES[bucket]
    where = [WorkOrder.dispatched_at.is_not(None), *([] if above is None else [seconds > above * target]),
             *([] if upto is None else [seconds <= upto * target])]
    return records(engine, f, WorkOrder.dispatched_at, taken + where, limit, offset)


def pending_reasons(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                    offset: int) -> Page:
    """Pick {"reason": a PendingReason value}: the orders pending now for that reason; "at" is when the order
    last went pending (its history), or its intake time if the history has no such step."""
    if pick.get("reason") not in set(PendingReason):
        return NOTHING
    went = (select(func.max(WorkOrderEvent.at)).where(WorkOrderEvent.work_order_id == WorkOrder.id,
                                                      WorkOrderEvent.to_status == WorkOrderStatus.PENDING)
            .scalar_subquery())
    at = func.coalesce(went, WorkOrder.intake_at, type_=UTCDateTime)
    where = [WorkOrder.status == WorkOrderStatus.PENDING, WorkOrder.pending_reason == PendingReason(pick["reason"])]
    return records(engine, f, at, where, limit, offset)


def revenue_per_week(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                     offset: int) -> Page:
    """Pick {"week": Monday ISO date}: the paid-service orders with a fee completed in that office week of the
    range; a pick without a week (the revenue headline's "show records"): those of the whole range. "at" is the
    completion time."""
    bounds = week_of(pick, f, tz) if "week" in pick else day_bounds_utc(f.start, f.end, tz)
    if bounds is None:
        return NOTHING
    where = [WorkOrder.completed_at >= bounds[0], WorkOrder.completed_at < bounds[1],
             WorkOrder.service_type == ServiceType.PAID, WorkOrder.fee_cents.is_not(None)]
    return records(engine, f, WorkOrder.completed_at, where, limit, offset)


ORDER_DRILLS = {fn.__name__: fn for fn in (
    work_orders_per_week, work_order_backlog, dispatch_time_distribution, pending_reasons, revenue_per_week)}
