"""A database that cannot take an action (issue 15, "Faults"): its disk full, its server gone, its file busy.
db.engine.failure names each from the real error the driver raised; the action saved nothing, what was saved
before is whole, and the app connects again by itself once the server is back. The disk is filled by SQLite's
own size limit (PRAGMA max_page_count: the same SQLITE_FULL a full file system gives, without mounting one);
the server's restart by ending the app's connection from outside (pg_terminate_backend), as a restart does."""

from __future__ import annotations

import os
import sqlite3
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from core.customers.services import create_customer
from db.engine import CommitUnknown, failure, make_engine, session_scope
from db.migrate import upgrade
from db.models import Customer
from tests.factories import make_account, utc

NOW = utc(2026, 3, 4, 10)


def _new_customer(engine, actor, name: str) -> dict:
    return create_customer(engine, actor, {"name": name, "phone": "0571-8765 4321", "city": "Hangzhou"}, [], [],
                           NOW, NOW.date())


def _names(engine) -> list[str]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Customer.name).order_by(Customer.id)))


@pytest.fixture
def office(tmp_path):
    """A migrated SQLite office of its own with one customer saved, and its user."""
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        actor = make_account(s)
    _new_customer(engine, actor, "Saved Before")
    engine.dispose()
    return url, actor


def test_a_save_on_a_full_disk_is_named_so_and_changes_nothing(office):
    url, actor = office
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def full(dbapi_conn, _record):  # the file may not grow by a page: SQLite answers SQLITE_FULL, as on a full disk
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    try:
        with pytest.raises(Exception) as raised:
            for i in range(200):  # enough rows to need a new page whatever room the last one had
                _new_customer(engine, actor, f"Too Many {i}")
        assert failure(raised.value) == "disk_full"
    finally:
        engine.dispose()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        names = _names(engine)
        assert names[0] == "Saved Before"
        # every save before the full one is whole: each customer with its code, none half-written
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).where(Customer.code.is_(None))) == 0
        _new_customer(engine, actor, "After Space Was Freed")  # room again: saves go on
        assert _names(engine)[-1] == "After Space Was Freed"
    finally:
        engine.dispose()


def test_a_save_kept_waiting_by_another_writer_is_named_busy_and_changes_nothing(office):
    url, actor = office
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of its save
    engine = make_engine(url)
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout = 50"))
    try:
        with pytest.raises(Exception) as raised:
            _new_customer(engine, actor, "Waited Too Long")
        assert failure(raised.value) == "busy"
        holder.execute("ROLLBACK")
        assert _names(engine) == ["Saved Before"]
    finally:
        holder.close()
        engine.dispose()


def test_an_error_of_the_program_is_no_database_failure(engine):
    with pytest.raises(IntegrityError) as raised, engine.begin() as conn:
        conn.execute(text("INSERT INTO customers (id) VALUES (NULL)"))
    assert failure(raised.value) is None
    assert failure(ValueError("a bug")) is None


def test_a_bug_met_while_handling_a_busy_database_is_still_a_bug(office):
    url, _ = office
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    engine = make_engine(url)
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout = 50"))
    try:
        with pytest.raises(TypeError) as raised:
            try:
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM customers"))
            except OperationalError:
                raise TypeError("a bug in the handler") from None  # its error still carries the busy one as context
        assert failure(raised.value.__context__) == "busy"
        assert failure(raised.value) is None
    finally:
        holder.close()
        engine.dispose()


@pytest.fixture
def server():
    """A migrated PostgreSQL schema of its own (dropped afterwards), with one customer saved, and its user."""
    base = os.environ["TEST_DATABASE_URL"]
    schema, admin = f"f_{uuid.uuid4().hex[:12]}", make_engine(os.environ["TEST_DATABASE_URL"])
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        engine = make_engine(url)
        with session_scope(engine) as s:
            actor = make_account(s)
        _new_customer(engine, actor, "Saved Before")
        yield engine, admin, actor
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if os.environ.get("TEST_DATABASE_URL"):  # a server to lose is PostgreSQL's; SQLite's own failures are above

    def test_a_server_that_cannot_be_reached_is_named_so(server):
        engine, _, _ = server
        nowhere = make_engine(engine.url.set(host="127.0.0.1", port=1))
        try:
            with pytest.raises(Exception) as raised, nowhere.connect():
                pass
            assert failure(raised.value) == "unreachable"
        finally:
            nowhere.dispose()

    def test_a_restarted_server_fails_the_one_action_it_cut_and_the_next_one_connects_again(server):
        engine, admin, actor = server
        with engine.connect() as conn:  # the app's pooled connection, then its server process ended
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.begin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(Exception) as raised:
                conn.execute(select(Customer.name)).all()
        assert failure(raised.value) == "unreachable"
        _new_customer(engine, actor, "After The Restart")  # the pool connects again by itself (pre-ping)
        assert _names(engine) == ["Saved Before", "After The Restart"]

    def test_a_server_gone_while_committing_is_said_to_be_unknown_not_unsaved(server):
        engine, admin, _ = server
        with pytest.raises(CommitUnknown) as raised, session_scope(engine) as s:
            s.add(Customer(name="Maybe Saved", phone="0571-1", code="C-MAYBE"))
            s.flush()  # written, not committed; then the server process ends before the commit answers
            pid = s.connection().execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.begin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert failure(raised.value) == "commit_unknown"
        assert failure(raised.value.__cause__) == "unreachable"  # what a statement before the commit would say
