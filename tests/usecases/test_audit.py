"""The audit trail (core.audit.log, core.audit.queries, migration 0002): append-only in the database itself on
SQLite and PostgreSQL, a record's history told in sentences in English and Chinese, and the whole log
filtered by user, record type, action and office day, newest first, counted and paged in SQL.
The log keeps every earlier test's rows, so each test looks only at rows written after it began."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from core.audit import log as audit
from core.audit.queries import (
    ENTITIES,
    AuditFilter,
    describe,
    latest_change,
    list_audit,
    record_history,
    record_label,
)
from core.customers.services import update_customer
from core.permissions import Actor
from db.engine import session_scope
from db.enums import AuditAction, Role
from tests.factories import NOW, make_account, make_fresh_customer, reader
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"
TODAY = date(2026, 11, 20)


def write_row(engine, actor: Actor | None, entity: str = "customer", entity_id: object = 1,
              action: AuditAction = AuditAction.UPDATE, at: datetime = NOW, **kw) -> int:
    with session_scope(engine) as s:
        entry = audit.record(s, actor, entity, entity_id, action, at=at, **kw)
        s.flush()
        return entry.id


# --- append-only --------------------------------------------------------------------------------------

@pytest.fixture
def one_row(engine):
    mark = audit_mark(engine)
    row_id = write_row(engine, Actor(7, "alice", "Alice", Role.SPECIALIST), before={"phone": "1"},
                       after={"phone": "2"})
    [row] = audit_since(engine, mark)
    assert row["id"] == row_id
    return row


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET username = 'x'",
    "UPDATE audit_log SET changes = NULL WHERE id = :id",
    "DELETE FROM audit_log",
    "DELETE FROM audit_log WHERE id = :id",
])
def test_the_database_refuses_to_change_or_delete_audit_rows(engine, one_row, statement):
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement), {"id": one_row["id"]} if ":id" in statement else {})
    assert audit_since(engine, one_row["id"] - 1) == [one_row]


def test_an_upsert_cannot_rewrite_an_audit_row(engine, one_row):
    statement = ("INSERT INTO audit_log (id, at, username, entity, action) VALUES (:id, :at, 'forged', 'customer', "
                 "'update') ON CONFLICT (id) DO UPDATE SET username = excluded.username")
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement), {"id": one_row["id"], "at": NOW})
    assert audit_since(engine, one_row["id"] - 1) == [one_row]


def test_sqlite_refuses_insert_or_replace_which_would_delete_and_rewrite_an_audit_row(engine, one_row):
    """SQLite's REPLACE deletes the old row without firing DELETE triggers (unless recursive_triggers is
    on), so the UPDATE and DELETE triggers alone do not keep the log append-only."""
    if engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE exists only on SQLite; PostgreSQL's upsert is tested above")
    statement = ("INSERT OR REPLACE INTO audit_log (id, at, username, entity, action) "
                 "VALUES (:id, '2026-11-20 06:00:00.000000', 'forged', 'customer', 'update')")
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement), {"id": one_row["id"]})
    assert audit_since(engine, one_row["id"] - 1) == [one_row]


def test_postgresql_also_refuses_to_truncate_the_audit_log(engine, one_row):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL; SQLite's DELETE is tested above")
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    assert audit_since(engine, one_row["id"] - 1) == [one_row]


def test_new_rows_can_still_be_added_after_a_refused_change(engine, one_row):
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    write_row(engine, None, username="later")
    assert [r["username"] for r in audit_since(engine, one_row["id"] - 1)] == ["alice", "later"]


# --- what a row holds ---------------------------------------------------------------------------------

def test_a_row_keeps_the_actor_as_a_snapshot_and_only_the_changed_fields(engine):
    mark = audit_mark(engine)
    actor = Actor(42, "mei", "Mei Chen", Role.MANAGER)
    write_row(engine, actor, "customer", 9, before={"phone": "1", "city": "Suzhou", "version": 3},
              after={"phone": "2", "city": "Suzhou", "version": 4})
    [row] = audit_since(engine, mark)
    assert (row["user_id"], row["username"], row["role"], row["entity"], row["entity_id"], row["action"]) == (
        42, "mei", "manager", "customer", "9", "update")
    assert row["changes"] == {"phone": ["1", "2"]}


def test_diff_keeps_changed_fields_only_and_never_passwords_versions_or_update_times():
    before = {"role": Role.SPECIALIST, "password_hash": "$argon2id$old", "version": 1, "updated_at": NOW,
              "active": True, "day": date(2026, 1, 1)}
    after = {"role": Role.MANAGER, "password_hash": "$argon2id$new", "version": 2, "updated_at": NOW,
             "active": True, "day": date(2026, 1, 2)}
    assert audit.diff(before, after) == {"role": ["specialist", "manager"], "day": ["2026-01-01", "2026-01-02"]}


# --- a record's history -------------------------------------------------------------------------------

@pytest.fixture
def corrected_customer(engine):
    """alice (Alice Wang) raises a customer to VIP and corrects the phone at 14:00 Shanghai time."""
    with session_scope(engine) as s:
        alice = make_account(s, Role.SPECIALIST, username="alice", display_name="Alice Wang")
    customer_id, version = make_fresh_customer(engine, phone="13800000001")
    update_customer(engine, alice, customer_id, version, {"grade": "vip", "phone": "13900009999"}, NOW, TODAY)
    return customer_id


def test_a_customers_history_tells_each_change_in_an_english_sentence(engine, corrected_customer):
    assert record_history(engine, reader(), "customer", corrected_customer, "en", TZ) == [
        "alice changed grade from Normal to VIP, 20 Nov 2026 14:00",
        "alice changed phone from 13800000001 to +8613900009999, 20 Nov 2026 14:00",
    ]


def test_a_customers_history_in_chinese_uses_chinese_labels(engine, corrected_customer):
    assert record_history(engine, reader(), "customer", corrected_customer, "zh", TZ) == [
        "alice 将客户等级从“普通客户”改为“VIP 客户”，2026年11月20日 14:00",
        "alice 将电话从“13800000001”改为“+8613900009999”，2026年11月20日 14:00",
    ]


def test_the_history_is_told_in_the_office_time_zone(engine, corrected_customer):
    history = record_history(engine, reader(), "customer", corrected_customer, "en", "UTC")
    assert history[0].endswith("20 Nov 2026 06:00")


def entry(**kw) -> dict:
    return {"username": "alice", "at": NOW, "entity": "customer", "action": "update", "changes": None} | kw


def test_an_empty_old_value_reads_as_empty():
    assert describe(entry(changes={"email": [None, "a@b.cn"]}), "en", TZ) == [
        "alice changed email from (empty) to a@b.cn, 20 Nov 2026 14:00"]


def test_an_action_without_fields_reads_as_who_did_what_and_a_row_without_user_as_system():
    assert describe(entry(entity="session", action="sign_in"), "en", TZ) == ["alice: Signed in, 20 Nov 2026 14:00"]
    assert describe(entry(username=None, action="create"), "en", TZ) == ["System: Created, 20 Nov 2026 14:00"]


def test_the_records_of_the_callback_queue_read_in_the_users_language():
    """Order dates (CB-2 at save) and re-check findings (CB-4) are told with labels, their states translated."""
    assert describe(entry(entity="product", changes={"delivery_date": [None, "2026-11-20"]}), "zh", TZ) == [
        "alice 将交付日期从“（空）”改为“2026-11-20”，2026年11月20日 14:00"]
    assert describe(entry(entity="task", changes={"status": ["open", "done"]}), "en", TZ) == [
        "alice changed status from Open to Done, 20 Nov 2026 14:00"]
    assert {"product", "task", "incoming_call", "sweep"} <= set(ENTITIES)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_exports_record_is_the_list_it_took_named_in_the_users_language_not_its_key(lang):
    """The audit list and its export read "Callbacks list" / 回访列表, never the key "callbacks"."""
    from core.i18n import t
    from core.permissions import EXPORTS
    for listing in EXPORTS:
        assert record_label("export", listing, lang) == t(f"audit.list.{listing}", lang) != f"audit.list.{listing}"
    assert record_label("customer", "42", lang) == "42" and record_label("session", None, lang) == ""


def test_latest_change_names_who_wrote_the_record_last_and_when(engine):
    record_id = uuid.uuid4().hex[:12]
    write_row(engine, None, "lead", record_id, username="first", at=NOW)
    write_row(engine, None, "lead", record_id, username="second", at=NOW.replace(hour=7))
    with session_scope(engine) as s:
        assert latest_change(s, "lead", record_id) == ("second", NOW.replace(hour=7))
        assert latest_change(s, "lead", "no-such-record") == (None, None)


# --- the filtered log ---------------------------------------------------------------------------------

_days = itertools.count()


@pytest.fixture
def log(engine):
    """Four rows on two office days of their own in 2031 (no other test writes then), by two users of
    this test only: day one at 09:00 and 23:30 Shanghai time, day two at 00:30 and 10:00."""
    u1, u2 = f"u1-{uuid.uuid4().hex[:8]}", f"u2-{uuid.uuid4().hex[:8]}"
    day = date(2031, 1, 1) + timedelta(days=3 * next(_days))
    midnight = datetime.combine(day, time(0), UTC) - timedelta(hours=8)  # 00:00 of `day` in Shanghai
    rows = [
        (u1, "customer", AuditAction.UPDATE, midnight + timedelta(hours=9)),
        (u1, "user", AuditAction.CREATE, midnight + timedelta(hours=23, minutes=30)),
        (u1, "setting", AuditAction.SETTINGS, midnight + timedelta(hours=24, minutes=30)),
        (u2, "customer", AuditAction.UPDATE, midnight + timedelta(hours=34)),
    ]
    ids = [write_row(engine, None, entity, 1, action, at, username=who) for who, entity, action, at in rows]
    return {"u1": u1, "u2": u2, "ids": ids, "day1": day, "day2": day + timedelta(days=1)}


def ids_of(engine, **filters) -> list[int]:
    return [r["id"] for r in list_audit(engine, reader(), AuditFilter(**filters), TZ, 1, 50).rows]


def test_the_log_filtered_by_user_is_newest_first(engine, log):
    a, b, c, d = log["ids"]
    assert ids_of(engine, username=log["u1"]) == [c, b, a]
    assert ids_of(engine, username=f" {log['u2']} ") == [d]


def test_the_log_filtered_by_record_type_and_action(engine, log):
    a, b, c, d = log["ids"]
    assert ids_of(engine, username=log["u1"], entity="customer") == [a]
    assert ids_of(engine, username=log["u1"], actions=(AuditAction.CREATE, AuditAction.SETTINGS)) == [c, b]


def test_the_log_filtered_by_office_days_counts_a_late_evening_utc_row_on_the_next_local_day(engine, log):
    a, b, c, d = log["ids"]
    day1, day2 = log["day1"], log["day2"]
    assert ids_of(engine, start=day2, end=day2) == [d, c]
    assert ids_of(engine, start=day1, end=day1) == [b, a]
    assert ids_of(engine, start=day1, end=day2, entity="customer") == [d, a]
    assert ids_of(engine, start=day2 + timedelta(days=1)) == []


def test_the_log_is_counted_over_all_matching_rows_and_paged(engine, log):
    a, b, c, d = log["ids"]
    first = list_audit(engine, reader(), AuditFilter(username=log["u1"]), TZ, 1, 2)
    second = list_audit(engine, reader(), AuditFilter(username=log["u1"]), TZ, 2, 2)
    assert (first.total, first.pages, [r["id"] for r in first.rows]) == (3, 2, [c, b])
    assert (second.total, [r["id"] for r in second.rows]) == (3, [a])
    assert set(first.rows[0]) == {"id", "at", "username", "role", "entity", "entity_id", "action", "changes"}


def test_the_log_for_a_user_who_did_nothing_is_empty(engine, log):
    page = list_audit(engine, reader(), AuditFilter(username="nobody-" + uuid.uuid4().hex), TZ, 1, 50)
    assert (page.total, page.rows) == (0, [])
