"""The daily aggregates A1, A2, A4 and A5 of issue 14 read from the rollups: exactly the contract of the
plain-SQL readers over the base tables (core.kpi.days), the fast path the dashboard calls. Each brings its
rollup up to date first (core.kpi.rollups.refresh: cheap when nothing is marked), then sums its rows of the
range grouped by day and the contract's dimensions; the grade and product-model filters are the rollup's
own columns, so no join.

A figure that needs fewer dimensions asks for them (`by`): the same sums grouped by only those columns, the
rest summed in SQL, so a headline reads one row, a weekly chart a row a day, where the whole contract is a row
per day and dimension (about 20,000 rows for 12 weeks of the benchmark's calls: fetching them took most of a
cold callbacks area, issue 14)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from core.kpi.rollups import refresh
from core.kpi.sql import KpiFilter
from db.models import KpiAttemptDay, KpiCallbackDay, KpiOrderDoneDay, KpiOrderIntakeDay

NULLABLE = ("assignee_id", "technician_id")  # kept None (object column), never NaN


def narrowed(stmt, table, f: KpiFilter, *, staff: str, kinds: bool = False, orders: bool = False,
             complaints: bool = False):
    """A rollup's rows of the range that the filter keeps, every filter a column of the rollup: staff (the
    column named `staff`), grades, and the callback kinds, service types, product models and complaint
    channels of the rollups that have them."""
    stmt = stmt.where(table.day.between(f.start, f.end))
    if f.staff_id:
        stmt = stmt.where(getattr(table, staff) == f.staff_id)
    if f.grades:
        stmt = stmt.where(table.grade.in_([str(g) for g in f.grades]))
    if kinds and f.callback_kinds:
        stmt = stmt.where(table.kind.in_([str(k) for k in f.callback_kinds]))
    if orders and f.service_types:
        stmt = stmt.where(table.service_type.in_([str(t) for t in f.service_types]))
    if (orders or complaints) and f.models:
        stmt = stmt.where(table.model.in_(list(f.models)))
    if complaints and f.complaint_channels:
        stmt = stmt.where(table.channel.in_([str(c) for c in f.complaint_channels]))
    return stmt


def _read(engine: Engine, table, dims: tuple[str, ...], measures: tuple[str, ...], f: KpiFilter, *,
          staff: str, kinds: bool = False, orders: bool = False, by: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The rollup's sums of the range grouped by day and `dims` (the contract), or by only the columns `by`
    names (in the contract's order; () one row of totals, 0 when nothing counts)."""
    kept = ("day", *dims) if by is None else tuple(c for c in ("day", *dims) if c in by)
    if by is not None and set(by) - set(kept):
        raise ValueError(f"not a column of {table.__tablename__}: {sorted(set(by) - set(kept))}")
    keys = [getattr(table, c) for c in kept]
    sums = [func.coalesce(func.sum(getattr(table, m)), 0).label(m) for m in measures]
    stmt = narrowed(select(*keys, *sums).group_by(*keys).order_by(*keys), table, f, staff=staff, kinds=kinds,
                    orders=orders)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(stmt)]
    frame = pd.DataFrame(rows, columns=[*kept, *measures], dtype=object)
    for m in measures:
        frame[m] = frame[m].astype("int64")
    for d in kept[1:] if kept[:1] == ("day",) else kept:
        if d not in NULLABLE:
            frame[d] = frame[d].astype("int64") if d.endswith("_id") else frame[d]
    return frame


def callback_days(engine: Engine, f: KpiFilter, tz: str, by: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A1 from kpi_callback_days: [day, assignee_id, kind, level, due, done, on_time] (K-1), or grouped by only
    the columns `by` names. Filters: staff (assignee), grades, callback kinds."""
    refresh(engine, tz, None, names=("callback_days",))
    return _read(engine, KpiCallbackDay, ("assignee_id", "kind", "level"), ("due", "done", "on_time"), f,
                 staff="assignee_id", kinds=True, by=by)


def attempt_days(engine: Engine, f: KpiFilter, tz: str, by: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A2 from kpi_attempt_days: [day, caller_id, technician_id, kind, level, attempts, reached, wrong_number,
    score_sum, scored, satisfied, neutral, dissatisfied, qa_sum, qa_n] (K-2), or grouped by only the columns
    `by` names. Filters: staff (caller), grades, callback kinds."""
    refresh(engine, tz, None, names=("attempt_days",))
    return _read(engine, KpiAttemptDay, ("caller_id", "technician_id", "kind", "level"),
                 ("attempts", "reached", "wrong_number", "score_sum", "scored", "satisfied", "neutral",
                  "dissatisfied", "qa_sum", "qa_n"), f, staff="caller_id", kinds=True, by=by)


def order_intake_days(engine: Engine, f: KpiFilter, tz: str, target_minutes: int,
                      by: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A4 from kpi_order_intake_days: [day, technician_id, service_type, opened, dispatched, dispatch_s_sum,
    within_1, within_3, within_12, undispatched] (K-4, WO-3: within k times `target_minutes`), or grouped by only
    the columns `by` names. Filters: staff (technician), grades, service types, product models."""
    refresh(engine, tz, target_minutes, names=("order_intake_days",))
    return _read(engine, KpiOrderIntakeDay, ("technician_id", "service_type"),
                 ("opened", "dispatched", "dispatch_s_sum", "within_1", "within_3", "within_12", "undispatched"),
                 f, staff="technician_id", orders=True, by=by)


def order_done_days(engine: Engine, f: KpiFilter, tz: str, by: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A5 from kpi_order_done_days: [day, technician_id, service_type, completed, complete_s_sum, accepted,
    accepted_signed, accepted_special, fee_sum, fee_n] (K-4, WO-8), or grouped by only the columns `by` names.
    Filters: staff (technician), grades, service types, product models."""
    refresh(engine, tz, None, names=("order_done_days",))
    return _read(engine, KpiOrderDoneDay, ("technician_id", "service_type"),
                 ("completed", "complete_s_sum", "accepted", "accepted_signed", "accepted_special", "fee_sum",
                  "fee_n"), f, staff="technician_id", orders=True, by=by)
