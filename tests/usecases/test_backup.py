"""Backup and restore (issue 15): a backup of a running office, restored into a fresh database, holds every
record and the audit log as they were; a damaged backup fails its check; a restore never lands on an office;
the daily job takes one backup per office day under its lease and keeps the retention setting. On SQLite and,
with TEST_DATABASE_URL, on PostgreSQL (pg_dump and pg_restore), each test in databases of its own."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, make_url, select, text

from cli import backup as cli_backup
from core.audit.log import record
from core.backup import BackupFailed, backups, check, file_name, restore, run_daily, take_backup
from core.backup.services import holds_office
from core.reports.lease import release_lease, take_lease
from db.engine import make_engine, session_scope
from db.enums import AuditAction
from db.migrate import is_empty, upgrade
from db.models import AuditEntry, Base, Customer
from demo.build import Scale, build_demo
from tests.factories import make_user

NOW = datetime(2026, 11, 16, 19, 0, tzinfo=UTC)  # 03:00 on 17 November, Shanghai: the daily backup is due
TINY = Scale(customers=40, work_orders=60, callbacks=150, complaints=12, leads=12)


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def databases(request, tmp_path):
    """make(): a URL of a new, empty database of the backend (SQLite: a file; PostgreSQL: a database of its own,
    each with the same schema named in its search_path, as an office restored on a new server keeps its
    schema), each dropped afterwards."""
    made, admin, schema = [], None, f"s_{uuid.uuid4().hex[:12]}"
    if request.param == "postgresql":
        base = make_url(os.environ["TEST_DATABASE_URL"])
        admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def make(own_schema: str | None = None) -> str:
        name = f"b_{uuid.uuid4().hex[:12]}"
        if admin is None:
            return f"sqlite:///{tmp_path / name}.sqlite"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        url = base.set(database=name).render_as_string(hide_password=False)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{own_schema or schema}"'))
        engine.dispose()
        return f"{url}?options={quote(f'-csearch_path={own_schema or schema}')}"

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _office(url: str) -> None:
    """The demo office at a tiny scale, and an audit row per customer (the demo writes none): an edit of its
    notes in Chinese, as the app records one."""
    upgrade(url)
    engine = make_engine(url)
    try:
        build_demo(engine, locale="en", today=date(2026, 11, 16), scale=TINY)
        with session_scope(engine) as s:
            for n, (cid, notes) in enumerate(s.execute(select(Customer.id, Customer.notes)).all()):
                record(s, None, "customer", cid, AuditAction.UPDATE, {"notes": notes}, {"notes": f"回访备注 {n}"},
                       username="admin", at=NOW - timedelta(minutes=n))
    finally:
        engine.dispose()


def _everything(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {"alembic_version": conn.execute(text("SELECT version_num FROM alembic_version")).all()}
            for table in Base.metadata.sorted_tables:
                out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]
        return out
    finally:
        engine.dispose()


def test_a_backup_restored_into_a_fresh_database_holds_every_record_and_the_audit_log(databases, tmp_path):
    source = databases()
    _office(source)
    backup = take_backup(source, tmp_path / "backups", NOW)
    assert backups(tmp_path / "backups") == [backup] and not list((tmp_path / "backups").glob("*.part"))
    check(backup)
    target = databases()
    restore(backup, target, NOW)
    before, after = _everything(source), _everything(target)
    assert after == before
    assert len(before["audit_log"]) == len(before["customers"]) == TINY.customers
    assert all(before[t.name] for t in Base.metadata.sorted_tables if t.name in {
        "customers", "products", "work_orders", "work_order_events", "callbacks", "call_attempts", "complaints",
        "leads", "lead_contacts", "users", "settings", "audit_log"})
    engine = make_engine(target)  # the restored office works: the audit log still refuses to be edited
    try:
        with pytest.raises(Exception), engine.begin() as conn:  # noqa: B017 (the database's own error)
            conn.execute(AuditEntry.__table__.delete())
        assert _everything(target)["audit_log"] == before["audit_log"]
    finally:
        engine.dispose()


def test_a_backup_taken_while_a_write_is_under_way_holds_only_what_was_committed(databases, tmp_path):
    source = databases()
    _office(source)
    engine = make_engine(source)
    try:
        with engine.connect() as conn:
            conn.execute(Customer.__table__.update().values(name="uncommitted"))  # a transaction left open
            backup = take_backup(source, tmp_path, NOW)
            conn.rollback()
        target = databases()
        restore(backup, target, NOW)
        assert _everything(target) == _everything(source)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kept", [0.5, 0.97])
def test_a_damaged_backup_fails_its_check_and_restores_nothing(databases, tmp_path, kept):
    """A copy cut short (a full disk, an interrupted transfer): even 97% of a dump, whose table of contents is
    whole, is refused; a replace with it leaves the office as it was."""
    source = databases()
    _office(source)
    backup = take_backup(source, tmp_path, NOW)
    data = backup.read_bytes()
    backup.write_bytes(data[: int(len(data) * kept)])
    with pytest.raises(BackupFailed):
        check(backup)
    target = databases()
    _office(target)
    before = _everything(target)
    with pytest.raises(BackupFailed):
        restore(backup, target, NOW, replace=True, keep_in=tmp_path / "kept")
    assert _everything(target) == before and not backups(tmp_path / "kept")


def test_a_backup_taken_by_a_newer_version_is_refused_before_anything_changes(databases, tmp_path):
    source = databases()
    _office(source)
    engine = make_engine(source)
    try:
        with engine.begin() as conn:  # as if a later release had migrated it further
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    backup = take_backup(source, tmp_path, NOW)
    target = databases()
    _office(target)
    before = _everything(target)
    with pytest.raises(BackupFailed, match="newer version"):
        restore(backup, target, NOW, replace=True, keep_in=tmp_path / "kept")
    assert _everything(target) == before


def test_an_office_with_only_its_first_admin_is_an_office(databases, tmp_path):
    """No customer yet, but a user: a restore without --replace refuses it (is_empty alone would not)."""
    source = databases()
    _office(source)
    backup = take_backup(source, tmp_path, NOW)
    target = databases()
    upgrade(target)
    engine = make_engine(target)
    try:
        with session_scope(engine) as s:
            make_user(s)
        assert holds_office(engine)
    finally:
        engine.dispose()
    with pytest.raises(BackupFailed, match="already holds an office"):
        restore(backup, target, NOW)


def test_a_restore_refuses_a_database_that_holds_an_office_unless_asked_to_replace_it(databases, tmp_path):
    first, second = databases(), databases()
    _office(first)
    backup = take_backup(first, tmp_path, NOW)
    _office(second)
    engine = make_engine(second)
    try:
        with engine.begin() as conn:
            conn.execute(Customer.__table__.update().values(notes="the second office's own"))
    finally:
        engine.dispose()
    kept = _everything(second)
    with pytest.raises(BackupFailed, match="already holds an office"):
        restore(backup, second, NOW)
    assert _everything(second) == kept
    copy = restore(backup, second, NOW + timedelta(seconds=1), replace=True, keep_in=tmp_path / "kept")
    assert _everything(second) == _everything(first)
    assert copy is not None and copy.parent == tmp_path / "kept"  # the replaced office, kept: the replace undone
    third = databases()
    restore(copy, third, NOW)
    assert _everything(third) == kept


def test_the_daily_backup_is_taken_once_per_office_day_under_its_lease_and_old_ones_go(databases, tmp_path):
    source, folder = databases(), tmp_path / "daily"
    _office(source)
    tz = "Asia/Shanghai"
    assert run_daily(source, folder, NOW - timedelta(hours=2), tz, 2, "a:1") == "not due"  # 01:00 office time
    assert run_daily(source, folder, NOW, tz, 2, "a:1") == "taken"
    assert run_daily(source, folder, NOW + timedelta(minutes=15), tz, 2, "b:2") == "not due"
    engine = make_engine(source)
    try:  # another process is taking tomorrow's: this one leaves it to them
        assert take_lease(engine, "daily_backup", "c:3", NOW + timedelta(days=1), timedelta(hours=1))
        assert run_daily(source, folder, NOW + timedelta(days=1), tz, 2, "a:1") == "busy"
        release_lease(engine, "daily_backup", "c:3", NOW + timedelta(days=1))
    finally:
        engine.dispose()
    for day in (1, 2, 3):
        assert run_daily(source, folder, NOW + timedelta(days=day), tz, 2, "a:1") == "taken"
    kept = [p.name for p in backups(folder)]
    assert kept == [f"office-202611{d}T190000Z.{'sqlite' if 'sqlite' in source else 'dump'}" for d in (17, 18, 19)]


def test_the_command_takes_lists_checks_and_restores(databases, tmp_path, monkeypatch, capsys):
    source = databases()
    _office(source)
    monkeypatch.setenv("DATABASE_URL", source)
    assert cli_backup.main(["--to", str(tmp_path)], now=NOW - timedelta(hours=2)) == 0  # 01:00 office time
    (backup,) = backups(tmp_path)
    assert cli_backup.main(["--list", "--to", str(tmp_path)]) == 0
    assert cli_backup.main(["--check", str(backup)]) == 0
    assert cli_backup.main(["--restore", str(backup)]) == 1  # the configured database holds an office
    assert "already holds an office" in capsys.readouterr().err
    for minutes in (0, 15):  # today's from 02:00 office time on, once, under the same rule as the server's
        assert cli_backup.main(["--daily", "--to", str(tmp_path)], now=NOW + timedelta(minutes=minutes)) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["taken", "not due"]
    assert len(backups(tmp_path)) == 2
    monkeypatch.setenv("DATABASE_URL", databases())
    assert cli_backup.main(["--restore", str(backup)]) == 0


def test_a_backup_restores_only_where_it_belongs(databases, tmp_path):
    """PostgreSQL: a dump of one schema is not restored under another, where the app would read an empty office.
    SQLite: a copy renamed as a dump is no dump, and is refused (SQLite has no schemas: a file is the office)."""
    source = databases()
    _office(source)
    backup = take_backup(source, tmp_path, NOW)
    if make_url(source).get_backend_name() == "sqlite":
        renamed = backup.rename(backup.with_suffix(".dump"))
        with pytest.raises(BackupFailed):
            check(renamed)
        return
    other = databases(own_schema="elsewhere")
    with pytest.raises(BackupFailed, match="search_path"):
        restore(backup, other, NOW)
    engine = make_engine(other)
    try:
        assert is_empty(engine)  # nothing restored anywhere in it
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 's\\_%'")).scalar() == 0
    finally:
        engine.dispose()


def test_the_servers_job_keeps_the_days_the_setting_says_and_logs_a_failure(databases, tmp_path, monkeypatch, caplog):
    import ui.backup_schedule as job
    from db.models import Setting

    source = databases()
    _office(source)
    engine = make_engine(source)
    try:
        with engine.begin() as conn:  # backup.keep_days, as an admin sets it (core.office: 1..3650)
            conn.execute(Setting.__table__.update().where(Setting.key == "backup.keep_days").values(value="2"))
            conn.execute(Setting.__table__.update().where(Setting.key == "office.timezone")
                         .values(value='"Asia/Shanghai"'))
        monkeypatch.setattr(job, "web_engine", lambda: engine)
        monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "daily"))
        for moment in (NOW, NOW + timedelta(hours=1), NOW + timedelta(days=1), NOW + timedelta(days=2, hours=1)):
            monkeypatch.setattr(job.clock, "read_clock", lambda moment=moment: moment)
            job.run_backup_job()
        # three office days, one backup each; kept two days: the first (two days and an hour old) is gone
        kind = make_url(source).get_backend_name()
        assert [p.name for p in backups(tmp_path / "daily")] == [
            file_name(NOW + timedelta(days=1), kind), file_name(NOW + timedelta(days=2, hours=1), kind)]
        (tmp_path / "blocked").write_text("a file where the folder should be")
        monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "blocked"))
        monkeypatch.setattr(job.clock, "read_clock", lambda: NOW + timedelta(days=3))
        job.run_backup_job()  # logged, not raised: the scheduler goes on
        assert "daily backup failed" in caplog.text
    finally:
        engine.dispose()
