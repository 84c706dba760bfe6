"""`python -m bench.run [--runs N] [--baseline-runs N] [--rebuild] [--small]`: time every page at scale.

Builds (once, cached) the benchmark office, runs each page script through AppTest and reports the
warm median with the data cache cleared before each run, next to the naive pandas baseline, as a
table on stdout and as JSON in bench/results.json (bench/results-small.json with --small). Then the
same for core's complaint queries called directly (bench.queries): the complaints list and the
complaint log with its summary for a month.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from streamlit import config
from streamlit.logger import set_log_level

from bench import office
from bench.baseline import time_baseline
from bench.imports import import_lines, measure_import
from bench.pages import PAGES, page_name, serving, time_page
from bench.queries import measure_queries
from db.config import ROOT
from db.engine import make_engine


def machine() -> dict:
    return {
        "nproc": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        **{lib: version(lib) for lib in ("streamlit", "sqlalchemy", "pandas")},
    }


def _ratio(baseline: dict | None, page: dict) -> float | None:
    if not baseline or not page.get("median_ms"):
        return None
    return round(baseline["median_ms"] / page["median_ms"], 1)


def measure(url: str, pages: tuple[str, ...], runs: int, baseline_runs: int) -> list[dict]:
    """One entry per page: its timings (or missing / error), the baseline and their ratio."""
    engine = make_engine(url)
    results = []
    try:
        with serving(url):
            for page in pages:
                print(f"… {page}", file=sys.stderr, flush=True)
                timing = time_page(page, runs)
                baseline = None if timing["status"] == "missing" else time_baseline(engine, page, baseline_runs)
                results.append({"page": page, **timing, "baseline": baseline, "ratio": _ratio(baseline, timing)})
    finally:
        engine.dispose()
    return results


def run_bench(db_path: Path, scale, out: Path, runs: int = 5, baseline_runs: int = 1,
              rebuild: bool = False, pages: tuple[str, ...] = PAGES, progress: bool = True,
              now: datetime | None = None, import_rows: int = 0) -> dict:
    """Build or reuse the office, measure, write the JSON report to `out` and return it. `now` is the
    instant the complaint queries are asked at (default: the machine's clock, as the pages are)."""
    started = time.perf_counter()
    build_s = office.ensure(db_path, scale, rebuild=rebuild, progress=progress)
    report = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": office.describe(db_path) | {
            "scale": asdict(scale), "revision": office.head_revision(),
            "build": "cached" if build_s is None else "built",
            "build_seconds": None if build_s is None else round(build_s, 1),
        },
        "runs": runs, "baseline_runs": baseline_runs,
        "pages": measure(office.sqlite_url(db_path), pages, runs, baseline_runs),
        "queries": measure_queries(office.sqlite_url(db_path), runs, baseline_runs, now or datetime.now(UTC)),
    }
    if import_rows:  # the customer import (C-1) of a workbook of that many rows, into a fresh database
        print(f"… import of {import_rows:,} rows", file=sys.stderr, flush=True)
        report["import"] = measure_import(import_rows)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=_plain))
    return report


def _plain(value):
    """numpy scalars and other strays in the baseline's figures, as JSON-friendly values."""
    return value.item() if hasattr(value, "item") else str(value)


def _ms(value) -> str:
    return "" if value is None else f"{value:,.0f}"


def _rows(entry: dict) -> list[tuple]:
    name, status = page_name(entry["page"]) if "page" in entry else entry["query"], entry["status"]
    if status == "missing" or "median_ms" not in entry:
        return [(name, status, "", "", "", "", "", entry.get("exception") or "")]
    base = entry["baseline"]
    rows = [(name, status, _ms(entry["median_ms"]), _ms(entry["min_ms"]), _ms(entry["max_ms"]),
             _ms(base["median_ms"]) if base else "n/a", "" if entry["ratio"] is None else f"{entry['ratio']}×",
             entry["exception"] or ("the naive way found other figures" if entry.get("agrees") is False else ""))]
    if detail := entry.get("detail"):
        rows.append((f"{name} · detail", detail["status"], _ms(detail["median_ms"]), _ms(detail["min_ms"]),
                     _ms(detail["max_ms"]), "", "", detail["exception"] or ""))
    return rows


def table(report: dict) -> str:
    """The results as a plain-text table: one row per page, one more per opened record."""
    head = ("page", "status", "median ms", "min ms", "max ms", "baseline ms", "ratio", "exception")
    rows = [head, *(r for e in [*report["pages"], *report.get("queries", [])] for r in _rows(e))]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head) - 1)]
    fmt = "  ".join(f"{{:{'<' if i < 2 else '>'}{w}}}" for i, w in enumerate(widths)) + "  {}"
    lines = [fmt.format(*r) for r in rows]
    db = report["database"]
    build = "cached" if db["build"] == "cached" else f"built in {db['build_seconds']:,.0f} s"
    rows_line = ", ".join(f"{t} {n:,}" for t, n in db["rows"].items() if t in ("work_orders", "callbacks", "customers"))
    return "\n".join([f"office: {rows_line} ({build}); {report['runs']} warm runs per page, "
                      f"median with st.cache_data cleared before each", *lines,
                      *import_lines(report.get("import", {})),
                      f"total {report['total_seconds']:,.0f} s"])


def quiet() -> None:
    """st.cache_data.clear() outside a script run warns on every call; keep the output to the figures."""
    config.set_option("logger.level", "error")
    set_log_level("error")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5, help="timed runs per page (after one warm-up)")
    p.add_argument("--baseline-runs", type=int, default=1, help="runs of the naive baseline per page; 0 skips it")
    p.add_argument("--rebuild", action="store_true", help="rebuild the office even when the cached one is current")
    p.add_argument("--small", action="store_true", help="a tiny office, for a quick check of the harness")
    args = p.parse_args(argv)
    quiet()
    name, scale = ("small", office.small_scale()) if args.small else ("office", office.large_scale())
    out = ROOT / "bench" / ("results-small.json" if args.small else "results.json")
    report = run_bench(office.BENCH_DIR / f"{name}.sqlite", scale, out, args.runs, args.baseline_runs, args.rebuild,
                       import_rows=2_000 if args.small else 100_000)
    print(table(report))
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
