"""The work-order daily aggregates A4 and A5 (issue 14's contract) as plain SQL over work_orders: the
reference the rollup tables must equal, and the benchmark's SQL baseline. Each row of a frame is one office
day and one (technician, service type) with at least one counted order; the day is found by a CASE of the
office days' UTC bounds (zoneinfo's, so daylight saving is exact on SQLite and PostgreSQL alike), a month of
days per statement so that no CASE grows long."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import BigInteger, Engine, and_, case, cast, func, select

from core.kpi.sql import KpiFilter, narrow, seconds_between
from core.lists import day_bounds_utc
from db.engine import session_scope
from db.enums import ServiceType
from db.models import WorkOrder

CHUNK_DAYS = 31
DIMS = ["technician_id", "service_type"]
INTAKE = ["opened", "dispatched", "dispatch_s_sum", "within_1", "within_3", "within_12", "undispatched"]
DONE = ["completed", "complete_s_sum", "accepted", "accepted_signed", "accepted_special", "fee_sum", "fee_n"]
WITHIN = (1, 3, 12)  # within_k: dispatched no later than k times the target after intake


def office_days(f: KpiFilter, tz: str) -> list[tuple[date, datetime, datetime]]:
    """Each office day of the range as (the day, its UTC start, its UTC end)."""
    days = (f.start + timedelta(days=i) for i in range((f.end - f.start).days + 1))
    return [(d, *day_bounds_utc(d, d, tz)) for d in days]


def orders(f: KpiFilter, *columns):
    """SELECT columns FROM work_orders narrowed by the filter: staff (the technician), customer grade, service
    type, product model."""
    stmt = select(*columns).select_from(WorkOrder)
    return narrow(stmt, f, staff=WorkOrder.technician_id, customer=WorkOrder.customer_id,
                  types=WorkOrder.service_type, product=WorkOrder.product_id)


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _whole_seconds(earlier, later, dialect: str):
    """Seconds from `earlier` to `later` rounded to the whole second (half away from zero), as an integer."""
    return cast(func.round(seconds_between(earlier, later, dialect)), BigInteger)


def per_day(engine: Engine, f: KpiFilter, tz: str, column, measures: dict, where=()) -> pd.DataFrame:
    """`measures` (name → aggregate) per office day of the UTC timestamp `column` and per technician and
    service type, over the filter's orders meeting `where`; only combinations with rows."""
    days, rows = office_days(f, tz), []
    with session_scope(engine) as s:
        for at in range(0, len(days), CHUNK_DAYS):
            chunk = days[at:at + CHUNK_DAYS]
            day = case(*[(column < hi, i) for i, (_, _, hi) in enumerate(chunk)]).label("day_no")
            stmt = orders(f, day, WorkOrder.technician_id, WorkOrder.service_type,
                          *[m.label(n) for n, m in measures.items()])
            stmt = stmt.where(column >= chunk[0][1], column < chunk[-1][2], *where)
            for r in s.execute(stmt.group_by("day_no", WorkOrder.technician_id, WorkOrder.service_type)):
                rows.append({"day": chunk[r.day_no][0], "technician_id": r.technician_id,
                             "service_type": str(r.service_type.value),
                             **{n: int(r._mapping[n] or 0) for n in measures}})
    # object first, so an unassigned order's None stays None (as the rollups give it), then the counts as int64
    frame = pd.DataFrame(rows, columns=["day", *DIMS, *measures], dtype=object)
    return frame.astype(dict.fromkeys(measures, "int64"))


def order_intake_days(engine: Engine, f: KpiFilter, tz: str, target_minutes: int) -> pd.DataFrame:
    """A4: work orders per office day of intake_at, technician and service type: opened (all), dispatched
    (dispatched_at set), dispatch_s_sum (their whole seconds from intake to dispatch, summed), within_k
    (dispatched no later than k × the target after intake, k = 1, 3, 12) and undispatched (dispatched_at
    not set). Filters: staff (the technician), customer grade, service type, product model."""
    seconds = seconds_between(WorkOrder.intake_at, WorkOrder.dispatched_at, engine.dialect.name)
    measures = {
        "opened": func.count(),
        "dispatched": func.count(WorkOrder.dispatched_at),
        "dispatch_s_sum": func.sum(_whole_seconds(WorkOrder.intake_at, WorkOrder.dispatched_at, engine.dialect.name)),
        **{f"within_{k}": _count(seconds <= k * target_minutes * 60) for k in WITHIN},
        "undispatched": _count(WorkOrder.dispatched_at.is_(None)),
    }
    return per_day(engine, f, tz, WorkOrder.intake_at, measures)


def order_done_days(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """A5: completed work orders per office day of completed_at, technician and service type: completed,
    complete_s_sum (whole seconds from intake to completion, summed), accepted (accepted_at set),
    accepted_signed (accepted, with the technician's signature, the customer's and the manager's countersign
    all recorded), accepted_special (accepted with a special approval), fee_sum and fee_n (sum and count of
    the fees of paid-service orders that have one). Filters: staff (the technician), customer grade, service
    type, product model."""
    accepted = WorkOrder.accepted_at.is_not(None)
    signed = and_(accepted, WorkOrder.technician_signed_at.is_not(None), WorkOrder.customer_signed_at.is_not(None),
                  WorkOrder.manager_countersigned_at.is_not(None))
    fee = and_(WorkOrder.service_type == ServiceType.PAID, WorkOrder.fee_cents.is_not(None))
    measures = {
        "completed": func.count(),
        "complete_s_sum": func.sum(_whole_seconds(WorkOrder.intake_at, WorkOrder.completed_at, engine.dialect.name)),
        "accepted": _count(accepted),
        "accepted_signed": _count(signed),
        "accepted_special": _count(and_(accepted, WorkOrder.special_approval_at.is_not(None))),
        "fee_sum": func.sum(case((fee, WorkOrder.fee_cents), else_=0)),
        "fee_n": _count(fee),
    }
    return per_day(engine, f, tz, WorkOrder.completed_at, measures, (WorkOrder.completed_at.is_not(None),))
