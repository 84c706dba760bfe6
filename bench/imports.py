"""`python -m bench.imports [--rows N]`: the customer import (C-1) at scale: an .xlsx of N customers with their
products (default 100,000) imported into a fresh migrated SQLite database, timed, with Python's peak memory
(tracemalloc) for the analysis and for the import; the same at a tenth of the rows, so the report shows
whether memory grows with the file (the file's own bytes, which the upload holds, are not counted, nor is
calamine's native copy of the sheet). What grows is the in-file duplicate check's keys (each row's phone and
order number, about 0.2 KB a row), which the check needs."""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter

from core.accounts.sessions import actor_of
from core.imports import read
from core.imports.fields import guess
from core.imports.plan import Options, analyse
from core.imports.services import run_import
from db.engine import make_engine, session_scope
from db.enums import Role
from db.migrate import upgrade
from db.models import User

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
HEAD = ["客户名称", "手机号", "城市", "客户等级", "出生日期", "产品型号", "订单号", "购买日期", "车牌号", "地址"]
CITIES = ("上海", "北京", "广州", "深圳", "杭州", "成都")
GRADES = ("VIP", "重点客户", "普通客户", "key", "normal")


def workbook(rows: int) -> bytes:
    """An office's export: one customer and one product a row, phones as numbers, dates as date cells."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    when = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet("客户")
    for c, name in enumerate(HEAD):
        ws.write_string(0, c, name)
    for i in range(rows):
        r = i + 1
        ws.write_string(r, 0, f"客户{i}号")
        ws.write_number(r, 1, 13000000000 + i * 7)
        ws.write_string(r, 2, CITIES[i % len(CITIES)])
        ws.write_string(r, 3, GRADES[i % len(GRADES)])
        ws.write_datetime(r, 4, datetime(1950 + i % 50, 1 + i % 12, 1 + i % 28), when)
        ws.write_string(r, 5, f"X{i % 9}")
        ws.write_string(r, 6, f"SO{i:09d}")
        ws.write_datetime(r, 7, datetime(2020 + i % 6, 1 + i % 12, 1 + i % 28), when)
        ws.write_string(r, 8, f"沪A{i:05d}")
        ws.write_string(r, 9, f"{CITIES[i % len(CITIES)]}市某区某路{i % 999}号")
    book.close()
    return out.getvalue()


def _fresh(folder: Path, name: str):
    url = f"sqlite:///{folder / name}.sqlite"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        user = User(username="bench", display_name="Bench", role=Role.MANAGER)
        s.add(user)
        s.flush()
        return engine, actor_of(user)


def _measured(fn):
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, round(seconds, 2), round(peak / 2**20, 1)


def measure_import(rows: int = 100_000) -> dict:
    """Time and peak memory of analysing and importing `rows` rows, and of a tenth of them."""
    with tempfile.TemporaryDirectory() as folder:
        return {str(n): _one(Path(folder), n) for n in (rows // 10, rows)}


def _one(folder: Path, n: int) -> dict:
    data = workbook(n)
    src = read.source(f"bench-{n}.xlsx", data)
    tab = read.table(src)
    options = Options(mapping=guess(tab.headers))
    engine, actor = _fresh(folder, f"import{n}")
    try:
        analysis, analyse_s, analyse_mb = _measured(lambda: analyse(engine, actor, src, tab, options, NOW.date()))
        result, import_s, import_mb = _measured(lambda: run_import(engine, actor, src, tab, options, NOW))
    finally:
        engine.dispose()
    return {"file_mb": round(len(data) / 2**20, 1), "good": analysis.good, "created": result.created,
            "analyse_s": analyse_s, "analyse_peak_mb": analyse_mb, "import_s": import_s, "import_peak_mb": import_mb}


def import_lines(report: dict) -> list[str]:
    """The report as lines of text, one per file size."""
    return [f"import of {int(n):,} rows ({f['file_mb']} MB xlsx): analyse {f['analyse_s']} s, peak "
            f"{f['analyse_peak_mb']} MB; import {f['import_s']} s, peak {f['import_peak_mb']} MB; created "
            f"{f['created']:,} (times under tracemalloc, which slows Python about threefold)"
            for n, f in report.items()]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    args = p.parse_args(argv)
    report = measure_import(args.rows)
    print("\n".join(import_lines(report)))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
