"""`python -m bench.explain pages/kpis.py [--min-ms 100] [--small]`: which queries make a page slow.

Runs the page once through AppTest against the benchmark office (st.cache_data cleared), times
every SQL statement it sends, and prints the slow ones with SQLite's EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from bench import office
from bench.pages import MAIN, TIMEOUT_S, serving
from bench.run import quiet
from db.engine import make_engine


@contextmanager
def statements() -> Iterator[list[tuple[float, str, object]]]:
    """Every statement any engine runs meanwhile, as (seconds, sql, parameters)."""
    seen: list[tuple[float, str, object]] = []

    def before(conn, _cursor, _sql, _params, _context, _many):
        conn.info["bench_t"] = time.perf_counter()

    def after(conn, _cursor, sql, params, _context, _many):
        seen.append((time.perf_counter() - conn.info.pop("bench_t"), sql, params))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def page_statements(url: str, page: str) -> list[tuple[float, str, object]]:
    with serving(url):
        at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT_S)
        at.session_state["lang"] = "en"
        at.run()
        at.switch_page(page).run()
        st.cache_data.clear()
        with statements() as seen:
            at.run()
        return list(seen)


def plan(engine: Engine, sql: str, params) -> list[str]:
    """The statement's plan: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN ANALYZE (it runs the statement,
    with the time each node took, the buffers it read, and the JIT's compile time when the JIT joins in)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
            return [row[0] for row in rows]
        return [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.splitlines()[0])
    p.add_argument("page", help="e.g. pages/kpis.py")
    p.add_argument("--min-ms", type=float, default=100, help="show statements slower than this")
    p.add_argument("--small", action="store_true", help="the --small office of bench.run")
    p.add_argument("--db", type=Path, help="another SQLite file, e.g. a copy with an index to try")
    args = p.parse_args(argv)
    quiet()
    db_path = args.db or office.BENCH_DIR / ("small.sqlite" if args.small else "office.sqlite")
    url = office.sqlite_url(db_path)
    seen = page_statements(url, args.page)
    print(f"{args.page}: {len(seen)} statements, {sum(s for s, _, _ in seen) * 1000:,.0f} ms in SQL")
    engine = make_engine(url)
    try:
        for seconds, sql, params in sorted(seen, key=lambda x: -x[0]):
            if seconds * 1000 < args.min_ms:
                break
            print(f"\n{seconds * 1000:,.0f} ms  params={params}\n{sql}")
            print("\n".join(f"    plan: {line}" for line in plan(engine, sql, params)))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
