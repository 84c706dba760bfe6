"""The demo office: a coherent, reproducible six-month history ending today.

    python -m db.demo [--url URL] [--locale zh|en] [--seed N] [--today YYYY-MM-DD]
                      [--customers N] [--work-orders N] [--callbacks N] [--complaints N] [--leads N] [--quiet]

`build_demo` writes staff, customers with contacts and products, work orders, complaints,
incoming calls, callbacks with their attempts, re-check samples and leads into a migrated,
empty database. Everything comes from one seed: the same seed and `today` give the same rows.

One module per part of the office: demo_people (staff, customers, products), demo_care (their
callbacks), demo_work_orders + demo_wo_timeline, demo_complaints, demo_incoming, demo_periodic,
demo_leads, demo_recheck (CB-4 samples); demo_callbacks + demo_reached write any callback with
its attempts; demo_clock, demo_pools and demo_text_* supply time, names and phrases; demo_writer
loads the rows in chunks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from random import Random

from sqlalchemy import Connection, Engine, text

from db.config import get_config
from db.demo_callbacks import CallbackMaker
from db.demo_care import ProductCalls, write_care
from db.demo_clock import Clock
from db.demo_complaints import write_complaints
from db.demo_findings import write_findings
from db.demo_incoming import incoming_count, write_incoming
from db.demo_leads import write_leads
from db.demo_people import People, write_customers, write_staff
from db.demo_periodic import write_periodic
from db.demo_pools import Pools, make_pools
from db.demo_recheck import Recheck
from db.demo_work_orders import write_work_orders
from db.demo_writer import BulkWriter, finish, loading_connection
from db.engine import make_engine
from db.migrate import is_empty, upgrade
from db.models import Base
from db.office_settings import DEFAULTS

DEFAULT_SEED = 20261122
UNTOUCHED = {"settings", "alembic_version"}


class OfficeNotEmpty(RuntimeError):
    """The demo office loads only into a database without customers."""


@dataclass
class Scale:
    """How big the office is; products, attempts, events and incoming calls follow from these."""

    customers: int = 2000
    work_orders: int = 3000
    callbacks: int = 12000
    complaints: int = 400
    leads: int = 600


@dataclass
class Demo:
    """What the generators share while one demo office is built."""

    seed: int
    clock: Clock
    pools: Pools
    out: BulkWriter
    scale: Scale
    people: People = field(default_factory=People)
    calls: CallbackMaker | None = None
    recheck: Recheck | None = None
    lead_calls: list = field(default_factory=list)  # (time, incoming_call_id, name, phone)
    lead_callbacks: list = field(default_factory=list)  # (time, callback_id, customer_id)

    def rng(self, part: str) -> Random:
        """Each part of the office draws from its own stream, so parts do not shift one another."""
        return Random(f"{self.seed}:{part}")


def build_demo(engine: Engine, *, locale: str = "zh", seed: int = DEFAULT_SEED, today: date | None = None,
               scale: Scale | None = None, progress: bool = False) -> dict[str, int]:
    """Load the demo office into a migrated database without customers; returns rows per table."""
    if not is_empty(engine):
        raise OfficeNotEmpty("refusing to load the demo office: the database already has customers")
    scale = scale or Scale()
    pools = make_pools(locale, seed)
    with loading_connection(engine) as conn:
        clock = Clock(today or date.today(), office_timezone(conn))
        out = BulkWriter(conn, progress=progress, estimates=estimates(scale))
        try:
            demo = Demo(seed, clock, pools, out, scale)
            _build(demo)
        finally:
            out.close()
        demo.recheck.write_populations(conn)
        findings = write_findings(conn, demo)
        conn.commit()
        counts = out.counts() | {"tasks": findings}
    with engine.connect() as conn:  # after the indexes are back
        finish(conn, sorted(counts))
    return {t.name: counts.get(t.name, 0) for t in Base.metadata.sorted_tables if t.name not in UNTOUCHED}


def _build(demo: Demo) -> None:
    """Parents before children; one transaction per part of the office."""
    write_staff(demo)
    demo.calls = CallbackMaker(demo)
    demo.recheck = Recheck(demo)
    demo.out.commit()
    write_customers(demo, ProductCalls(demo))
    write_care(demo)
    demo.out.commit()
    for part in (write_work_orders, write_complaints, write_incoming, write_periodic, write_leads):
        part(demo)
        demo.out.commit()


def office_timezone(conn: Connection) -> str:
    row = conn.execute(text("SELECT value FROM settings WHERE key = 'office.timezone'")).first()
    return json.loads(row[0]) if row else str(DEFAULTS["office.timezone"])


def estimates(scale: Scale) -> dict[str, int]:
    """Rough row counts, for the progress bars."""
    return {
        "customers": scale.customers, "products": int(scale.customers * 1.38),
        "contacts": int(scale.customers * 0.17), "work_orders": scale.work_orders,
        "work_order_events": int(scale.work_orders * 9.6), "complaints": scale.complaints,
        "complaint_events": scale.complaints * 7, "incoming_calls": incoming_count(scale.customers),
        "callbacks": scale.callbacks, "call_attempts": int(scale.callbacks * 1.2),
        "leads": scale.leads, "lead_contacts": scale.leads * 5,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m db.demo", description="Load the demo office into an empty database.")
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
