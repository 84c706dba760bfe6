"""Taking, checking and restoring a backup of the office's database (issue 15, "Backup and restore").

- SQLite: SQLite's online backup API copies the database page by page from a read-only connection, a
  consistent snapshot while the app goes on writing (WAL lets readers and the writer work side by side); the
  copy is made a single self-contained file (journal mode DELETE) and must pass `PRAGMA integrity_check`.
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot); pg_restore must read the archive to
  its end. An office whose URL sets a search_path (one schema of a shared database) is dumped
  as that schema alone.

A backup is written as `<name>.<pid>.part`, readable by the server's user only, and renamed when it passed its
check, so the folder never holds a half backup under a backup's name. `restore` checks the whole backup and
its schema revision, refuses a database that already holds an office unless asked to replace it (and then
backs that office up first), restores, and migrates the result to the current schema (an older backup comes
back usable). `run_daily` is the scheduler's job: once per office day, under a job lease so that two server
processes (or a server and cron) take it once, then the backups past the retention setting are deleted."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, make_url
from sqlalchemy.engine import URL

from core.backup.rules import SUFFIXES, daily_due, expired, file_name, taken_at
from core.reports.lease import release_lease, take_lease
from db.config import ROOT
from db.engine import make_engine
from db.migrate import alembic_config, is_empty, upgrade

FOLDER_ENV = "BACKUP_DIR"
DAILY_BACKUP = "daily_backup"  # its job lease
LEASE_TIME = timedelta(hours=6)  # longer than a backup of the largest office takes; a crashed holder frees it


class BackupFailed(Exception):
    """A backup or restore that did not happen, with what to do about it (shown to the administrator)."""


def backup_folder() -> Path:
    """Where backups are kept: BACKUP_DIR (read at call time), else data/backups beside the embedded database."""
    raw = os.environ.get(FOLDER_ENV, "").strip()
    return Path(raw) if raw else ROOT / "data" / "backups"


def backups(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first (other files are not backups and are left alone)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if taken_at(p.name) is not None), key=lambda p: taken_at(p.name))


def _dialect(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in SUFFIXES:
        raise BackupFailed(f"backups are made of SQLite and PostgreSQL databases, not {name}")
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database has no file to back up")
    return Path(database)


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection: never creates a missing file (a mistyped path is an error, not a new office)."""
    if not path.is_file():
        raise BackupFailed(f"no SQLite database at {path}")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_sqlite(path: Path) -> None:
    """The file is a whole SQLite database: PRAGMA integrity_check answers ok."""
    try:
        with closing(_read_only(path)) as conn:
            found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as e:
        raise BackupFailed(f"{path.name} is not a usable SQLite database: {e}") from e
    if found != ["ok"]:
        raise BackupFailed(f"{path.name} failed its integrity check: {'; '.join(found[:5])}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy with the online backup API, from a read-only snapshot; the copy stands alone (no -wal file)."""
    with closing(_read_only(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def _libpq(url: str) -> tuple[str, dict[str, str], str | None]:
    """The URL as libpq reads it (no driver name, no password: that goes in PGPASSWORD, never on a command
    line other users can list), the environment, and the schema its search_path names, if any."""
    u = make_url(url)
    env = {**os.environ, **({"PGPASSWORD": u.password} if u.password else {})}
    options = u.query.get("options", "")
    found = re.search(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_$]*)", options if isinstance(options, str) else "")
    plain: URL = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env, found[1] if found else None


def _run(tool: str, *args: str, env: dict[str, str]) -> str:
    if shutil.which(tool) is None:
        raise BackupFailed(f"{tool} is not installed (Debian: apt install postgresql-client)")
    done = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        lines = [n for n in done.stderr.strip().splitlines() if n.strip() and not n.lstrip().startswith("Command")]
        raise BackupFailed(f"{tool} failed: {' / '.join(lines[-3:]) or f'exit status {done.returncode}'}")
    return done.stdout


def check_dump(path: Path) -> str:
    """The file is a whole pg_dump archive: its table of contents lists table data, and pg_restore reads every
    part of it to the end (the contents alone are at the start: a dump cut short still lists them). Returns
    the table of contents."""
    listing = _run("pg_restore", "--list", str(path), env=dict(os.environ))
    if "TABLE DATA" not in listing:
        raise BackupFailed(f"{path.name} holds no table data")
    _run("pg_restore", f"--file={os.devnull}", str(path), env=dict(os.environ))
    return listing


def _same_schema(backup: Path, listing: str, wanted: str) -> None:
    """A dump of one schema (an office sharing its database; `listing`, its table of contents) restores into
    that schema only: restored under another, the app would find its own schema empty and the office
    elsewhere."""
    dumped = set(re.findall(r"^\d+; \d+ \d+ SCHEMA - (\S+) ", listing, re.MULTILINE))
    if len(dumped) == 1 and wanted not in dumped:
        raise BackupFailed(f"{backup.name} holds the schema {dumped.pop()}; the database's search_path names "
                           f"{wanted}: restore it with the search_path of the office it was taken from")


def _revision(backup: Path) -> str | None:
    """The schema revision (alembic_version) the backup was taken at; None: it holds none."""
    if backup.suffix == SUFFIXES["sqlite"]:
        with closing(_read_only(backup)) as conn:
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                return None
        return row[0] if row else None
    data = _run("pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(backup), env=dict(os.environ))
    lines = data.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and n + 1 < len(lines):
            return None if lines[n + 1] == "\\." else lines[n + 1].strip()
    return None


def _known_revision(backup: Path) -> None:
    """A backup this version of the app can migrate: one taken by a newer version is refused before anything
    is restored (its schema is one this app does not know, and could not bring back)."""
    revision = _revision(backup)
    if revision is None:
        raise BackupFailed(f"{backup.name} holds no office (no schema revision)")
    try:
        ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
    except CommandError as unknown:
        raise BackupFailed(f"{backup.name} was taken by a newer version of the app (schema {revision}): "
                           "restore it with that version") from unknown


def holds_office(engine) -> bool:
    """Whether the database holds an office: any customer or any user (an office set up with its first admin
    and nothing else yet is an office too). A migrated database with only its seeded settings does not."""
    if not is_empty(engine):
        return True
    if not inspect(engine).has_table("users"):
        return False
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM users LIMIT 1").first() is not None


def check(path: Path) -> str | None:
    """The backup at `path` passes its check (by its suffix), or BackupFailed; a dump's table of contents."""
    if not path.is_file():
        raise BackupFailed(f"no backup at {path}")
    if path.suffix == SUFFIXES["sqlite"]:
        check_sqlite(path)
        return None
    if path.suffix == SUFFIXES["postgresql"]:
        return check_dump(path)
    raise BackupFailed(f"{path.name} is not a backup (.sqlite or .dump)")


def take_backup(url: str, folder: Path, now: datetime) -> Path:
    """A backup of the database at `url`, taken at `now` into `folder`, checked; its path."""
    dialect = _dialect(url)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: the office's data, its owner's alone
    final = folder / file_name(now, dialect)
    part = final.with_name(f"{final.name}.{os.getpid()}.part")
    try:
        part.touch(mode=0o600)  # customers' details and password hashes: readable by the server's user only
        os.chmod(part, 0o600)
        if dialect == "sqlite":
            _sqlite_copy(_sqlite_path(url), part)
            check_sqlite(part)
        else:
            dsn, env, schema = _libpq(url)
            _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={part}", f"--dbname={dsn}",
                 *([f"--schema={schema}"] if schema else []), env=env)
            check_dump(part)
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)
    return final


def restore(backup: Path, url: str, now: datetime, replace: bool = False, keep_in: Path | None = None
            ) -> Path | None:
    """Restore `backup` into the database at `url` and migrate it to the current schema. Checked first, whole:
    the backup (its integrity, every part of a dump), its kind and its schema revision (a newer app's backup is
    refused). A database that holds an office already (`holds_office`) is refused unless `replace`: then that
    office is first backed up into `keep_in` (named by `now`), and that backup's path returned, so a replace by
    mistake can be undone. PostgreSQL restores in one transaction: a failure leaves the database as it was."""
    listing = check(backup)
    dialect = _dialect(url)
    if backup.suffix != SUFFIXES[dialect]:
        raise BackupFailed(f"{backup.name} is a backup of another kind of database than {dialect}")
    _known_revision(backup)
    if dialect == "postgresql":
        _same_schema(backup, listing or "", _libpq(url)[2] or "public")
    engine = make_engine(url)
    try:
        occupied = holds_office(engine)
    finally:
        engine.dispose()
    if occupied and not replace:
        raise BackupFailed("that database already holds an office: restore into an empty one, or replace it "
                           "with --replace (stop the app first)")
    kept = take_backup(url, keep_in or backup_folder(), now) if occupied else None
    if dialect == "sqlite":
        with closing(_read_only(backup)) as src, closing(sqlite3.connect(_sqlite_path(url))) as dst:
            src.backup(dst)
    else:
        dsn, env, _ = _libpq(url)
        _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", f"--dbname={dsn}", str(backup), env=env)
    upgrade(url)
    return kept


def prune(folder: Path, now: datetime, keep_days: int) -> list[Path]:
    """Delete the backups past the retention (core.backup.rules.expired); the ones deleted."""
    gone = [folder / n for n in expired([p.name for p in backups(folder)], now, keep_days)]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def run_daily(url: str, folder: Path, now: datetime, tz: str, keep_days: int, holder: str) -> str:
    """The daily backup, when due (core.backup.rules.daily_due) and this process holds the lease: "taken",
    "not due" or "busy" (another process is taking it). Backups past `keep_days` are deleted after a new one."""
    if not daily_due([p.name for p in backups(folder)], now, tz):
        return "not due"
    engine = make_engine(url)
    try:
        if not take_lease(engine, DAILY_BACKUP, holder, now, LEASE_TIME):
            return "busy"
        try:
            if not daily_due([p.name for p in backups(folder)], now, tz):  # taken meanwhile by the last holder
                return "not due"
            take_backup(url, folder, now)
            prune(folder, now, keep_days)
            return "taken"
        finally:
            release_lease(engine, DAILY_BACKUP, holder, now)
    finally:
        engine.dispose()
