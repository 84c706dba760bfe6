"""From a number to its records (issue 14): for each chart, the records counted in one of its marks. A drill
function takes the chart's filter and the mark's raw keys (`pick`, e.g. {"week": "2026-11-16", "series": "done"})
and returns one page of rows, newest first, and their total, both in SQL; the rows are those the chart's KPI
function counts, so a list's total equals the mark's value. A pick the chart cannot hold raises ValueError
(core.kpi.drill_page, whose page and week rules every area's drills share).

Each row: kind ("callback", "attempt", "work_order", "complaint", "lead"), id (an attempt's: its callback's),
number, customer, at (the timestamp that put it in the mark), status (the raw enum value) and staff.
DRILLS maps a chart's name (its KPI function's __name__) to its drill function; the area modules add theirs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Engine, Select, String, cast, select

from core.kpi.drill_calls import DONE, OWED_ROWS
from core.kpi.drill_page import Rows, only, page, week_bounds
from core.kpi.sql import KpiFilter, in_range, narrow, seconds_between
from core.kpi.work_orders import AGES, BACKLOG, DISPATCH_BUCKETS
from core.office.settings import load_office
from db.enums import (
    CallOutcome,
    ComplaintChannel,
    ComplaintStatus,
    Satisfaction,
    WorkOrderStatus,
)
from db.models import CallAttempt, Callback, Complaint, Customer, User, WorkOrder

Drill = Callable[[Engine, KpiFilter, str, datetime, dict, int, int], Rows]


def _enum(cls: type[Enum], raw: str | None) -> Enum:
    return cls(raw)  # an unknown value, or none: ValueError


def _staff(column):
    return select(User.display_name).where(User.id == column).scalar_subquery().label("staff")


def _callbacks(f: KpiFilter, at) -> Select:
    stmt = select(Callback.id, cast(Callback.id, String).label("number"), Customer.name.label("customer"),
                  at.label("at"), Callback.status.label("status"), _staff(Callback.assignee_id))
    stmt = stmt.outerjoin(Customer, Customer.id == Callback.customer_id).where(OWED_ROWS)
    return narrow(stmt, f, staff=Callback.assignee_id, customer=Callback.customer_id, kinds=Callback.kind)


def callbacks_per_week(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict, limit: int,
                       offset: int) -> Rows:
    """The callbacks due in the picked week (series due), or those of them completed (done)."""
    lo, hi = week_bounds(f, tz, only(pick, "week", "series").get("week"))
    stmt = _callbacks(f, Callback.due_end).where(Callback.due_end >= lo, Callback.due_end < hi)
    series = pick.get("series")
    if series not in ("due", "done"):
        raise ValueError(series)
    if series == "done":
        stmt = stmt.where(DONE)
    return page(engine, "callback", stmt, [Callback.due_end, Callback.id], limit, offset)


def satisfaction_distribution(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict, limit: int,
                              offset: int) -> Rows:
    """The reached call attempts of the period with the picked satisfaction answer."""
    answer = _enum(Satisfaction, only(pick, "satisfaction").get("satisfaction"))
    stmt = select(CallAttempt.callback_id.label("id"), cast(CallAttempt.callback_id, String).label("number"),
                  Customer.name.label("customer"), CallAttempt.attempted_at.label("at"),
                  CallAttempt.outcome.label("status"), _staff(CallAttempt.caller_id))
    stmt = stmt.join(Callback, Callback.id == CallAttempt.callback_id)
    stmt = stmt.outerjoin(Customer, Customer.id == Callback.customer_id)
    stmt = narrow(stmt, f, staff=CallAttempt.caller_id, customer=Callback.customer_id, kinds=Callback.kind)
    stmt = in_range(stmt, CallAttempt.attempted_at, f, tz).where(
        CallAttempt.outcome == CallOutcome.REACHED, CallAttempt.satisfaction == answer)
    # an attempt's id is its callback's, not unique: the attempt's own id breaks the last ties
    return page(engine, "attempt", stmt, [CallAttempt.attempted_at, CallAttempt.callback_id, CallAttempt.id], limit,
                offset)


def complaints_by_channel(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict, limit: int,
                          offset: int) -> Rows:
    """The complaints received in the period by the picked channel, in the picked status (if any)."""
    only(pick, "channel", "status")
    stmt = select(Complaint.id, Complaint.number, Customer.name.label("customer"), Complaint.received_at.label("at"),
                  Complaint.status.label("status"), _staff(Complaint.owner_id))
    stmt = narrow(stmt.join(Customer, Customer.id == Complaint.customer_id), f, staff=Complaint.owner_id,
                  customer=Complaint.customer_id, channels=Complaint.channel, product=Complaint.product_id)
    stmt = in_range(stmt, Complaint.received_at, f, tz).where(
        Complaint.channel == _enum(ComplaintChannel, pick.get("channel")))
    if pick.get("status"):
        stmt = stmt.where(Complaint.status == _enum(ComplaintStatus, pick["status"]))
    return page(engine, "complaint", stmt, [Complaint.received_at, Complaint.id], limit, offset)


def _orders(f: KpiFilter, at) -> Select:
    stmt = select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), at.label("at"),
                  WorkOrder.status.label("status"), _staff(WorkOrder.technician_id))
    return narrow(stmt.join(Customer, Customer.id == WorkOrder.customer_id), f, staff=WorkOrder.technician_id,
                  customer=WorkOrder.customer_id, types=WorkOrder.service_type, product=WorkOrder.product_id)


def work_orders_per_week(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict, limit: int,
                         offset: int) -> Rows:
    """The work orders taken in (series opened) or completed (completed) in the picked week."""
    series = only(pick, "week", "series").get("series")
    at = {"opened": WorkOrder.intake_at, "completed": WorkOrder.completed_at}.get(series)
    if at is None:
        raise ValueError(series)
    lo, hi = week_bounds(f, tz, pick.get("week"))
    return page(engine, "work_order", _orders(f, at).where(at >= lo, at < hi), [at, WorkOrder.id], limit, offset)


def work_order_backlog(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict, limit: int,
                       offset: int) -> Rows:
    """The open work orders, as of now, in the picked status and (if picked) age since intake."""
    status = _enum(WorkOrderStatus, only(pick, "status", "age").get("status"))
    if status not in BACKLOG:
        raise ValueError(status)
    stmt = _orders(f, WorkOrder.intake_at).where(WorkOrder.status == status)
    age = pick.get("age")
    if age:
        if age not in AGES:
            raise ValueError(age)
        codes, bounds = list(AGES), [d for d in AGES.values() if d]
        upper, lower = AGES[age], bounds[codes.index(age) - 1] if codes.index(age) else None
        if upper is not None:
            stmt = stmt.where(WorkOrder.intake_at >= now - timedelta(days=upper))
        if lower is not None:
            stmt = stmt.where(WorkOrder.intake_at < now - timedelta(days=lower))
    return page(engine, "work_order", stmt, [WorkOrder.intake_at, WorkOrder.id], limit, offset)


def dispatch_time_distribution(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict, limit: int,
                               offset: int) -> Rows:
    """The work orders taken in during the period in the picked dispatch-time group (the office's target)."""
    bucket = only(pick, "bucket").get("bucket")
    if bucket not in DISPATCH_BUCKETS:
        raise ValueError(bucket)
    target = int(load_office(engine).get("work_order.dispatch_target_minutes")) * 60
    seconds = seconds_between(WorkOrder.intake_at, WorkOrder.dispatched_at, engine.dialect.name)
    steps = {"within": (None, 1), "x3": (1, 3), "x12": (3, 12), "later": (12, None)}
    stmt = in_range(_orders(f, WorkOrder.intake_at), WorkOrder.intake_at, f, tz)
    if bucket == "not_dispatched":
        stmt = stmt.where(WorkOrder.dispatched_at.is_(None), WorkOrder.intake_at < now - timedelta(seconds=target))
    else:
        low, high = steps[bucket]
        stmt = stmt.where(WorkOrder.dispatched_at.is_not(None))
        stmt = stmt.where(seconds > low * target) if low else stmt
        stmt = stmt.where(seconds <= high * target) if high else stmt
    return page(engine, "work_order", stmt, [WorkOrder.intake_at, WorkOrder.id], limit, offset)


def dispatch_decided(engine: Engine, f: KpiFilter, tz: str, now: datetime, limit: int, offset: int) -> Rows:
    """The work orders "dispatch within target" divides by (K-4, WO-3): taken in during the period, dispatched,
    or not dispatched although the office's target has passed at `now`."""
    target = int(load_office(engine).get("work_order.dispatch_target_minutes")) * 60
    stmt = in_range(_orders(f, WorkOrder.intake_at), WorkOrder.intake_at, f, tz).where(
        WorkOrder.dispatched_at.is_not(None) | (WorkOrder.intake_at < now - timedelta(seconds=target)))
    return page(engine, "work_order", stmt, [WorkOrder.intake_at, WorkOrder.id], limit, offset)


def _registry() -> dict[str, Drill]:
    """Every chart's drill: the areas' (K-1..K-5) and, for the six charts above, these."""
    from core.kpi import drill_calls, drill_complaints, drill_leads, drill_orders

    own = {fn.__name__: fn for fn in (callbacks_per_week, satisfaction_distribution, complaints_by_channel,
                                      work_orders_per_week, work_order_backlog, dispatch_time_distribution)}
    return {**drill_calls.DRILLS, **drill_orders.ORDER_DRILLS, **drill_complaints.DRILLS, **drill_leads.LEAD_DRILLS,
            **own}


DRILLS: dict[str, Drill] = _registry()
