"""The search box's index built whole (C-1): for an office upgraded from before the index (its table empty
while customers exist), for the demo office at the end of its bulk load, and on demand
(`python -m cli.search --rebuild`). Customers are read in id ranges, their contacts and products by the
same range, and their terms written batch by batch: memory stays flat whatever the archive's size.
Everyday writes keep the index true through core.customers.search.reindex instead."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy import Connection, Engine, delete, exists, insert, select

from core.customers.search import term_rows
from db.models import Customer, CustomerSearchTerm

BATCH = 2000  # customers per batch: a few tens of thousands of terms


def needs_rebuild(engine: Engine) -> bool:
    """Customers exist and no term does (an office migrated from before the index)."""
    with engine.connect() as conn:
        return bool(conn.scalar(select(exists().where(Customer.id.isnot(None))))) and not conn.scalar(
            select(exists().where(CustomerSearchTerm.customer_id.isnot(None))))


def rebuild(engine: Engine, on_batch: Callable[[int], None] | None = None) -> int:
    """Rewrite every customer's terms in one transaction (the index is never seen half built); returns the
    number of terms written. `on_batch(customers)` is told the progress."""
    with engine.connect() as conn:
        written = rebuild_on(conn, on_batch)
        conn.commit()
    return written


def rebuild_on(conn: Connection, on_batch: Callable[[int], None] | None = None) -> int:
    """`rebuild` in the caller's connection and transaction (the demo's bulk load); the caller commits."""
    conn.execute(delete(CustomerSearchTerm))
    written, last = 0, 0
    while True:
        ids = conn.scalars(select(Customer.id).where(Customer.id > last).order_by(Customer.id).limit(BATCH)).all()
        if not ids:
            return written
        rows = sorted({(t, c) for c, t in term_rows(conn.execute, partial(_between, ids[0], ids[-1]))})
        if rows:
            conn.execute(insert(CustomerSearchTerm), [{"term": t, "customer_id": c} for t, c in rows])
        written, last = written + len(rows), ids[-1]
        if on_batch:
            on_batch(len(ids))


def _between(lo: int, hi: int, column):
    return column.between(lo, hi)
