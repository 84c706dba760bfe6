"""Callback KPIs (K-1) and call-attempt KPIs (K-2). A KPI function's docstring is the definition managers
read. They are pure functions of the daily aggregates (A1 `callback_days`, A2 `attempt_days`, core.kpi.call_days,
or the rollups of the same names): `callback_weeks` sums A1 per week for K-1, `attempt_counts` sums A2 for K-2;
the KPI functions only divide."""

from __future__ import annotations

import pandas as pd

from core.kpi.sql import KpiFilter, monday, ratio, weeks
from db.enums import Satisfaction

COUNTS = ["attempts", "reached", "wrong_number", "score_sum", "scored", *(a.value for a in Satisfaction),
          "qa_sum", "qa_n"]


def callback_weeks(days: pd.DataFrame, f: KpiFilter) -> pd.DataFrame:
    """The aggregate behind K-1, per office week of the range, summed from A1 (core.kpi.call_days.callback_days):
    `due` = callbacks whose due window ends in the week, cancelled ones left out; `done` = those completed;
    `on_time` = completed no later than the window's end. A week without callbacks counts 0."""
    sums = days.assign(week=days["day"].map(monday)).groupby("week")[["due", "done", "on_time"]].sum()
    frame = sums.reindex(weeks(f.start, f.end), fill_value=0).rename_axis("week").reset_index()
    return frame.astype({c: "int64" for c in ("due", "done", "on_time")})


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


def attempt_counts(days: pd.DataFrame) -> dict[str, int]:
    """The aggregate behind K-2, summed from A2 (core.kpi.call_days.attempt_days): call attempts made in the
    date range (`attempts`), those reached (`reached`) and with a wrong number (`wrong_number`), of the
    reached ones the sum and number of scores and the number per satisfaction, and the sum and number of CB-9
    checklist scores (`qa_sum`, `qa_n`)."""
    return {name: int(days[name].sum()) for name in COUNTS}


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
