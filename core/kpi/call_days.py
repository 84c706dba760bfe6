"""The daily aggregates behind K-1 and K-2 (the "A-frames" of issue 14), as plain SQL over the base tables:
A1 `callback_days` and A2 `attempt_days`. They are the reference the rollup tables must equal; the KPI
functions of core.kpi.calls and core.kpi.call_quality only sum these frames (by week, kind, caller ...).

Each row is put on its office-local day by a CASE over the days' UTC bounds (office midnights converted with
the zone's own rules, daylight saving included), so no per-row date function is needed and both backends
agree exactly; a long range is read in chunks of CHUNK_DAYS days, one GROUP BY each."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from core.kpi.sql import KpiFilter, narrow
from core.lists import day_bounds_utc
from db.engine import session_scope
from db.enums import CallbackStatus, CallOutcome, Satisfaction
from db.models import CallAttempt, Callback, WorkOrder

CHUNK_DAYS = 31
OWED = tuple(s for s in CallbackStatus if s is not CallbackStatus.CANCELLED)  # cancelled: owed to nobody

A1 = ["day", "assignee_id", "kind", "level", "due", "done", "on_time"]
A2 = ["day", "caller_id", "technician_id", "kind", "level", "attempts", "reached", "wrong_number", "score_sum",
      "scored", "satisfied", "neutral", "dissatisfied", "qa_sum", "qa_n"]
NULLABLE = {"assignee_id", "technician_id"}  # None (unassigned, no work order) stays distinguishable
MEASURES = {"assignee_id": A1[4:], "caller_id": A2[5:]}


def chunks(f: KpiFilter, tz: str) -> list[list[tuple[date, object, object]]]:
    """The range's office days as (day, UTC start, UTC end), in chunks of CHUNK_DAYS."""
    days = [f.start + timedelta(days=i) for i in range((f.end - f.start).days + 1)]
    bounds = [(d, *day_bounds_utc(d, d, tz)) for d in days]
    return [bounds[i:i + CHUNK_DAYS] for i in range(0, len(bounds), CHUNK_DAYS)]


def _day_no(column, chunk):
    return case(*[(column < hi, i) for i, (_, _, hi) in enumerate(chunk)]).label("day_no")


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _frame(engine: Engine, f: KpiFilter, tz: str, column, build, columns: list[str]) -> pd.DataFrame:
    """Run `build(day_no)` (a SELECT of day_no, the dims and the measures, grouped) over each chunk; one row
    per (day, dims), sorted by them (None last), counts as ints, kind and level as their raw values."""
    rows = []
    with session_scope(engine) as s:
        for chunk in chunks(f, tz):
            stmt = build(_day_no(column, chunk)).where(column >= chunk[0][1], column < chunk[-1][2])
            rows += [[chunk[r[0]][0], *map(_plain, r[1:])] for r in s.execute(stmt)]
    dims = len(columns) - len(MEASURES[columns[1]])
    rows.sort(key=lambda r: [(v is None, v or 0) for v in r[:dims]])
    # object first, so a None among ids is not turned into a float NaN; then the counts as int64
    return pd.DataFrame(rows, columns=columns, dtype=object).astype(
        {m: "int64" for m in [*MEASURES[columns[1]], *({"caller_id"} & set(columns))]})


def _plain(v):
    return None if v is None else getattr(v, "value", v) if isinstance(v, str) else int(v)


def callback_days(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """A1 (K-1): callbacks not cancelled, per office day of due_end, assignee, kind and level: due (count),
    done (status completed), on_time (completed and completed_at <= due_end). Filters: staff (the assignee),
    customer grade, callback kind."""
    done = Callback.status == CallbackStatus.COMPLETED
    dims = (Callback.assignee_id, Callback.kind, Callback.level)

    def build(day_no):
        stmt = select(day_no, *dims, func.count(), _count(done),
                      _count(and_(done, Callback.completed_at <= Callback.due_end)))
        stmt = narrow(stmt.where(Callback.status.in_(OWED)), f, staff=Callback.assignee_id,
                      customer=Callback.customer_id, kinds=Callback.kind)
        return stmt.group_by(day_no, *dims)

    return _frame(engine, f, tz, Callback.due_end, build, A1)


def attempt_days(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """A2 (K-2): call attempts per office day of attempted_at, caller, technician (of the callback's work
    order, None without one), and the callback's kind and level: attempts, reached, wrong_number, score_sum and
    scored (non-null scores of reached attempts), satisfied/neutral/dissatisfied (reached attempts per answer),
    qa_sum and qa_n (non-null CB-9 checklist scores). Filters: staff (the caller), customer grade (the
    callback's customer), callback kind."""
    a = CallAttempt
    reached = a.outcome == CallOutcome.REACHED
    scored = and_(reached, a.score.is_not(None))
    dims = (a.caller_id, WorkOrder.technician_id, Callback.kind, Callback.level)
    answers = [_count(and_(reached, a.satisfaction == s)) for s in Satisfaction]

    def build(day_no):
        stmt = (select(day_no, *dims, func.count(), _count(reached), _count(a.outcome == CallOutcome.WRONG_NUMBER),
                       func.coalesce(func.sum(case((scored, a.score), else_=None)), 0), _count(scored), *answers,
                       func.coalesce(func.sum(a.qa_score), 0), func.count(a.qa_score))
                .select_from(a).join(Callback, Callback.id == a.callback_id)
                .outerjoin(WorkOrder, WorkOrder.id == Callback.work_order_id))
        stmt = narrow(stmt, f, staff=a.caller_id, customer=Callback.customer_id, kinds=Callback.kind)
        return stmt.group_by(day_no, *dims)

    return _frame(engine, f, tz, a.attempted_at, build, A2)
