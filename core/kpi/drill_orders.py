"""The records behind a work-order chart's mark (issue 14's drill-down contract): one page of the orders the
picked mark counts, newest first, with the same filters and the same conditions as the figure. Each function
is `fn(engine, f, tz, now, pick, limit, offset) -> (rows, total)`; ORDER_DRILLS maps the chart (its KPI
function's name) to it (the first three work-order charts' drills are core.kpi.drill's). A pick naming a week or
reason the chart has not: ValueError (core.kpi.drill_page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from core.kpi.drill_page import Rows, only, page, week_bounds
from core.kpi.order_days import orders
from core.kpi.sql import KpiFilter
from core.lists import day_bounds_utc
from db.enums import PendingReason, ServiceType, WorkOrderStatus
from db.models import Customer, User, WorkOrder, WorkOrderEvent
from db.models.base import UTCDateTime


def records(engine: Engine, f: KpiFilter, at, where: list, limit: int, offset: int) -> Rows:
    """The filter's orders meeting `where`, as drill rows whose "at" is `at`: one page by `at` desc, id desc,
    and the total."""
    stmt = (orders(f, WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), at.label("at"),
                   WorkOrder.status, User.display_name.label("staff"))
            .join(Customer, Customer.id == WorkOrder.customer_id)
            .outerjoin(User, User.id == WorkOrder.technician_id).where(*where))
    return page(engine, "work_order", stmt, [at, WorkOrder.id], limit, offset)


def pending_reasons(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                    offset: int) -> Rows:
    """Pick {"reason": a PendingReason value}: the orders pending now for that reason; "at" is when the order
    last went pending (its history, ix_work_order_events_order_to_at: one seek an order), or its intake time if
    the history has no such step. Sorted on that computed time, the page's orders are found first and only they
    are joined to their customers and technicians (36,000 orders pending for parts at the benchmark office:
    0.23 s → 0.09 s)."""
    reason = PendingReason(only(pick, "reason").get("reason"))  # not a reason: ValueError
    went = (select(func.max(WorkOrderEvent.at)).where(WorkOrderEvent.work_order_id == WorkOrder.id,
                                                      WorkOrderEvent.to_status == WorkOrderStatus.PENDING)
            .scalar_subquery())
    at = func.coalesce(went, WorkOrder.intake_at, type_=UTCDateTime)
    where = [WorkOrder.status == WorkOrderStatus.PENDING, WorkOrder.pending_reason == reason]
    found = (orders(f, WorkOrder.id.label("order_id"), at.label("went")).where(*where)
             .order_by(at.desc(), WorkOrder.id.desc()).limit(limit).offset(offset).subquery())
    shown = (select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), found.c.went.label("at"),
                    WorkOrder.status, User.display_name.label("staff"))
             .select_from(found).join(WorkOrder, WorkOrder.id == found.c.order_id)
             .join(Customer, Customer.id == WorkOrder.customer_id)
             .outerjoin(User, User.id == WorkOrder.technician_id)
             .order_by(found.c.went.desc(), found.c.order_id.desc()))
    counted = orders(f, WorkOrder.id).where(*where)
    return page(engine, "work_order", counted, [], limit, offset, rows_stmt=shown)


def revenue_per_week(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                     offset: int) -> Rows:
    """Pick {"week": Monday ISO date}: the paid-service orders with a fee completed in that office week of the
    range; a pick without a week (the revenue headline's "show records"): those of the whole range. "at" is the
    completion time."""
    bounds = week_bounds(f, tz, only(pick, "week", "period").get("week"))
    where = [WorkOrder.completed_at >= bounds[0], WorkOrder.completed_at < bounds[1],
             WorkOrder.service_type == ServiceType.PAID, WorkOrder.fee_cents.is_not(None)]
    return records(engine, f, WorkOrder.completed_at, where, limit, offset)


def average_dispatch_time(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                          offset: int) -> Rows:
    """The average dispatch time's "show records" (pick {"part": ...}, as the headline's): the orders taken
    in during the range and dispatched, the orders it averages over (K-4, WO-3); "at" is the intake time,
    which selects them."""
    only(pick, "part")
    lo, hi = day_bounds_utc(f.start, f.end, tz)
    where = [WorkOrder.intake_at >= lo, WorkOrder.intake_at < hi, WorkOrder.dispatched_at.is_not(None)]
    return records(engine, f, WorkOrder.intake_at, where, limit, offset)


# the K-4 drills (a chart's, or a headline's of its own) beyond the page's first three charts'
# (work_orders_per_week, work_order_backlog, dispatch_time_distribution: core.kpi.drill has theirs)
ORDER_DRILLS = {fn.__name__: fn for fn in (pending_reasons, revenue_per_week, average_dispatch_time)}
