"""Exports (issue 13) against a real database: the whole filtered list streamed in the page's own order
(core.lists.stream), who may export which list refused in core (core.permissions.EXPORTS,
core.export.services.require_export), every export audited with its list, filter and row count, and a
refused or failed export leaving no file and no audit row."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.callbacks.queries import CallbackFilter, list_callbacks
from core.errors import Forbidden
from core.export import files
from core.export.services import export_list, require_export
from core.export.writers import write_csv
from core.incoming.queries import IncomingFilter, list_incoming
from core.lists import stream
from core.permissions import EXPORTS, Actor
from core.work_orders.queries import WorkOrderFilter, list_work_orders
from db.engine import session_scope
from db.enums import AuditAction, CallbackStatus, CustomerGrade, Role, WorkOrderStatus
from db.models import AuditEntry
from tests.factories import NOW, make_account, make_callback, make_customer, make_user, make_work_order, reader

TZ = "Asia/Shanghai"
H = timedelta(hours=1)

# Who may export which list, written out by hand: an edit of the table fails here, not silently.
EXPECTED = {
    Role.SPECIALIST: set(),
    Role.MANAGER: {"callbacks", "incoming", "leads", "complaints", "complaint_log", "work_orders", "customers",
                   "audit", "kpis"},
    Role.DIRECTOR: {"callbacks", "leads", "complaints", "complaint_log", "work_orders", "customers", "kpis"},
    Role.ENGINEER: set(),
    Role.FINANCE: {"finance_week"},
    Role.ADMIN: {"audit", "users"},
}


@pytest.fixture(autouse=True)
def export_dir(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setenv("SERVICEDESK_EXPORT_DIR", str(folder))
    return folder


def _orders(engine, n: int) -> None:
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        for i in range(n):
            make_work_order(s, c, desk, intake_at=NOW - i * H,
                            status=WorkOrderStatus.CLOSED if i % 3 else WorkOrderStatus.NEW)


def _exports(engine) -> list[dict]:
    with session_scope(engine) as s:
        return [{"user": e.user_id, "entity_id": e.entity_id, **e.changes["_"]} for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT).order_by(AuditEntry.id))]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_export_exactly_the_lists_of_the_table(role):
    assert {name for name, roles in EXPORTS.items() if role in roles} == EXPECTED[role]
    for name in EXPORTS:
        if name in EXPECTED[role]:
            require_export(Actor(1, "x", "X", role), name)
        else:
            with pytest.raises(Forbidden):
                require_export(Actor(1, "x", "X", role), name)


def test_a_stream_hands_every_filtered_row_in_the_page_order_as_an_iterator(engine, monkeypatch):
    _orders(engine, 2500)
    monkeypatch.setattr("core.lists.STREAM_CHUNK", 400)  # several chunks from the cursor
    flt = WorkOrderFilter(statuses=(WorkOrderStatus.CLOSED,))
    fetch = lambda n, size: list_work_orders(engine, reader(), flt, TZ, n, size)  # noqa: E731
    seen = []

    def consume(rows):
        assert not isinstance(rows, list | tuple)  # an iterator, not the list materialised
        for row in rows:
            seen.append(row["number"])
        return len(seen)

    assert stream(fetch, consume) == 1666
    paged = [r["number"] for n in range(1, 18) for r in fetch(n, 100).rows]
    assert seen == paged


def test_the_callback_queue_streams_in_its_queue_order_with_its_overdue_flags(engine):
    with session_scope(engine) as s:
        c, vip = make_customer(s), make_customer(s, grade=CustomerGrade.VIP)
        make_callback(s, c, due_end=NOW + 48 * H)
        make_callback(s, c, status=CallbackStatus.COMPLETED, due_end=NOW - 96 * H, completed_at=NOW - H)
        make_callback(s, c, due_end=NOW - 24 * H)
        make_callback(s, vip, due_end=NOW - 24 * H)
        make_callback(s, c, status=CallbackStatus.CANCELLED, due_end=NOW - 300 * H)
        make_callback(s, c, status=CallbackStatus.NOT_COMPLETED, due_end=NOW - 200 * H, completed_at=NOW - 30 * H)
    fetch = lambda n, size: list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, n, size)  # noqa: E731
    seen = []
    stream(fetch, lambda rows: seen.extend(rows) or len(seen))
    assert [(r["id"], r["overdue"]) for r in seen] == [(r["id"], r["overdue"]) for r in fetch(1, 25).rows]
    for sort in ("customer", "-due_end"):
        sorted_fetch = lambda n, size: list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, n, size, sort)  # noqa: E731,B023
        got = []
        stream(sorted_fetch, lambda rows: got.extend(rows) or len(got))  # noqa: B023
        assert [r["id"] for r in got] == [r["id"] for r in sorted_fetch(1, 25).rows]


def test_a_list_completed_by_a_second_query_is_completed_in_the_stream_too(engine):
    """The incoming register adds each call's follow-ups from a second query: a streamed chunk gets them."""
    with session_scope(engine) as s:
        actor = make_account(s, Role.MANAGER)
    fetch = lambda n, size: list_incoming(engine, actor, IncomingFilter(), TZ, n, size)  # noqa: E731
    assert stream(fetch, lambda rows: sum(1 for _ in rows)) == 0


def test_an_export_writes_the_file_and_audits_list_filter_and_rows(engine, export_dir):
    _orders(engine, 30)
    with session_scope(engine) as s:
        manager = make_account(s, Role.MANAGER)
    flt = WorkOrderFilter(statuses=(WorkOrderStatus.CLOSED,))
    fetch = lambda n, size: list_work_orders(engine, manager, flt, TZ, n, size)  # noqa: E731
    write = lambda path: stream(fetch, lambda rows: write_csv(path, ["n"], ([r["number"]] for r in rows)))  # noqa: E731
    made = export_list(engine, manager, "work_orders", {"status": ["closed"]}, "csv", write, NOW, TZ, "cookie", "zh")
    assert made.rows == 20 and made.name == "工单-20261120-1400.csv"  # the list's name in Chinese, office-local time
    assert len(made.path.read_text("utf-8-sig").splitlines()) == 21
    assert files.claim(made.token, manager.id, "cookie", NOW + H).path == made.path
    assert files.claim(made.token, manager.id, "another session", NOW) is None
    assert files.claim(made.token, manager.id + 1, "cookie", NOW) is None
    assert files.claim(made.token, manager.id, "cookie", NOW + files.LIFETIME + H) is None  # expired
    assert _exports(engine)[-1] == {"user": manager.id, "entity_id": "work_orders", "list": "work_orders",
                                    "filter": {"status": ["closed"]}, "rows": 20, "format": "csv"}


@pytest.mark.parametrize(("role", "listing"), [
    (Role.SPECIALIST, "customers"), (Role.SPECIALIST, "work_orders"), (Role.FINANCE, "work_orders"),
    (Role.ENGINEER, "complaints"), (Role.DIRECTOR, "incoming"), (Role.MANAGER, "finance_week"),
    (Role.MANAGER, "users"), (Role.ADMIN, "customers"),
], ids=lambda v: str(v))
def test_core_refuses_an_export_the_table_does_not_allow_reading_and_writing_nothing(engine, export_dir, role,
                                                                                     listing):
    with session_scope(engine) as s:
        actor = make_account(s, role)
    before, called = len(_exports(engine)), []
    with pytest.raises(Forbidden):
        export_list(engine, actor, listing, {}, "csv", lambda path: called.append(path) or 0, NOW, TZ, "cookie")
    assert not called and len(_exports(engine)) == before
    assert not list(export_dir.glob("*")) if export_dir.exists() else True


def test_a_failed_export_leaves_no_file_and_no_audit_row(engine, export_dir):
    with session_scope(engine) as s:
        manager = make_account(s, Role.MANAGER)
    before = len(_exports(engine))

    def broken(path):
        path.write_text("half a file")
        raise OSError("disk full")

    with pytest.raises(OSError):
        export_list(engine, manager, "work_orders", {}, "csv", broken, NOW, TZ, "cookie")
    assert len(_exports(engine)) == before
    assert not list(export_dir.iterdir())


def test_files_older_than_an_hour_are_swept(export_dir):
    old = files.new_file(1, "c", "a.csv", NOW - 2 * H)
    fresh = files.new_file(1, "c", "b.csv", NOW)
    old.path.write_text("x")
    fresh.path.write_text("x")
    assert files.sweep(NOW) == 1
    assert not old.path.exists() and fresh.path.exists()
