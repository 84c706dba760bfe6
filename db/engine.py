"""Engine and session. SQLite gets WAL, foreign keys, a busy timeout and synchronous=FULL; PostgreSQL runs
without its JIT (PG_OPTIONS)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=FULL",
)

# PostgreSQL compiles a statement to machine code (its JIT) when the planner's cost estimate is high, as it is for
# the dashboard's counts over a base table: at the benchmark's large office every dashboard area was slower cold
# with it, the work orders filtered by grade 1,155 ms against 572 without (bench.kpi, 3 runs each; issue 14, "the
# same on PostgreSQL"). The app's statements are short reads and writes, so its connections run without the JIT;
# an office's own `options` in the URL are kept.
PG_OPTIONS = "-c jit=off"


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


def make_engine(url: str, **kwargs) -> Engine:
    """Build an engine; for a SQLite file, make its folder and set the pragmas on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    connect_args = dict(kwargs.pop("connect_args", {}))
    options = connect_args.get("options") or parsed.query.get("options")
    connect_args["options"] = f"{options} {PG_OPTIONS}" if options else PG_OPTIONS
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll back on any error (STYLE habit 4)."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# SQLite's result codes and PostgreSQL's SQLSTATEs an office can act on (issue 15, "Faults"): the disk is full; the
# database server cannot be reached (restarting: admin or crash shutdown, cannot connect now, or a connection
# exception); the file stayed locked past the busy timeout.
SQLITE_FAILURES = {sqlite3.SQLITE_FULL: "disk_full", sqlite3.SQLITE_BUSY: "busy", sqlite3.SQLITE_LOCKED: "busy"}
PG_FAILURES = {"53100": "disk_full", "57P01": "unreachable", "57P02": "unreachable", "57P03": "unreachable"}


def failure(exc: BaseException) -> str | None:
    """What stopped a database statement, when it is the database's state rather than a bug: "disk_full",
    "unreachable" (the server is down or restarting; the pool, with pre-ping, connects again by itself on the next
    action) or "busy". None for anything else. The statement's transaction was rolled back (session_scope), so
    the action the user took saved nothing, and nothing saved before it is touched."""
    seen = set()
    while exc is not None and id(exc) not in seen:  # the error itself, or what it was raised from
        seen.add(id(exc))
        if isinstance(exc, DBAPIError):
            if exc.connection_invalidated:
                return "unreachable"
            exc = exc.orig
            continue
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            return None if code is None else SQLITE_FAILURES.get(code & 0xFF)  # an extended code's primary one
        if type(exc).__module__.startswith("psycopg"):
            sqlstate = getattr(exc, "sqlstate", None) or ""
            if sqlstate in PG_FAILURES:
                return PG_FAILURES[sqlstate]
            # a connection exception (class 08), or no answer from the server at all (refused, closed)
            lost = sqlstate.startswith("08") or (not sqlstate and type(exc).__name__ == "OperationalError")
            return "unreachable" if lost else None
        exc = exc.__cause__ or exc.__context__
    return None
