"""The import's write side (C-1, C-3) on both databases: a matched customer's contacts are not added again on
every import, each correction an import makes is audited per customer with its before and after, and two
imports of the same file at once write it once (the second is told it was imported)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from core.errors import Invalid
from core.imports import read
from core.imports.fields import guess
from core.imports.plan import Options
from core.imports.services import run_import
from db.engine import session_scope
from db.enums import AuditAction, Role
from db.models import AuditEntry, Contact, Customer, ImportBatch
from tests.factories import NOW, make_account, make_contact, make_customer
from tests.import_corpus import csv_bytes

HEAD = ["姓名", "电话", "城市", "地址", "联系人", "联系人电话"]


@pytest.fixture
def manager(engine):
    with session_scope(engine) as s:
        return make_account(s, Role.MANAGER, display_name="经理")


def _import(engine, manager, rows, **options):
    src = read.source("客户.csv", csv_bytes(rows, head=HEAD))
    tab = read.table(src)
    return run_import(engine, manager, src, tab, Options(mapping=guess(tab.headers), **options), NOW)


def _contacts(engine, name: str) -> list[tuple]:
    with session_scope(engine) as s:
        return sorted(s.execute(select(Contact.name, Contact.phone, Contact.is_primary).join(Customer)
                                .where(Customer.name == name)).all())


def test_importing_the_same_contacts_again_in_update_mode_adds_none(engine, manager):
    """C-1: three imports of one file (the same file asked again, duplicates updated) leave one contact,
    the primary one, not three identical primaries."""
    rows = [["张伟", "13912345678", "上海", "人民路1号", "李秘书", "13712345678"]]
    for _ in range(3):
        _import(engine, manager, rows, duplicates="update", reimport=True)
    assert _contacts(engine, "张伟") == [("李秘书", "+8613712345678", True)]


def test_a_new_contact_of_a_customer_with_a_primary_one_is_added_as_a_second(engine, manager):
    with session_scope(engine) as s:
        known = make_customer(s, name="王芳", phone="+8613900000077", city="北京")
        make_contact(s, known, name="王先生", phone="+8613700000077", is_primary=True)
    _import(engine, manager, [["王芳", "13900000077", "北京", "", "王先生", "13700000077"],
                              ["王芳", "13900000077", "北京", "", "刘助理", "13600000077"]],
            duplicates="update", take_good_rows=True)  # the second row repeats the phone: refused in the file
    _import(engine, manager, [["王芳", "13900000077", "北京", "", "刘助理", "13600000077"]], duplicates="update")
    assert _contacts(engine, "王芳") == [("刘助理", "+8613600000077", False), ("王先生", "+8613700000077", True)]


def test_each_customer_an_import_corrects_gets_its_own_audit_row_with_before_and_after(engine, manager):
    """C-3: wrong data is corrected, not deleted, and every correction is audited: the import's update of a
    matched customer writes one audit row per customer changed (the fields changed, old and new, and the
    batch), besides the batch's own; a customer the file leaves as it is gets none."""
    with session_scope(engine) as s:
        moved = make_customer(s, name="王建国", phone="+8613900000001", city="天津", address="旧地址").id
        same = make_customer(s, name="李四", phone="+8613900000002", city="上海", address="南京路2号").id
    result = _import(engine, manager, [["王建国", "13900000001", "天津", "新地址5号", "", ""],
                                       ["李四", "13900000002", "上海", "南京路2号", "", ""]], duplicates="update")
    assert result.updated == 2
    with session_scope(engine) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity == "customer",  # the log outlives tests
                                                     AuditEntry.username == manager.username)).all()
        batch = s.scalar(select(func.max(ImportBatch.id)).where(ImportBatch.user_id == manager.id))
        stored = s.get(Customer, moved)
        assert (stored.address, stored.version) == ("新地址5号", 2)
        assert s.get(Customer, same).version == 1
    assert [(e.entity_id, e.action, e.username) for e in entries] == [(str(moved), AuditAction.UPDATE,
                                                                       manager.username)]
    assert entries[0].changes == {"address": ["旧地址", "新地址5号"], "_": {"import_batch": batch}}


def test_two_imports_of_the_same_file_at_once_write_it_once(engine, manager):
    """C-1: the same file imported twice is refused unless asked, also when both start at the same moment:
    the second waits for the first (a lock on the file's hash; SQLite's one writer) and is then told."""
    rows = [[f"客户{i}", f"139{i:08d}", "上海", "", "", ""] for i in range(30)]
    with session_scope(engine) as s:
        other = make_account(s, Role.MANAGER)
    for attempt in range(3):
        barrier, results = threading.Barrier(2, timeout=60), {}

        def load(who, barrier=barrier, results=results, attempt=attempt) -> None:
            barrier.wait()
            try:
                results[who.username] = _import(engine, who, [*rows, [f"新{attempt}", f"137{attempt:08d}",
                                                                      "上海", "", "", ""]], duplicates="skip")
            except Exception as e:  # noqa: BLE001 - checked below
                results[who.username] = e

        threads = [threading.Thread(target=load, args=(who,)) for who in (manager, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        refused = [r for r in results.values() if isinstance(r, Exception)]
        assert len(results) == 2 and len(refused) == 1, (attempt, results)
        assert isinstance(refused[0], Invalid) and refused[0].key == "import.imported_before", results
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(ImportBatch)) == attempt + 1
            assert s.scalar(select(func.count()).select_from(Customer)) == 30 + attempt + 1


def _statements(engine, manager, rows: int, start: int) -> int:
    """The statements an update-mode import of `rows` rows matching the archive runs (each row the stored
    customer as it is, complete but not yet marked complete)."""
    with session_scope(engine) as s:
        for i in range(start, start + rows):
            make_customer(s, name=f"客户{i}", phone=f"+86139{i:08d}", city="上海", address=f"路{i}号")
    seen = []
    listen = lambda *args: seen.append(args[2])  # noqa: E731 - the statement text
    event.listen(engine, "before_cursor_execute", listen)
    try:
        result = _import(engine, manager, [[f"客户{i}", f"139{i:08d}", "上海", f"路{i}号", "", ""]
                                           for i in range(start, start + rows)], duplicates="update")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert result.updated == rows
    return len(seen)


def test_an_import_meets_the_archive_and_marks_c5_a_chunk_at_a_time_not_a_row_at_a_time(engine, manager):
    """C-1 at scale: the matched rows' customers are read once per chunk, and C-5's marks are written with one
    statement per chunk (refresh_many), so the statements an import runs do not grow with its rows."""
    few = _statements(engine, manager, 5, 100)  # the first also makes the file shape's remembered mapping
    assert _statements(engine, manager, 40, 0) <= few


def test_a_specialist_column_assigns_each_customer_to_the_active_specialist_it_names(engine, manager):
    """C-5's incomplete records are listed per specialist: a file's 专员 column names one by username or by a
    display name only one has; an unknown, inactive or shared name refuses its row; a blank one leaves the
    customer unassigned."""
    with session_scope(engine) as s:
        zhou = make_account(s, Role.SPECIALIST, username="zhou", display_name="周敏")
        wu = make_account(s, Role.SPECIALIST, display_name="吴磊")
        make_account(s, Role.SPECIALIST, display_name="王静")
        make_account(s, Role.SPECIALIST, display_name="王静")
        make_account(s, Role.SPECIALIST, display_name="离职者", active=False)
        make_account(s, Role.MANAGER, display_name="经理乙")
    head = ["姓名", "电话", "专员"]
    rows = [["甲", "13911111111", "zhou"], ["乙", "13911111112", "吴磊"], ["丙", "13911111113", ""],
            ["丁", "13911111114", "王静"], ["戊", "13911111115", "离职者"], ["己", "13911111116", "经理乙"]]
    src = read.source("staff.csv", csv_bytes(rows, head=head))
    tab = read.table(src)
    assert guess(tab.headers)[2] == "specialist"
    result = run_import(engine, manager, src, tab, Options(mapping=guess(tab.headers), take_good_rows=True), NOW)
    assert sorted((p.row, p.column, p.key, p.params["text"]) for p in result.problems) == [
        (5, "专员", "import.unknown_specialist", "王静"), (6, "专员", "import.unknown_specialist", "离职者"),
        (7, "专员", "import.unknown_specialist", "经理乙")]
    with session_scope(engine) as s:
        assert dict(s.execute(select(Customer.name, Customer.specialist_id)).all()) == {
            "甲": zhou.id, "乙": wu.id, "丙": None}
