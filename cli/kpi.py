"""`python -m cli.kpi --rebuild`: recount the KPI rollups (issue 14, core.kpi.rollups) from the records, under the
office's time zone and dispatch target, on the configured database (migrated first, as cli.report does); prints
each rollup's rows and seconds.
`make run` does it by itself for an office upgraded from before the rollups (cli.setup), and the demo builder
after its load."""

from __future__ import annotations

import argparse
import time

from core.kpi.rollups import ROLLUPS, rebuild_office
from db.config import get_config
from db.engine import make_engine
from db.migrate import upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.kpi", description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="recount every KPI rollup from the records")
    args = parser.parse_args(argv)
    if not args.rebuild:
        parser.print_help()
        return 2
    url = get_config().database_url
    upgrade(url)  # the rollup tables come with the migrations: a database not migrated yet gets them first
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        for name in ROLLUPS:
            begun = time.perf_counter()
            rows = rebuild_office(engine, (name,))[name]
            print(f"{name}: {rows} rows in {time.perf_counter() - begun:.2f} s")
        print(f"KPI rollups rebuilt in {time.perf_counter() - started:.2f} s")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
