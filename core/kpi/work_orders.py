"""Work order KPIs (K-4). A KPI function's docstring is the definition managers read. The figures over a date
range are pure functions of the daily aggregates A4 (`order_intake_days`, by intake) and A5
(`order_done_days`, by completion), whether those come from the base tables or from the rollups; the figures
"as of now" (the backlog, pending reasons, orders still inside their dispatch target) are small live queries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, case, func, select

from core.kpi.order_days import orders
from core.kpi.sql import KpiFilter, in_range, monday, narrow, ratio, weeks
from db.engine import session_scope
from db.enums import PendingReason, WorkOrderStatus
from db.models import WorkOrder

BACKLOG = (WorkOrderStatus.NEW, WorkOrderStatus.DISPATCHED, WorkOrderStatus.RECEIVED, WorkOrderStatus.SURVEY,
           WorkOrderStatus.IN_REPAIR, WorkOrderStatus.PENDING)
AGES = {"le_1d": 1, "d1_3": 3, "d3_7": 7, "gt_7d": None}  # age since intake → upper bound in days
# time to dispatch → the multiple of the target it stays within ("later": beyond 12 ×; 0: not dispatched)
DISPATCH_BUCKETS = {"within": 1, "x3": 3, "x12": 12, "later": 12, "not_dispatched": 0}


def per_week(days: pd.DataFrame, f: KpiFilter, columns: list[str]) -> pd.DataFrame:
    """A daily frame's `columns` summed per office week (Monday to Sunday) of the range; a week without
    rows counts 0."""
    sums = days.groupby(days["day"].map(monday))[columns].sum() if len(days) else pd.DataFrame(columns=columns)
    return pd.DataFrame([{"week": w, **{c: int(sums[c].get(w, 0)) for c in columns}} for w in weeks(f.start, f.end)],
                        columns=["week", *columns])


def work_orders_per_week(intake: pd.DataFrame, done: pd.DataFrame, f: KpiFilter) -> pd.DataFrame:
    """Work orders opened and completed per week (K-4). Opened: orders taken in during the week (the intake
    time). Completed: orders whose completion time falls in the week, whenever they were taken in. Weeks are
    office-local, Monday to Sunday; a week without orders counts 0. Filters: staff (the technician), customer
    grade, service type, product model."""
    opened = per_week(intake, f, ["opened"])
    return opened.assign(completed=per_week(done, f, ["completed"])["completed"])


def work_order_backlog(engine: Engine, f: KpiFilter, now: datetime) -> pd.DataFrame:
    """Work order backlog by status and age (K-4, WO-7): orders not completed yet (new, dispatched, received,
    on-site survey, in repair, pending), counted now per status and per age since intake (up to 1 day, 1-3
    days, 3-7 days, over 7 days). The date range does not apply: the backlog is counted as of now. No open
    order: an empty chart. Filters: staff (the technician), customer grade, service type, product model."""
    # Fast at scale (issue 14): per status, the orders taken in since each age bound and in all, read from
    # ix_work_orders_open_cover (status, intake_at, technician, service type, customer); the ages are the
    # differences. Without a grade or model filter, each is a range count of the index, all in one statement;
    # with one, a single grouped scan of it, so that the customers (products) of the filter are listed once.
    bounds = [now - timedelta(days=d) for d in AGES.values() if d]
    if f.grades or f.models:
        since = [func.coalesce(func.sum(case((WorkOrder.intake_at >= b, 1), else_=0)), 0) for b in bounds]
        stmt = _open(f, WorkOrder.status, *since, func.count()).where(WorkOrder.status.in_(BACKLOG))
        with engine.connect() as conn:
            found = {r[0]: list(r[1:]) for r in conn.execute(stmt.group_by(WorkOrder.status))}
        counts = {status: found.get(status, [0] * len(AGES)) for status in BACKLOG}
    else:
        stmt = select(*[_open(f, func.count()).where(WorkOrder.status == status, *(
            [] if b is None else [WorkOrder.intake_at >= b])).scalar_subquery() for status in BACKLOG
            for b in (*bounds, None)])
        with engine.connect() as conn:
            row = list(conn.execute(stmt).one())
        counts = {status: row[i * len(AGES):(i + 1) * len(AGES)] for i, status in enumerate(BACKLOG)}
    rows = [{"status": status, "age": code, "count": n - before} for status, since in counts.items()
            for code, n, before in zip(AGES, since, [0, *since], strict=False) if n - before]
    return pd.DataFrame(rows, columns=["status", "age", "count"])


def _open(f: KpiFilter, *columns):
    """SELECT columns FROM work_orders narrowed by the filter (core.kpi.order_days.orders), the customer compared
    as an expression (+ 0) so that SQLite reads the covering index, not the customer's."""
    return narrow(select(*columns).select_from(WorkOrder), f, staff=WorkOrder.technician_id,
                  customer=WorkOrder.customer_id + 0, types=WorkOrder.service_type, product=WorkOrder.product_id)


def awaiting_dispatch(engine: Engine, f: KpiFilter, tz: str, now: datetime, target_minutes: int) -> int:
    """Orders taken in during the date range, not dispatched, and still inside their dispatch target at
    `now` (taken in less than the target before it): not yet counted against the target (WO-3)."""
    with session_scope(engine) as s:
        return int(s.scalar(_awaiting(f, tz, now, target_minutes, func.count())) or 0)


def awaiting_dispatch_by_technician(engine: Engine, f: KpiFilter, tz: str, now: datetime,
                                    target_minutes: int) -> dict[int, int]:
    """`awaiting_dispatch` per technician (K-6's dispatch-within-target rate takes them out of its denominator,
    as K-4's headline does): technician id → orders; orders with no technician are left out."""
    stmt = _awaiting(f, tz, now, target_minutes, WorkOrder.technician_id, func.count().label("n")).where(
        WorkOrder.technician_id.is_not(None)).group_by(WorkOrder.technician_id)
    with session_scope(engine) as s:
        return {int(r.technician_id): int(r.n) for r in s.execute(stmt)}


def _awaiting(f: KpiFilter, tz: str, now: datetime, target_minutes: int, *columns):
    """SELECT columns over the orders of `awaiting_dispatch`: taken in during the range, not dispatched, taken in
    less than the target before `now`."""
    stmt = orders(f, *columns).where(WorkOrder.dispatched_at.is_(None),
                                     WorkOrder.intake_at >= now - timedelta(minutes=target_minutes))
    return in_range(stmt, WorkOrder.intake_at, f, tz)


def dispatch_counts(intake: pd.DataFrame, awaiting: int) -> dict[str, int]:
    """The aggregate behind WO-3: orders taken in during the date range that are dispatched, or not although
    their target has passed, counted by the time from intake to dispatch in multiples of the target. From
    A4 (`order_intake_days`) and `awaiting_dispatch` (the undispatched orders whose target has not passed)."""
    dispatched, x1, x3, x12, undispatched = (
        int(intake[c].sum()) for c in ("dispatched", "within_1", "within_3", "within_12", "undispatched"))
    return {"within": x1, "x3": x3 - x1, "x12": x12 - x3, "later": dispatched - x12,
            "not_dispatched": undispatched - awaiting}


def dispatch_within_target(counts: dict[str, int]) -> float | None:
    """Dispatch within target (K-4, WO-3). Numerator: orders dispatched to engineering no later than the
    target after intake (the dispatch target in the settings, 5 minutes by default). Denominator:
    orders taken in during the date range that are dispatched, or not dispatched although the target has
    passed. Timestamps: the intake time and the dispatch time. No such order: no data (None, shown as —).
    Filters: staff (the technician), customer grade, service type, product model."""
    return ratio(counts["within"], sum(counts.values()))


def dispatch_time_distribution(counts: dict[str, int]) -> pd.DataFrame:
    """Dispatch time against the target (K-4, WO-3): the orders of "dispatch within target", counted by the
    time from intake to dispatch: within the target, up to 3 times the target, up to 12 times the target,
    later, and not dispatched although the target has passed. Every group is listed, with 0 where no order
    falls in it. Filters: staff (the technician), customer grade, service type, product model."""
    return pd.DataFrame([{"bucket": b, "count": counts[b]} for b in DISPATCH_BUCKETS], columns=["bucket", "count"])


def paid_service_revenue(done: pd.DataFrame) -> int | None:
    """Paid-service revenue (K-4, WO-8): the sum of the fees of paid-service (A) orders completed in the
    date range. Timestamp: the completion time. No paid order completed with a fee: no data (None, shown as
    —). Filters: staff (the technician), customer grade, service type, product model. The finance list counts
    an order when the customer accepts it, so an order accepted after its week appears there later."""
    return int(done["fee_sum"].sum()) if done["fee_n"].sum() else None


def average_dispatch_time(intake: pd.DataFrame) -> float | None:
    """Average dispatch time (K-4, WO-3), in minutes. Numerator: the time from intake to dispatch, summed
    over the orders taken in during the date range and dispatched. Denominator: those orders. Timestamps:
    the intake time (selects them) and the dispatch time. No order dispatched: no data (None, shown as —).
    Filters: staff (the technician), customer grade, service type, product model."""
    minutes = ratio(intake["dispatch_s_sum"].sum(), intake["dispatched"].sum())
    return None if minutes is None else minutes / 60


def average_time_to_complete(done: pd.DataFrame) -> float | None:
    """Average time to complete (K-4, WO-4), in hours. Numerator: the time from intake to completion, summed
    over the orders completed in the date range, whenever they were taken in. Denominator: those orders.
    Timestamps: the completion time (selects them) and the intake time. No order completed: no data (None,
    shown as —). Filters: staff (the technician), customer grade, service type, product model."""
    hours = ratio(done["complete_s_sum"].sum(), done["completed"].sum())
    return None if hours is None else hours / 3600


def accepted_signed_share(done: pd.DataFrame) -> float | None:
    """Share accepted with complete signatures (K-4, WO-5, WO-6). Denominator: orders completed in the date
    range. Numerator: those of them accepted back by the service desk with all three signatures recorded: the
    technician's, the department manager's countersign (of the recorded service time and work done) and the
    customer's; a special approval is no signature. Timestamp: the completion time. No order completed: no
    data (None, shown as —). Filters: staff (the technician), customer grade, service type, product model."""
    return ratio(done["accepted_signed"].sum(), done["completed"].sum())


def accepted_special_share(done: pd.DataFrame) -> float | None:
    """Share accepted with special approval (K-4, WO-5). Denominator: orders completed in the date range.
    Numerator: those of them accepted back by the service desk with a manager's recorded special approval,
    which stands in for missing signatures or completion. Timestamp: the completion time. No order completed:
    no data (None, shown as —). Filters: staff (the technician), customer grade, service type, product model."""
    return ratio(done["accepted_special"].sum(), done["completed"].sum())


def pending_reasons(engine: Engine, f: KpiFilter) -> pd.DataFrame:
    """Pending reasons (K-4, WO-4, WO-7): orders pending now, counted per reason (waiting for parts, customer
    absent, needs approval). The date range does not apply: they are counted as of now. Every reason is
    listed, with 0 where no order waits for it. Filters: staff (the technician), customer grade, service
    type, product model."""
    stmt = orders(f, WorkOrder.pending_reason, func.count().label("count")).where(
        WorkOrder.status == WorkOrderStatus.PENDING, WorkOrder.pending_reason.is_not(None))
    with session_scope(engine) as s:
        counts = {r.pending_reason: r.count for r in s.execute(stmt.group_by(WorkOrder.pending_reason))}
    return pd.DataFrame([{"reason": r.value, "count": int(counts.get(r, 0))} for r in PendingReason],
                        columns=["reason", "count"])


def revenue_per_week(done: pd.DataFrame, f: KpiFilter) -> pd.DataFrame:
    """Paid-service revenue per week (K-4, WO-8): the fees of paid-service (A) orders completed in the week
    (revenue, in cents) and how many such orders had a fee (orders). Timestamp: the completion time. Weeks
    are office-local, Monday to Sunday; a week without such orders counts 0. Filters: staff (the
    technician), customer grade, service type, product model."""
    return per_week(done, f, ["fee_sum", "fee_n"]).rename(columns={"fee_sum": "revenue", "fee_n": "orders"})
