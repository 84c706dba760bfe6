"""Work order KPIs (K-4). A KPI function's docstring is the definition managers read; the two dispatch
KPIs share one SQL aggregate, `dispatch_counts`."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

import pandas as pd
from sqlalchemy import Engine, case, func, or_, select

from core.kpi.sql import KpiFilter, in_range, narrow, per_week, ratio, seconds_between
from db.engine import session_scope
from db.enums import ServiceType, WorkOrderStatus
from db.models import WorkOrder

BACKLOG = (WorkOrderStatus.NEW, WorkOrderStatus.DISPATCHED, WorkOrderStatus.RECEIVED, WorkOrderStatus.SURVEY,
           WorkOrderStatus.IN_REPAIR, WorkOrderStatus.PENDING)
AGES = {"le_1d": 1, "d1_3": 3, "d3_7": 7, "gt_7d": None}  # age since intake → upper bound in days
# time to dispatch → the multiple of the target it stays within ("later": beyond 12 ×; 0: not dispatched)
DISPATCH_BUCKETS = {"within": 1, "x3": 3, "x12": 12, "later": 12, "not_dispatched": 0}


def _orders(f: KpiFilter, *columns):
    stmt = select(*columns).select_from(WorkOrder)
    return narrow(stmt, f, staff=WorkOrder.technician_id, customer=WorkOrder.customer_id, types=WorkOrder.service_type)


def work_orders_per_week(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """Work orders opened and completed per week (K-4). Opened: orders taken in during the week (the intake
    time). Completed: orders whose completion time falls in the week, whenever they were taken in. Weeks are
    office-local, Monday to Sunday; a week without orders counts 0. Filters: staff (the technician), customer
    grade, service type."""
    opened = per_week(engine, f, tz, partial(_orders, f), WorkOrder.intake_at, {"opened": None})
    completed = per_week(engine, f, tz, partial(_orders, f), WorkOrder.completed_at, {"completed": None})
    return opened.assign(completed=completed["completed"])


def work_order_backlog(engine: Engine, f: KpiFilter, now: datetime) -> pd.DataFrame:
    """Work order backlog by status and age (K-4, WO-7): orders not completed yet (new, dispatched, received,
    on-site survey, in repair, pending), counted now per status and per age since intake (up to 1 day, 1-3
    days, 3-7 days, over 7 days). The date range does not apply: the backlog is counted as of now. No open
    order: an empty chart. Filters: staff (the technician), customer grade, service type."""
    age = case(*[(WorkOrder.intake_at >= now - timedelta(days=d), code) for code, d in AGES.items() if d],
               else_="gt_7d").label("age")
    stmt = _orders(f, WorkOrder.status, age, func.count().label("count")).where(WorkOrder.status.in_(BACKLOG))
    with session_scope(engine) as s:
        rows = s.execute(stmt.group_by(WorkOrder.status, "age")).all()
    return pd.DataFrame([{"status": r.status, "age": r.age, "count": r.count} for r in rows],
                        columns=["status", "age", "count"])


def dispatch_counts(engine: Engine, f: KpiFilter, tz: str, now: datetime, target_minutes: int) -> dict[str, int]:
    """The aggregate behind WO-3: orders taken in during the date range that are dispatched, or not although
    their target has passed, counted by the time from intake to dispatch in multiples of the target."""
    elapsed = seconds_between(WorkOrder.intake_at, WorkOrder.dispatched_at, engine.dialect.name)
    due = _orders(f, elapsed.label("seconds")).where(
        or_(WorkOrder.dispatched_at.is_not(None), WorkOrder.intake_at < now - timedelta(minutes=target_minutes)))
    # MATERIALIZED: the elapsed time is computed once per order, not once per threshold below.
    d = in_range(due, WorkOrder.intake_at, f, tz).cte("d").prefix_with("MATERIALIZED")
    within = [func.sum(case((d.c.seconds <= target_minutes * 60 * DISPATCH_BUCKETS[b], 1), else_=0))
              for b in ("within", "x3", "x12")]
    stmt = select(func.count(), func.count(d.c.seconds), *within).select_from(d)
    with session_scope(engine) as s:
        row = s.execute(stmt).one()
    total, dispatched, x1, x3, x12 = (int(v or 0) for v in row)
    return {"within": x1, "x3": x3 - x1, "x12": x12 - x3, "later": dispatched - x12,
            "not_dispatched": total - dispatched}


def dispatch_within_target(counts: dict[str, int]) -> float | None:
    """Dispatch within target (K-4, WO-3). Numerator: orders dispatched to engineering no later than the
    target after intake (the dispatch target in the settings, 5 minutes by default). Denominator:
    orders taken in during the date range that are dispatched, or not dispatched although the target has
    passed. Timestamps: the intake time and the dispatch time. No such order: no data (None, shown as —).
    Filters: staff (the technician), customer grade, service type."""
    return ratio(counts["within"], sum(counts.values()))


def dispatch_time_distribution(counts: dict[str, int]) -> pd.DataFrame:
    """Dispatch time against the target (K-4, WO-3): the orders of "dispatch within target", counted by the
    time from intake to dispatch: within the target, up to 3 times the target, up to 12 times the target,
    later, and not dispatched although the target has passed. Every group is listed, with 0 where no order
    falls in it. Filters: staff (the technician), customer grade, service type."""
    return pd.DataFrame([{"bucket": b, "count": counts[b]} for b in DISPATCH_BUCKETS], columns=["bucket", "count"])


def paid_service_revenue(engine: Engine, f: KpiFilter, tz: str) -> int | None:
    """Paid-service revenue (K-4, WO-8): the sum of the fees of paid-service (A) orders completed in the
    date range. Timestamp: the completion time. No paid order completed with a fee: no data (None, shown as
    —). Filters: staff (the technician), customer grade, service type."""
    stmt = _orders(f, func.sum(WorkOrder.fee_cents)).where(
        WorkOrder.service_type == ServiceType.PAID, WorkOrder.fee_cents.is_not(None))
    with session_scope(engine) as s:
        total = s.scalar(in_range(stmt, WorkOrder.completed_at, f, tz))
    return None if total is None else int(total)
