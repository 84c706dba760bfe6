"""`python -m bench.export [--rows N] [--format xlsx|csv|both] [--rebuild]`: the export of N work orders
(issue 13; `--rows 1000000` is the issue's million), as the Work orders page builds it: the list's own
statement streamed (core.lists.stream), each row formatted as the table shows it, written into the file on
disk (core.export.writers). Reports the time, the rows a second, the file size and the peak memory: the
process's peak resident memory before and after (ru_maxrss) and, with --tracemalloc, Python's allocations. A file of N
work orders is built once (data/bench/export-<N>.sqlite) and reused.

Memory that does not grow with N is the claim: compare the peaks at 100,000 and at 1,000,000 rows."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.office import BENCH_DIR, sqlite_url
from core.export.names import sheet_name
from core.export.writers import write_csv, write_xlsx
from core.fmt import fmt_datetime, fmt_money
from core.i18n import enum_label
from core.lists import stream
from core.permissions import Actor
from core.work_orders.queries import WorkOrderFilter, list_work_orders
from db.config import ROOT
from db.engine import make_engine, session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.migrate import upgrade
from db.models import Customer, User, WorkOrder

ACTOR = Actor(0, "bench", "Bench", Role.MANAGER)
TZ, LANG = "Asia/Shanghai", "zh"
START = datetime(2024, 1, 1, tzinfo=UTC)
BATCH = 20_000
HEADERS = ["编号", "客户", "状态", "技术员", "受理时间", "服务类型", "电话", "完成时间", "费用"]


def build(path: Path, rows: int) -> float:
    """A migrated SQLite office holding `rows` work orders (one customer, one desk user), in batches."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    upgrade(sqlite_url(path))
    engine = make_engine(sqlite_url(path))
    with session_scope(engine) as s:
        desk = User(username="desk", display_name="前台", role=Role.SPECIALIST)
        customer = Customer(code="C0000001", name="张伟", phone="+8613800000001")
        s.add_all([desk, customer])
        s.flush()
        desk_id, customer_id = desk.id, customer.id
    statuses, types = list(WorkOrderStatus), list(ServiceType)
    for first in range(0, rows, BATCH):
        batch = [{"number": f"WO{i:09d}", "customer_id": customer_id, "contact_name": "张伟",
                  "phone": f"+86138{i:08d}", "address": "上海市 1 号", "request": "=1+1 水泵异响",
                  "intake_by_id": desk_id, "intake_at": START + timedelta(minutes=i),
                  "service_type": types[i % len(types)], "status": statuses[i % len(statuses)],
                  "fee_cents": (i % 50) * 1000 or None}
                 for i in range(first, min(rows, first + BATCH))]
        with engine.begin() as conn:
            conn.execute(insert(WorkOrder), batch)
    engine.dispose()
    return time.perf_counter() - started


def _cells(row: dict, money_as_number: bool) -> list:
    fee = row["fee_cents"]
    return [row["number"], row["customer"], enum_label(row["status"], LANG), row["technician"] or "",
            fmt_datetime(row["intake_at"], LANG, TZ), enum_label(row["service_type"], LANG), row["phone"],
            fmt_datetime(row["completed_at"], LANG, TZ),
            (fee / 100 if fee is not None else None) if money_as_number else fmt_money(fee, LANG, "CNY")]


def export_once(url: str, fmt: str, out: Path, trace: bool) -> dict:
    """One export; with `trace`, Python's allocations are traced too (tracemalloc slows it 2-3 times, so
    the time of a traced run is not the export's time)."""
    engine = make_engine(url)
    sheet = sheet_name("work_orders", "zh")
    writer = (lambda path, headers, rows: write_xlsx(path, headers, rows, sheet)) if fmt == "xlsx" else write_csv
    fetch = lambda n, size: list_work_orders(engine, ACTOR, WorkOrderFilter(), TZ, n, size)  # noqa: E731
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    rows = stream(fetch, lambda found: writer(out, HEADERS, (_cells(r, fmt == "xlsx") for r in found)))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    tracemalloc.stop()
    engine.dispose()
    return {"format": fmt, "rows": rows, "traced": trace, "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds), "file_mb": round(out.stat().st_size / 2**20, 1),
            "peak_python_mb": None if peak is None else round(peak / 2**20, 1),
            "max_rss_mb_before": round(rss_before / 1024),
            "max_rss_mb_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run(rows: int, formats: list[str], rebuild: bool = False, trace: bool = False) -> dict:
    path = BENCH_DIR / f"export-{rows}.sqlite"
    built = build(path, rows) if rebuild or not path.exists() else None
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            print(f"… {rows:,} work orders to {fmt}", file=sys.stderr, flush=True)
            results.append(export_once(sqlite_url(path), fmt, Path(tmp) / f"export.{fmt}", trace))
    return {"rows": rows, "build_seconds": None if built is None else round(built, 1), "exports": results}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000, help="work orders to export (1000000: the issue's)")
    p.add_argument("--format", choices=("xlsx", "csv", "both"), default="both")
    p.add_argument("--rebuild", action="store_true", help="rebuild the office of N work orders")
    p.add_argument("--tracemalloc", action="store_true", help="trace Python's allocations (slower: not timed)")
    args = p.parse_args(argv)
    report = run(args.rows, ["xlsx", "csv"] if args.format == "both" else [args.format], args.rebuild,
                 args.tracemalloc)
    out = ROOT / "bench" / f"results-export-{args.rows}{'-traced' if args.tracemalloc else ''}.json"
    out.write_text(json.dumps(report, indent=2))
    for e in report["exports"]:
        print(f"export {e['rows']:>9,} work orders to {e['format']:<4}  {e['seconds']:>7,.1f} s  "
              f"{e['rows_per_second']:>7,} rows/s {e['file_mb']:>6,.1f} MB  Python peak {e['peak_python_mb'] or '-'} MB"
              f"  max RSS {e['max_rss_mb_before']:,} → {e['max_rss_mb_after']:,} MB")
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
