"""`python -m bench.kpi [--runs N] [--small] [--db PATH | --url URL]`: the KPI dashboard, area by area.

At the benchmark office (issue 14 "Fast at scale").

For each area of pages/kpis.py, each period (the last 12 weeks; two years) and each filter (none; one person; a
customer grade): the page run by AppTest with that URL, cold (st.cache_data cleared before the run, so every query
of the area runs) and cached (the same URL again, the data cache kept); and, per area, a drill-down list (the first
page of a chart's records, a fresh engine); then every chart's drill-down at its biggest mark (bench.drills). The
naive baseline (bench.baseline.kpis: the tables read into pandas, what a typical Streamlit app does) is timed
beside them, in the same run. Written to bench/results-kpi.json (results-kpi-small.json with --small;
results-kpi-postgresql.json for an office at a PostgreSQL --url). Cold means the app's caches are cleared; the
operating system's file cache (and PostgreSQL's shared buffers) is not (nothing here can drop it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import streamlit as st
from sqlalchemy import make_url
from streamlit.testing.v1 import AppTest

from bench import drills, office
from bench.baseline import time_baseline
from bench.drills import periods
from bench.pages import MAIN, TIMEOUT_S, serving
from bench.run import machine, quiet
from core.clock import office_day
from core.kpi import KpiFilter
from core.office.settings import load_office
from db.config import ROOT
from db.engine import make_engine
from db.enums import CustomerGrade

AREAS = ("callbacks", "complaints", "work_orders", "leads", "staff")
PERSON = {"callbacks": "specialist", "complaints": "specialist", "work_orders": "engineer", "leads": "specialist",
          "staff": None}
DRILL = {  # per area: one chart's records, as a click on it asks for them
    "callbacks": ("callbacks_per_week", {"series": "due"}),
    "complaints": ("complaints_by_channel", {"channel": "phone"}),
    "work_orders": ("dispatch_time_distribution", {"bucket": "within"}),
    "leads": ("lead_sales_amount", {}),
    "staff": ("work_order_backlog", {"status": "in_repair"}),
}


def _people(url: str) -> dict[str, int]:
    """The first active specialist and engineer: whose figures the 'one person' filter narrows to."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT role, min(id) FROM users WHERE active GROUP BY role").all()
    finally:
        engine.dispose()
    return {role: uid for role, uid in rows}


def _params(area: str, span: tuple[date, date], narrowing: dict[str, str]) -> dict[str, str]:
    return {"area": area, "period": "custom", "from": span[0].isoformat(), "to": span[1].isoformat(), **narrowing}


class _Timed:
    """A module whose functions add the time they take to `SPENT`: ui.charts._run looks its KPI function up
    through import_module on a cache miss, so what the page spends in core (the queries) is measured apart from
    what it spends drawing."""

    def __init__(self, module) -> None:
        self.module = module

    def __getattr__(self, name: str):
        fn = getattr(self.module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                SPENT[0] += time.perf_counter() - started
        return timed


SPENT = [0.0]


def _count_core_time() -> None:
    import ui.charts

    real = ui.charts.import_module
    ui.charts.import_module = lambda name: _Timed(real(name))


def _run(at: AppTest, params: dict[str, str], clear: bool) -> tuple[float, float, str | None]:
    """One page run of the URL: its ms, the ms spent in core's KPI functions (cache misses), any error."""
    at.query_params.clear()
    at.query_params.update(params)
    if clear:
        st.cache_data.clear()
    SPENT[0] = 0.0
    started = time.perf_counter()
    at.run()
    ms = (time.perf_counter() - started) * 1000
    error = at.exception[0].message if at.exception else (at.error[0].value if at.error else None)
    return ms, SPENT[0] * 1000, error


def _summary(times: list[float]) -> dict:
    return {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1)}


def time_area(at: AppTest, params: dict[str, str], runs: int) -> dict:
    """`runs` cold runs (data cache cleared before each), then `runs` cached runs of the same URL; for the cold
    runs also the time spent in core (the area's queries) alone."""
    cold, data, cached, error = [], [], [], None
    for _ in range(runs):
        ms, core_ms, err = _run(at, params, clear=True)
        cold.append(ms)
        data.append(core_ms)
        error = error or err
    for _ in range(runs):
        ms, _, err = _run(at, params, clear=False)
        cached.append(ms)
        error = error or err
    return {"cold": _summary(cold), "cold_queries": _summary(data), "cached": _summary(cached), "exception": error}


def time_drill(url: str, area: str, f: KpiFilter, tz: str, now: datetime, runs: int) -> dict:
    """The first page (25 rows) of a chart's records and their total, each run on a fresh engine."""
    chart, pick = DRILL[area]
    return drills.time_one(url, chart, f, tz, now, pick, runs)


def measure(url: str, runs: int, baseline_runs: int) -> dict:
    engine = make_engine(url)
    tz = load_office(engine).timezone
    now = datetime.now(UTC)
    today = office_day(now, tz)
    people = _people(url)
    results = []
    _count_core_time()
    with serving(url):
        at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT_S)
        at.session_state["lang"] = "en"
        at.run()
        at.switch_page("pages/kpis.py").run()  # the process warm: imports, compiled statements
        for area in AREAS:
            person = PERSON[area] and people.get(PERSON[area])
            filters = {"none": {}, "grade": {"grade": CustomerGrade.VIP.value}}
            if person:
                filters["person"] = {"staff": str(person)}
            for period, span in periods(today).items():
                for name, narrowing in filters.items():
                    print(f"… {area} {period} {name}", file=sys.stderr, flush=True)
                    timing = time_area(at, _params(area, span, narrowing), runs)
                    results.append({"area": area, "period": period, "filter": name, **timing})
            span = periods(today)["12_weeks"]
            drill = time_drill(url, area, KpiFilter(*span), tz, now, runs)
            results.append({"area": area, "period": "12_weeks", "filter": "none", "drill": drill})
    every_drill = drills.measure(url, runs, now)
    baseline = time_baseline(engine, "pages/kpis.py", baseline_runs) if baseline_runs else None
    engine.dispose()
    return {"areas": results, "drills": every_drill, "baseline": baseline}


def table(report: dict) -> str:
    head = ("area", "period", "filter", "cold ms", "of it queries", "cached ms", "drill ms", "note")
    rows = [head]
    for e in report["areas"]:
        if "drill" in e:
            d = e["drill"]
            rows.append((e["area"], e["period"], "drill", "", "", "", f"{d['median_ms']:,.0f}",
                         f"{d['chart']} ({d['total']:,} records)"))
        else:
            rows.append((e["area"], e["period"], e["filter"], f"{e['cold']['median_ms']:,.0f}",
                         f"{e['cold_queries']['median_ms']:,.0f}", f"{e['cached']['median_ms']:,.0f}", "",
                         e["exception"] or ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head) - 1)]
    fmt = "  ".join(f"{{:{'<' if i < 3 else '>'}{w}}}" for i, w in enumerate(widths)) + "  {}"
    base = report["baseline"]
    tail = f"naive pandas baseline (the old page's figures, 12 weeks): {base['median_ms']:,.0f} ms" if base else ""
    return "\n".join([*(fmt.format(*r) for r in rows), tail, "", "every drill-down list (first page + total):",
                      drills.table(report.get("drills", []))])


def results_name(url: str | None, small: bool) -> str:
    """results-kpi.json for the SQLite office; results-kpi-postgresql.json for one at a PostgreSQL URL; -small
    for the tiny office."""
    parts = ["results-kpi", make_url(url).get_backend_name() if url else None, "small" if small else None]
    return "-".join(p for p in parts if p) + ".json"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.kpi", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="cold and cached runs per area, period and filter")
    p.add_argument("--baseline-runs", type=int, default=1, help="runs of the naive baseline; 0 skips it")
    p.add_argument("--small", action="store_true", help="a tiny office, for a quick check of the harness")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, help="an office already built (skips the build check)")
    where.add_argument("--url", help="another database, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench: "
                                     "its office, built at the scale asked when it has no customers")
    args = p.parse_args(argv)
    quiet()
    name, scale = ("small", office.small_scale()) if args.small else ("office", office.large_scale())
    db = args.db or office.BENCH_DIR / f"{name}.sqlite"
    if args.url:
        office.ensure_url(args.url, scale)
    elif args.db is None:
        office.ensure(db, scale)
    url = args.url or office.sqlite_url(db)
    started = time.perf_counter()
    report = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
              "database": office.describe_url(url) if args.url else office.describe(db), "runs": args.runs,
              **measure(url, args.runs, args.baseline_runs)}
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    out = ROOT / "bench" / results_name(args.url, args.small)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(table(report))
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
