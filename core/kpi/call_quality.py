"""Call quality KPIs of issue 14 (K-1 per kind and level, CB-4 re-check coverage; K-2 invalid numbers, the
reasons for dissatisfaction, the CB-9 checklist score per specialist). The frame-backed ones are pure
functions of A1/A2 (core.kpi.call_days, or the rollups of the same names); re-check coverage and the reasons
(free text) are small live queries."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import Engine, case, func, select

from core.kpi.rollups import refresh
from core.kpi.rollups.read import narrowed
from core.kpi.sql import KpiFilter, in_range, narrow, ratio
from core.rechecks.rules import period_of
from db.engine import session_scope
from db.enums import CallbackStatus, CallOutcome, Satisfaction
from db.models import CallAttempt, Callback, KpiDissatisfactionDay, RecheckSample

TOP_REASONS = 10
# Trailing punctuation a reason may end with, ASCII and full-width (CJK), left out when reasons are grouped.
PUNCTUATION = ".,;:!?。，；：！？、…"
BLANKS = ("\t", "\n", "\r", "\u3000")  # read as spaces; runs of up to 16 spaces become one
RATES_BY_KIND = ["kind", "level", "due", "done", "on_time", "completion_rate", "on_time_rate"]
COVERAGE = ["period", "level", "population", "drawn", "done", "coverage", "target_rate_pct", "target"]
QA = ["caller_id", "calls", "qa_sum", "qa_score"]


def callback_rates_by_kind(days: pd.DataFrame) -> pd.DataFrame:
    """Callback completion and on-time rate per kind and level (K-1, CB-1, CB-3). Due: callbacks whose due
    window ends in the date range, cancelled ones left out. Done: those completed (called and completed). On
    time: done no later than the end of the due window. Completion rate: done ÷ due; on-time rate: on time ÷
    due. Timestamp: the end of the due window. One row per kind and level with a callback due; nothing due: an
    empty chart. Filters: staff (the assignee), customer grade, callback kind."""
    sums = days.groupby(["kind", "level"], as_index=False)[["due", "done", "on_time"]].sum()
    sums = sums[sums["due"] > 0].sort_values(["kind", "level"], ignore_index=True)
    rates = {name: pd.Series([ratio(n, d) for n, d in zip(sums[col], sums["due"], strict=True)],
                             index=sums.index, dtype=object)
             for name, col in (("completion_rate", "done"), ("on_time_rate", "on_time"))}
    return sums.assign(**rates).reindex(columns=RATES_BY_KIND)


def invalid_number_rate(counts: dict[str, int]) -> float | None:
    """Invalid-number rate (K-2, CB-6). Numerator: call attempts whose outcome is wrong or invalid number.
    Denominator: all call attempts made in the date range. Timestamp: the attempt time. No attempt: no data
    (None, shown as —). Filters: staff (the caller), customer grade, callback kind."""
    return ratio(counts["wrong_number"], counts["attempts"])


def qa_score_per_specialist(days: pd.DataFrame) -> pd.DataFrame:
    """Quality checklist score per specialist (K-2, CB-9): for each caller, the average number of checklist
    items answered yes (out of 11) over the call attempts made in the date range that were scored, with the
    number of calls scored. Timestamp: the attempt time. No call scored: an empty chart. Filters: staff (the
    caller), customer grade, callback kind."""
    sums = days.groupby("caller_id", as_index=False)[["qa_n", "qa_sum"]].sum().rename(columns={"qa_n": "calls"})
    sums = sums[sums["calls"] > 0]
    scores = pd.Series([s / n for s, n in zip(sums["qa_sum"], sums["calls"], strict=True)], index=sums.index,
                       dtype=float)
    return (sums.assign(qa_score=scores).sort_values(["qa_score", "caller_id"], ascending=[False, True],
                                                     ignore_index=True).reindex(columns=QA))


def reason_key(column):
    """A reason as it is grouped, in SQL: lower case, tabs and line breaks read as spaces, runs of spaces made
    one, trailing punctuation and spaces and leading spaces left out."""
    text = func.lower(column)
    for blank in BLANKS:
        text = func.replace(text, blank, " ")
    for _ in range(4):
        text = func.replace(text, "  ", " ")
    return func.ltrim(func.rtrim(text, " " + PUNCTUATION))


# a reached call attempt answered dissatisfied, with a reason
DISSATISFIED = (CallAttempt.satisfaction == Satisfaction.DISSATISFIED, CallAttempt.outcome == CallOutcome.REACHED,
                CallAttempt.dissatisfaction_reason.is_not(None))


def dissatisfied(f: KpiFilter, tz: str, *columns):
    """SELECT columns FROM the reached, dissatisfied call attempts of the range that give a reason, narrowed
    by the filter (the caller; the callback's customer grade and kind)."""
    a = CallAttempt
    stmt = select(*columns).select_from(a).where(*DISSATISFIED)
    stmt = narrow(stmt, f, staff=a.caller_id)
    if f.grades or f.callback_kinds:
        owner = narrow(select(Callback.id), f, customer=Callback.customer_id, kinds=Callback.kind)
        stmt = stmt.where(a.callback_id.in_(owner))
    return in_range(stmt, a.attempted_at, f, tz)


def dissatisfaction_reasons(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """Top reasons for dissatisfaction (K-2, CB-7): the reasons recorded on reached call attempts answered
    dissatisfied, made in the date range, grouped regardless of letter case, spacing and trailing
    punctuation, and counted; the 10 most frequent, the most frequent first. Timestamp: the attempt time. No
    reason recorded: an empty chart. Filters: staff (the caller), customer grade, callback kind."""
    refresh(engine, tz, None, names=("dissatisfaction_days",))  # read from the rollup (issue 14 "Fast at scale")
    r = KpiDissatisfactionDay
    total = func.sum(r.count)
    stmt = narrowed(select(r.reason, total.label("count")), r, f, staff="caller_id", kinds=True)
    stmt = stmt.group_by(r.reason).order_by(total.desc(), r.reason).limit(TOP_REASONS)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return _reasons(rows)


def dissatisfaction_reason_count(engine: Engine, f: KpiFilter, tz: str, reason: str) -> int:
    """How many dissatisfied attempts dissatisfaction_reasons counts under the grouping key `reason`: the bar's
    number, read from the same rollup (the drill-down's total)."""
    refresh(engine, tz, None, names=("dissatisfaction_days",))
    r = KpiDissatisfactionDay
    stmt = narrowed(select(func.coalesce(func.sum(r.count), 0)), r, f, staff="caller_id", kinds=True)
    with engine.connect() as conn:
        return int(conn.execute(stmt.where(r.reason == reason)).scalar_one())


def _reasons(rows) -> pd.DataFrame:
    return pd.DataFrame([{"reason": r.reason, "count": int(r.count)} for r in rows], columns=["reason", "count"])


def dissatisfaction_reasons_from_attempts(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """dissatisfaction_reasons counted from the call attempts themselves (the reference the rollup must
    equal, and the benchmark's SQL baseline): the same result, read without the rollup."""
    key = reason_key(CallAttempt.dissatisfaction_reason)
    reasons = dissatisfied(f, tz, key.label("reason")).where(key != "").subquery()  # grouped outside: no
    stmt = (select(reasons.c.reason, func.count().label("count")).group_by(reasons.c.reason)  # bound params
            .order_by(func.count().desc(), reasons.c.reason).limit(TOP_REASONS))  # in GROUP BY (PostgreSQL)
    with session_scope(engine) as s:
        rows = s.execute(stmt).all()
    return _reasons(rows)


def periods(f: KpiFilter) -> set[str]:
    """The keys of every re-check period (ISO week or month, core.rechecks.rules.period_of) the range touches."""
    days = (f.start + timedelta(days=i) for i in range((f.end - f.start).days + 1))
    return {period_of(d, kind)[0] for d in days for kind in ("week", "month")}


def recheck_coverage(engine: Engine, f: KpiFilter) -> pd.DataFrame:
    """Re-check sample coverage per period and level (K-1, CB-4): for each L2 and L3 sample of a period the
    date range touches, the customers it was drawn from (population), the re-check callbacks drawn for it
    (drawn) and those completed (done). Coverage: done ÷ population, held against the target rate (the rate
    set when the sample was drawn). A sample with an empty population has no coverage (None). No sample drawn:
    an empty chart. The other filters do not apply: a sample covers the whole office."""
    done = func.sum(case((Callback.status == CallbackStatus.COMPLETED, 1), else_=0))
    sample = (RecheckSample.period, RecheckSample.level, RecheckSample.population, RecheckSample.target_rate_pct)
    stmt = (select(*sample, func.count(Callback.id).label("drawn"), func.coalesce(done, 0).label("done"))
            .outerjoin(Callback, Callback.sample_id == RecheckSample.id)
            .where(RecheckSample.period.in_(sorted(periods(f)))).group_by(RecheckSample.id, *sample)
            .order_by(RecheckSample.period, RecheckSample.level))
    with session_scope(engine) as s:
        rows = s.execute(stmt).all()
    frame = pd.DataFrame([(r.period, r.level.value, r.population, r.drawn, int(r.done), ratio(r.done, r.population),
                           r.target_rate_pct, r.target_rate_pct / 100) for r in rows], columns=COVERAGE, dtype=object)
    return frame.astype({"population": "int64", "drawn": "int64", "done": "int64", "target_rate_pct": "int64",
                         "target": float})  # coverage stays object: None, not NaN
