"""Load the demo office into an empty database.

    python -m cli.demo [--url URL] [--locale zh|en] [--seed N] [--today YYYY-MM-DD]
                       [--customers N] [--work-orders N] [--callbacks N] [--complaints N] [--leads N] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from db.config import get_config
from db.engine import make_engine
from db.migrate import upgrade
from demo.build import DEFAULT_SEED, OfficeNotEmpty, Scale, build_demo


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m cli.demo", description="Load the demo office into an empty database.")
    p.add_argument("--url", default=None, help="database URL (default: the configured database)")
    p.add_argument("--locale", choices=("zh", "en"), default="zh")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    defaults = Scale()
    for name in ("customers", "work_orders", "callbacks", "complaints", "leads"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.url or get_config().database_url
    upgrade(url)
    engine = make_engine(url)
    scale = Scale(args.customers, args.work_orders, args.callbacks, args.complaints, args.leads)
    started = time.perf_counter()
    try:
        counts = build_demo(engine, locale=args.locale, seed=args.seed, today=args.today, scale=scale,
                            progress=not args.quiet)
    except OfficeNotEmpty as refused:
        print(refused, file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"demo office loaded in {time.perf_counter() - started:.1f}s:")
    for table, n in counts.items():
        if n:
            print(f"  {table:<20}{n:>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
