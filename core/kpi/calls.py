"""Callback KPIs (K-1) and call-attempt KPIs (K-2). A KPI function's docstring is the definition managers
read. The KPIs of one table share one SQL aggregate, so the page scans each table once: `callback_weeks`
feeds K-1, `attempt_counts` feeds K-2; the KPI functions only divide."""

from __future__ import annotations

from functools import partial

import pandas as pd
from sqlalchemy import Engine, case, func, select

from core.kpi.sql import KpiFilter, in_range, narrow, per_week, ratio
from db.engine import session_scope
from db.enums import CallbackStatus, CallOutcome, Satisfaction
from db.models import CallAttempt, Callback

# Cancelled callbacks are owed to nobody. Listing the other statuses (rather than `!= cancelled`)
# lets both backends count from ix_callbacks_status_due_done (status, due_end, completed_at) without reading rows.
OWED = tuple(s for s in CallbackStatus if s is not CallbackStatus.CANCELLED)


def _callbacks(f: KpiFilter, *columns):
    stmt = select(*columns).select_from(Callback).where(Callback.status.in_(OWED))
    return narrow(stmt, f, staff=Callback.assignee_id, customer=Callback.customer_id, kinds=Callback.kind)


def callback_weeks(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """The aggregate behind K-1, per office week: `due` = callbacks whose due window ends in the week,
    cancelled ones left out; `done` = those completed; `on_time` = completed no later than the window's end."""
    completed = Callback.status == CallbackStatus.COMPLETED
    return per_week(engine, f, tz, partial(_callbacks, f), Callback.due_end, {
        "due": None, "done": completed, "on_time": completed & (Callback.completed_at <= Callback.due_end),
    })


def callbacks_per_week(weeks: pd.DataFrame) -> pd.DataFrame:
    """Callbacks due and done per week (K-1, CB-3). Due: callbacks whose due window ends in the week,
    cancelled ones left out. Done: those of them completed (called and completed). On time: done no later
    than the end of the due window. Completion rate: done ÷ due; a week with nothing due counts 0 and has no
    rate (None). Weeks are office-local, Monday to Sunday. Filters: staff (the assignee), customer grade,
    callback kind."""
    rates = [ratio(done, due) for done, due in zip(weeks["done"], weeks["due"], strict=True)]
    return weeks.assign(completion_rate=pd.Series(rates, index=weeks.index, dtype=object))  # None, not NaN


def callback_completion_rate(weeks: pd.DataFrame) -> float | None:
    """Callback completion rate (K-1, CB-3). Numerator: callbacks completed (called and completed).
    Denominator: callbacks whose due window ends in the date range, cancelled ones left out. Timestamp: the
    end of the due window. Nothing due: no data (None, shown as —). Filters: staff (the assignee), customer
    grade, callback kind."""
    return ratio(weeks["done"].sum(), weeks["due"].sum())


def callback_on_time_rate(weeks: pd.DataFrame) -> float | None:
    """Callback on-time rate (K-1). Numerator: callbacks completed no later than the end of their due
    window. Denominator: callbacks whose due window ends in the date range, cancelled ones left out.
    Timestamps: the end of the due window, and the completion time. Nothing due: no data (None, shown as —).
    Filters: staff (the assignee), customer grade, callback kind."""
    return ratio(weeks["on_time"].sum(), weeks["due"].sum())


def _attempts(f: KpiFilter, tz: str, *columns):
    stmt = narrow(select(*columns).select_from(CallAttempt), f, staff=CallAttempt.caller_id)
    if f.grades or f.callback_kinds:  # IN (subquery), not a join: the planner can start from the callbacks
        owner = narrow(select(Callback.id), f, customer=Callback.customer_id, kinds=Callback.kind)
        stmt = stmt.where(CallAttempt.callback_id.in_(owner))
    return in_range(stmt, CallAttempt.attempted_at, f, tz)


def attempt_counts(engine: Engine, f: KpiFilter, tz: str) -> dict[str, int]:
    """The aggregate behind K-2: call attempts made in the date range (`attempts`), those reached
    (`reached`), and of the reached ones the sum and number of scores and the number per satisfaction."""
    answers = [func.sum(case((CallAttempt.satisfaction == a, 1), else_=0)) for a in Satisfaction]
    reached = _attempts(f, tz, func.count(), func.sum(CallAttempt.score), func.count(CallAttempt.score), *answers)
    with session_scope(engine) as s:
        attempts = s.scalar(_attempts(f, tz, func.count()))
        row = s.execute(reached.where(CallAttempt.outcome == CallOutcome.REACHED)).one()
    names = ("reached", "score_sum", "scored", *(a.value for a in Satisfaction))
    return {"attempts": attempts or 0, **{name: int(v or 0) for name, v in zip(names, row, strict=True)}}


def reach_rate(counts: dict[str, int]) -> float | None:
    """Reach rate (K-2, CB-6). Numerator: call attempts whose outcome is reached. Denominator: all call
    attempts made in the date range. Timestamp: the attempt time. No attempt: no data (None, shown as —).
    Filters: staff (the caller), customer grade, callback kind."""
    return ratio(counts["reached"], counts["attempts"])


def average_score(counts: dict[str, int]) -> float | None:
    """Average satisfaction score (K-2, CB-7). Numerator: the sum of the 1-5 scores recorded on reached
    calls. Denominator: reached call attempts made in the date range that recorded a score. Timestamp: the
    attempt time. No score: no data (None, shown as —). Filters: staff (the caller), customer grade,
    callback kind."""
    return ratio(counts["score_sum"], counts["scored"])


def satisfaction_distribution(counts: dict[str, int]) -> pd.DataFrame:
    """Satisfaction distribution (K-2, CB-7): reached call attempts made in the date range, counted per
    satisfaction answer (satisfied, neutral, dissatisfied). Timestamp: the attempt time. No answer recorded:
    an empty chart. Filters: staff (the caller), customer grade, callback kind."""
    rows = [{"satisfaction": a, "count": counts[a.value]} for a in Satisfaction]
    return pd.DataFrame(rows if any(r["count"] for r in rows) else [], columns=["satisfaction", "count"])
