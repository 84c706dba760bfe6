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
# an office's own `options` in the URL are kept, after it (its own `-c jit=on` wins).
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
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("psycopg", "psycopg2"):
        given = parsed.query.get("options", ())
        options = [*([given] if isinstance(given, str) else given), connect_args.get("options")]
        connect_args["options"] = " ".join([PG_OPTIONS, *(o for o in options if o)])  # the office's own win
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll back on any error (STYLE habit 4)."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        try:
            session.commit()
        except DBAPIError as exc:
            # the server gone while it was told to commit: it may have committed before the connection dropped, so
            # the user must not be told that nothing was saved (issue 15, "Faults"); anything else: rolled back
            if failure(exc) == "unreachable":
                raise CommitUnknown() from exc
            raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class CommitUnknown(Exception):
    """The connection was lost while the database was told to commit: whether it did is not known."""


# SQLite's result codes and PostgreSQL's SQLSTATEs an office can act on (issue 15, "Faults"): the disk is full; the
# database server cannot be reached (restarting: admin or crash shutdown, cannot connect now, or a connection
# exception); the file stayed locked past the busy timeout.
SQLITE_FAILURES = {sqlite3.SQLITE_FULL: "disk_full", sqlite3.SQLITE_BUSY: "busy"}  # LOCKED: one connection's own bug
PG_FAILURES = {"53100": "disk_full", "57P01": "unreachable", "57P02": "unreachable", "57P03": "unreachable"}


def failure(exc: BaseException) -> str | None:
    """What stopped a database statement, when it is the database's state rather than a bug: "disk_full",
    "unreachable" (the server is down or restarting; the pool, with pre-ping, connects again by itself on the next
    action), "busy", or "commit_unknown" (the server went while committing: session_scope's CommitUnknown). None
    for anything else. But for commit_unknown the transaction was rolled back, so the action saved nothing. Only
    the error itself is read, through SQLAlchemy's wrapper to the driver's: never an error it was raised while
    handling (a bug in an except block is a bug)."""
    if isinstance(exc, CommitUnknown):
        return "commit_unknown"
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return "unreachable"
        exc = exc.orig
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return None if code is None else SQLITE_FAILURES.get(code & 0xFF)  # an extended code's primary one
    if type(exc).__module__.startswith("psycopg"):
        import psycopg  # only where psycopg raised it: an office on SQLite never loads it

        sqlstate = getattr(exc, "sqlstate", None) or ""
        if sqlstate in PG_FAILURES:
            return PG_FAILURES[sqlstate]
        # a connection exception (class 08), or no answer from the server at all (refused, closed, timed out)
        lost = sqlstate.startswith("08") or (not sqlstate and isinstance(exc, psycopg.OperationalError))
        return "unreachable" if lost else None
    return None
