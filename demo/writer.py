"""Bulk loading for the demo office: rows arrive as tuples of plain values, leave in chunks.

Timestamps arrive as int UTC seconds, dates as date ordinals, JSON as dicts. On SQLite the
INSERT lets SQLite format timestamps and dates exactly as SQLAlchemy stores them, and whole
chunks go to the driver (executemany) with foreign-key and CHECK enforcement paused and the
secondary indexes dropped for the load: the values come from the same enums and id counters,
the indexes are rebuilt from their own DDL, and the tests run the same build on PostgreSQL,
which keeps every constraint on. Elsewhere rows go through SQLAlchemy Core with real types.
A worker thread runs the inserts while the next chunk is generated.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial

from sqlalchemy import JSON, Connection, Date, Engine, Table, text

from db.models import Base, UTCDateTime

SQLITE_LOAD = ("PRAGMA foreign_keys=OFF", "PRAGMA ignore_check_constraints=ON",
               "PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144")
SQLITE_RESTORE = ("PRAGMA foreign_keys=ON", "PRAGMA ignore_check_constraints=OFF",
                  "PRAGMA synchronous=FULL", "PRAGMA cache_size=-2000")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JULIAN_DAY_OF_ORDINAL_ZERO = 1721424.5  # date.fromordinal(n) is Julian day n + this


def _typed_ts(value: int) -> datetime:
    return EPOCH + timedelta(seconds=value)


class Sink:
    """One table's buffer: its columns, the converters its column types need, and its id counter."""

    def __init__(self, table: Table, columns: Sequence[str], sqlite: bool) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.parents = sorted({fk.column.table.name for fk in table.foreign_keys} - {table.name})
        self.converters = [(i, f) for i, c in enumerate(self.columns) if (f := _converter(table.c[c], sqlite))]
        marks = ", ".join(_sqlite_mark(table.c[c]) for c in self.columns)
        self.sql = f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({marks})"
        self.rows: list = []
        self.count = 0
        self.last_id = 0
        self.bar = None


def _sqlite_mark(column) -> str:
    """SQLite formats timestamps and dates itself, exactly as SQLAlchemy stores them."""
    if isinstance(column.type, UTCDateTime):
        return "datetime(?, 'unixepoch') || '.000000'"
    if isinstance(column.type, Date):
        return f"date(? + {JULIAN_DAY_OF_ORDINAL_ZERO})"
    return "?"


def _converter(column, sqlite: bool):
    if isinstance(column.type, JSON):
        return json.dumps if sqlite else None
    if sqlite:
        return None
    if isinstance(column.type, UTCDateTime):
        return _typed_ts
    if isinstance(column.type, Date):
        return date.fromordinal
    return None


class Background:
    """One worker thread that runs the inserts in order while the main thread generates the next
    chunk (the drivers release the GIL while the database works). A failure is raised again in
    the main thread at its next hand-over."""

    def __init__(self) -> None:
        self.jobs: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="demo-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                if self.error is None:
                    job()
            except BaseException as error:  # noqa: BLE001 - handed to the main thread, which raises it
                self.error = error
            finally:
                self.jobs.task_done()

    def submit(self, job) -> None:
        self.check()
        self.jobs.put(job)

    def drain(self) -> None:
        self.jobs.join()
        self.check()

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()


class BulkWriter:
    """Buffers rows per table and writes a chunk when it is full, parents before children."""

    def __init__(self, conn: Connection, *, chunk: int = 20_000, progress: bool = False,
                 estimates: dict[str, int] | None = None) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.chunk = chunk
        self.progress = progress
        self.estimates = estimates or {}
        self.sinks: dict[str, Sink] = {}
        self.worker = Background()

    def declare(self, name: str, columns: Sequence[str]) -> None:
        if name not in self.sinks:
            self.sinks[name] = Sink(Base.metadata.tables[name], columns, self.sqlite)

    def next_id(self, name: str) -> int:
        sink = self.sinks[name]
        sink.last_id += 1
        return sink.last_id

    def add(self, name: str, row: tuple) -> None:
        sink = self.sinks[name]
        sink.rows.append(row)
        if len(sink.rows) >= self.chunk:
            self.flush(name)

    def flush(self, name: str) -> None:
        sink = self.sinks[name]
        for parent in sink.parents:
            if parent in self.sinks and self.sinks[parent].rows:
                self.flush(parent)
        if not sink.rows:
            return
        rows, sink.rows = _convert(sink.rows, sink.converters), []
        if self.sqlite:
            self.worker.submit(partial(self.conn.exec_driver_sql, sink.sql, rows))
        else:
            dicts = [dict(zip(sink.columns, r, strict=True)) for r in rows]
            self.worker.submit(partial(self.conn.execute, sink.table.insert(), dicts))
        sink.count += len(rows)
        self._tick(name, sink, len(rows))

    def commit(self) -> None:
        for name in list(self.sinks):
            self.flush(name)
        self.worker.drain()
        self.conn.commit()

    def counts(self) -> dict[str, int]:
        return {name: sink.count for name, sink in self.sinks.items()}

    def close(self) -> None:
        self.worker.stop()
        for sink in self.sinks.values():
            if sink.bar is not None:
                sink.bar.total = sink.bar.n  # the estimates were rough; end each bar full
                sink.bar.close()

    def _tick(self, name: str, sink: Sink, n: int) -> None:
        if not self.progress:
            return
        if sink.bar is None:
            from tqdm import tqdm

            total = self.estimates.get(name)
            sink.bar = tqdm(total=total, desc=f"{name:>18}", unit=" rows", position=list(self.sinks).index(name))
        sink.bar.update(n)


def _convert(rows: list, converters: list) -> list:
    if not converters:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i, f in converters:
            v = row[i]
            if v is not None:
                row[i] = f(v)
        out.append(tuple(row))
    return out


@contextmanager
def loading_connection(engine: Engine) -> Iterator[Connection]:
    """A connection tuned for the load. On SQLite the secondary indexes (and the KPI mark triggers) are dropped
    for the load and built again afterwards from their own CREATE statements (sorting once is much faster than
    millions of random inserts), and the pragmas are restored before the connection goes back."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        for pragma in SQLITE_LOAD:
            conn.exec_driver_sql(pragma)
        indexes = _drop_indexes(conn)
        triggers = _drop_kpi_triggers(conn)
        try:
            yield conn
        finally:
            conn.rollback()
            for create in indexes + triggers:
                conn.exec_driver_sql(create)
            conn.commit()
            for pragma in SQLITE_RESTORE:
                conn.exec_driver_sql(pragma)


def _drop_indexes(conn: Connection) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name NOT IN ('settings', 'alembic_version') ORDER BY name"
    ).all()
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    conn.commit()
    return [sql for _, sql in rows]


def _drop_kpi_triggers(conn: Connection) -> list[str]:
    """The KPI rollups' mark triggers are left out of the load (its caller rebuilds the rollups after it): some
    read other rows (a complaint marks its customer's others), which without the dropped indexes is a scan per
    row."""
    rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kpi%' "
                                "ORDER BY name").all()
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    conn.commit()
    return [sql for _, sql in rows]


def finish(conn: Connection, tables: list[str]) -> None:
    """After explicit ids: move PostgreSQL's sequences past them; refresh the planner's statistics of the loaded
    tables (PostgreSQL's autovacuum would get to them only later, and a plan made without them can scan a million
    rows); on SQLite fold the write-ahead log back into the file. On PostgreSQL the load's KPI marks (one a row,
    deleted by the rollups' rebuild) are vacuumed away too: every KPI read looks for pending marks, and until
    then it scans their dead rows (160 ms a look at the half-size office)."""
    if conn.dialect.name == "postgresql":
        for name in (t for t in tables if "id" in Base.metadata.tables[t].c):  # tables with a serial id
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {name}"
            ))
        conn.commit()
        conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
        conn.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join([*tables, 'kpi_marks'])}")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled statistics: enough for the planner
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
