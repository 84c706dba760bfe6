"""The demo office: a coherent, reproducible six-month history ending today (`python -m cli.demo`).

`build_demo` writes staff, customers with contacts and products, work orders, complaints,
incoming calls, callbacks with their attempts, re-check samples and leads into a migrated,
empty database. Everything comes from one seed: the same seed and `today` give the same rows.
The office's settings (time zone, CB-2 windows, retry interval, re-check rates, lead intervals) are
read once from the database, as the app reads them; the rules, source keys and checklists the office's
rows must agree with are core's own (core.scheduling, core.callbacks, core.rechecks), not copies.

One module of demo/ per part of the office: people (staff, customers, products), care (their
callbacks), work_orders (with wo_life, wo_timeline, wo_flow, wo_finance, wo_signatures), complaints,
incoming, periodic, leads, recheck (CB-4 samples, drawn last, by core's own draw from the office as
written); callbacks + reached write any callback with its attempts; clock, pools and text_* supply time,
names and phrases; writer loads the rows in chunks (the staff's demo passwords are core.accounts.demo's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from random import Random

from sqlalchemy import Engine

from core.clock import office_day
from core.customers.search_index import rebuild_on
from core.customers.timeliness import backfill_completeness
from core.kpi.rollups import ROLLUPS, rebuild_office
from core.office.settings import Office, load_office
from core.scheduling.rules import Windows
from db.engine import session_scope
from db.migrate import is_empty
from db.models import Base
from demo.callbacks import CallbackMaker
from demo.care import ProductCalls, write_care
from demo.clock import Clock
from demo.complaints import write_complaints
from demo.findings import write_findings
from demo.incoming import incoming_count, write_incoming
from demo.leads import write_leads
from demo.people import People, write_customers, write_staff
from demo.periodic import write_periodic
from demo.pools import Pools, make_pools
from demo.recheck import write_rechecks
from demo.work_orders import write_progress_calls, write_work_orders
from demo.writer import BulkWriter, finish, loading_connection

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
    office: Office = field(default_factory=Office)  # the office's settings (defaults unless stored otherwise)
    windows: Windows = field(init=False)  # CB-2 windows and care calls, from `office`
    people: People = field(default_factory=People)
    calls: CallbackMaker | None = None
    lead_calls: list = field(default_factory=list)  # (time, incoming_call_id, name, phone)
    lead_callbacks: list = field(default_factory=list)  # (time, callback_id, customer_id)
    progress_calls: list = field(default_factory=list)  # WO-11 Due items of the work orders' waits

    def __post_init__(self) -> None:
        self.windows = Windows.from_settings(self.office.get)

    def setting(self, key: str) -> int:
        """A numeric setting of the office (core.office.defaults names them)."""
        return int(self.office.get(key))

    def rng(self, part: str) -> Random:
        """Each part of the office draws from its own stream, so parts do not shift one another."""
        return Random(f"{self.seed}:{part}")


def build_demo(engine: Engine, *, locale: str = "zh", seed: int = DEFAULT_SEED, today: date | None = None,
               scale: Scale | None = None, progress: bool = False) -> dict[str, int]:
    """Load the demo office into a migrated database without customers; returns rows per table. Its history
    ends at noon of `today` (default: the office's today by the machine's clock)."""
    if not is_empty(engine):
        raise OfficeNotEmpty("refusing to load the demo office: the database already has customers")
    scale = scale or Scale()
    pools = make_pools(locale, seed)
    office = load_office(engine)
    with loading_connection(engine) as conn:
        clock = Clock(today or office_day(datetime.now(UTC), office.timezone), office.timezone)
        out = BulkWriter(conn, progress=progress, estimates=estimates(scale))
        try:
            demo = Demo(seed, clock, pools, out, scale, office)
            _build(demo)
        finally:
            out.close()
        findings = write_findings(conn, demo)
        terms = write_search_terms(conn, scale, progress)
        conn.commit()
        counts = out.counts() | {"tasks": findings, "customer_search_terms": terms}
    # issue 14: the KPI rollups counted once the indexes are back, the load's marks cleared with them; before
    # finish, so that the planner's statistics cover them and the write-ahead log is folded back after them
    rollups = rebuild_office(engine)
    counts |= {ROLLUPS[name].table.__tablename__: rows for name, rows in rollups.items()}
    counts["kpi_rollup_state"] = len(rollups)
    with engine.connect() as conn:  # after the indexes are back
        finish(conn, sorted(counts))
    with session_scope(engine) as s:  # C-5: the demo's complete records, marked by core's own rule
        backfill_completeness(s, date.fromordinal(clock.today))
    return {t.name: counts.get(t.name, 0) for t in Base.metadata.sorted_tables if t.name not in UNTOUCHED}


def _build(demo: Demo) -> None:
    """Parents before children; one transaction per part of the office."""
    write_staff(demo)
    demo.calls = CallbackMaker(demo)
    demo.out.commit()
    write_customers(demo, ProductCalls(demo))
    write_care(demo)
    demo.out.commit()
    for part in (write_work_orders, write_complaints, write_incoming, write_periodic, write_leads, write_rechecks,
                 write_progress_calls):
        part(demo)
        demo.out.commit()


def write_search_terms(conn, scale: Scale, progress: bool) -> int:
    """The search box's terms of every customer (C-1), in bulk once the customers, contacts and products are
    in (on SQLite while the secondary indexes are still away, which is faster than keeping them)."""
    if not progress:
        return rebuild_on(conn)
    from tqdm import tqdm

    with tqdm(total=scale.customers, desc=f"{'search terms':>18}", unit=" customers") as bar:
        return rebuild_on(conn, bar.update)


def estimates(scale: Scale) -> dict[str, int]:
    """Rough row counts, for the progress bars."""
    return {
        "customers": scale.customers, "products": int(scale.customers * 1.38),
        "contacts": int(scale.customers * 0.17), "work_orders": scale.work_orders,
        "work_order_events": int(scale.work_orders * 11.6), "complaints": scale.complaints,
        "complaint_events": scale.complaints * 7, "incoming_calls": incoming_count(scale.customers),
        "callbacks": scale.callbacks, "call_attempts": int(scale.callbacks * 1.2),
        "leads": scale.leads, "lead_contacts": scale.leads * 5,
    }
