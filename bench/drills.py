"""`python -m bench.drills (--db PATH | --url URL) [--runs N] [--chart NAME] [--explain]`: every drill-down list of
the KPI dashboard (core.kpi.drill.DRILLS) at the benchmark office, over the last 12 weeks and over two years
(issue 14: "a drill-down list ≤ 100 ms").

Each chart is drilled at its biggest mark, or one of its biggest (`picks`: the busiest person, the most frequent
reason, the latest week, the whole period where a headline's "show records" takes it): the first page (25 rows)
and its total, each run on a fresh engine, as a click on the mark asks for them. bench.kpi runs it too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from bench.explain import plan, statements
from core.clock import office_day
from core.kpi import KpiFilter
from core.kpi.call_quality import dissatisfaction_reasons
from core.kpi.drill import DRILLS
from core.office.settings import load_office
from db.engine import make_engine, session_scope
from db.models import CallAttempt, Callback, Complaint, LeadContact, Product, RecheckSample, WorkOrder

PAGE = 25


def _busiest(engine: Engine, column, where=()) -> str:
    """The value of `column` most rows hold (a person: the one whose mark is biggest), as a pick's text."""
    with session_scope(engine) as s:
        value = s.scalar(select(column).where(column.is_not(None), *where).group_by(column)
                         .order_by(func.count().desc()).limit(1))
    return "" if value is None else str(value)


def _latest_sample(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as s:
        row = s.execute(select(RecheckSample.period, RecheckSample.level).order_by(RecheckSample.id.desc())
                        .limit(1)).first()
    return {"period": row.period, "level": str(row.level)} if row else {"period": "none", "level": "L2"}


def picks(engine: Engine, f: KpiFilter, tz: str) -> dict[str, dict[str, str]]:
    """One pick per chart of DRILLS, at (one of) its biggest marks in `f`."""
    monday = (f.end - timedelta(days=f.end.weekday() + 7)).isoformat()  # the last whole week
    reasons = dissatisfaction_reasons(engine, f, tz)
    reason = str(reasons["reason"].iloc[0]) if len(reasons) else "none"
    model = _busiest(engine, Product.model, [Product.id == Complaint.product_id])
    return {
        "average_dispatch_time": {"part": "denominator"},
        "call_attempts": {"outcome": "all"},
        "callback_rates_by_kind": {"kind": _busiest(engine, Callback.kind), "level": "L1"},
        "callbacks_on_time": {"series": "on_time"},  # the headline's numerator; callbacks_per_week lists the due
        "callbacks_per_week": {"series": "due"},
        **{name: {"part": "denominator"} for name in DRILLS if name.startswith("complaint_")},
        "complaints_closed_by_deadline": {"part": "denominator"},
        "complaints_by_cause": {"cause": "undecided"},
        "complaints_by_channel": {"channel": _busiest(engine, Complaint.channel)},
        "complaints_by_model": {"model": model},
        "dispatch_time_distribution": {"bucket": "within"},
        "dissatisfaction_reasons": {"reason": reason},
        "lead_conversion_rate": {},
        "lead_follow_ups_on_schedule": {"lead_class": "A"},
        "lead_funnel_per_specialist": {"user_id": _busiest(engine, LeadContact.user_id), "stage": "dialed"},
        "lead_funnel_per_week": {"week": monday, "stage": "dialed"},
        "lead_funnel_per_weekday": {"weekday": "0", "stage": "dialed"},
        "lead_sales_amount": {},
        "pending_reasons": {"reason": _busiest(engine, WorkOrder.pending_reason)},
        "qa_score_per_specialist": {"caller": _busiest(engine, CallAttempt.caller_id)},
        "recheck_coverage": _latest_sample(engine),
        "revenue_per_week": {},
        "satisfaction_distribution": {"satisfaction": "satisfied"},
        "scored_calls": {"scored": "yes"},
        "specialist_view": {"user": _busiest(engine, Callback.assignee_id)},
        "technician_view": {"technician": _busiest(engine, WorkOrder.technician_id)},
        "work_order_backlog": {"status": "in_repair"},
        "work_orders_per_week": {"series": "opened"},
    }


def periods(today: date) -> dict[str, tuple[date, date]]:
    """The benchmark's two periods (bench.kpi's too): the last 12 weeks and two years, to `today`."""
    return {"12_weeks": (today - timedelta(weeks=12) + timedelta(days=1), today),
            "2_years": (today - timedelta(days=730) + timedelta(days=1), today)}


def time_one(url: str, chart: str, f: KpiFilter, tz: str, now: datetime, pick: dict, runs: int) -> dict:
    """The first page of `chart`'s records at `pick` and their total, `runs` times, each on a fresh engine."""
    times, total = [], None
    for _ in range(runs):
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            _, total = DRILLS[chart](engine, f, tz, now, pick, PAGE, 0)
            times.append((time.perf_counter() - started) * 1000)
        finally:
            engine.dispose()
    return {"chart": chart, "pick": pick, "total": total, "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1)}


def measure(url: str, runs: int, now: datetime | None = None, charts: list[str] | None = None) -> list[dict]:
    """Every chart of DRILLS (or `charts`) over each period, at its biggest mark."""
    engine = make_engine(url)
    try:
        tz = load_office(engine).timezone
        now = now or datetime.now(UTC)
        spans = {name: KpiFilter(*span) for name, span in periods(office_day(now, tz)).items()}
        chosen = {name: picks(engine, f, tz) for name, f in spans.items()}
    finally:
        engine.dispose()
    return [{"period": name, **time_one(url, chart, f, tz, now, chosen[name][chart], runs)}
            for name, f in spans.items() for chart in charts or sorted(DRILLS)]


def explain(url: str, now: datetime | None = None, charts: list[str] | None = None) -> str:
    """Each drill's statements over two years with their plans (bench.explain.plan): on SQLite a "USE TEMP B-TREE
    FOR ORDER BY" sorts every row of the mark before the first page; on PostgreSQL each node's time shows."""
    engine = make_engine(url)
    out = []
    try:
        tz = load_office(engine).timezone
        f = KpiFilter(*periods(office_day(now or datetime.now(UTC), tz))["2_years"])
        chosen = picks(engine, f, tz)
        for chart in charts or sorted(DRILLS):
            with statements() as seen:
                DRILLS[chart](engine, f, tz, now or datetime.now(UTC), chosen[chart], PAGE, 0)
            for seconds, sql, params in seen:
                if "count(" in sql or "ORDER BY" in sql:
                    out.append(f"\n{chart} {seconds * 1000:,.0f} ms: {' '.join(sql.split())[:160]}")
                    out.extend(f"    {line}" for line in plan(engine, sql, params))
    finally:
        engine.dispose()
    return "\n".join(out)


def table(results: list[dict]) -> str:
    rows = [("chart", "period", "ms", "max ms", "total")]
    rows += [(r["chart"], r["period"], f"{r['median_ms']:,.0f}", f"{r['max_ms']:,.0f}", f"{r['total']:,}")
             for r in results]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    line = "  ".join(f"{{:{'<' if i < 2 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(line.format(*r) for r in rows)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.drills", description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="an office already built in SQLite (bench.office)")
    where.add_argument("--url", help="an office already built at a database URL (PostgreSQL: bench.office.ensure_url)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--chart", action="append", help="only this chart (repeatable)")
    p.add_argument("--explain", action="store_true", help="print each drill's query plans instead of timing")
    args = p.parse_args(argv)
    url = args.url or f"sqlite:///{args.db}"
    print(explain(url, charts=args.chart) if args.explain else table(measure(url, args.runs, charts=args.chart)))


if __name__ == "__main__":
    main()
