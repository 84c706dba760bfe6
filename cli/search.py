"""`python -m cli.search --rebuild`: write the search box's terms of every customer again from the records
(C-1), on the configured database; `make run` does it by itself when an office upgraded from before the
index has customers and no terms (cli.setup)."""

from __future__ import annotations

import argparse

from core.customers.search_index import rebuild
from db.config import get_config
from db.engine import make_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.search", description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="rewrite every customer's search terms")
    args = parser.parse_args(argv)
    if not args.rebuild:
        parser.print_help()
        return 2
    engine = make_engine(get_config().database_url)
    try:
        print(f"search terms written: {rebuild(engine)}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
