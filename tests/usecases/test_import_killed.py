"""Issue 13's acceptance: a server killed in the middle of an import leaves the database as it was (C-1, all or
nothing). An import runs in a child process whose progress callback tells the parent how far it got and then
waits; the parent kills it with SIGKILL at that point (after the first chunk, midway, near the end, and with
every row written but not yet committed), and the database holds exactly what it held before, and passes its
integrity check; then the same file imports whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.imports import read
from core.imports.fields import guess
from core.imports.plan import Options
from core.imports.services import run_import
from db.engine import session_scope
from db.enums import Role
from tests.factories import NOW, make_account, make_customer, make_product
from tests.import_corpus import csv_bytes, good
from tests.usecases.test_import_corpus import counts

ROWS = 600  # four chunks of 150 (the child writes in chunks of 150 rather than 500, to start sooner)
ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys, time
from core.imports import read
from core.imports.fields import guess
from core.imports.plan import Options
from core.imports import services
from core.imports.services import run_import
from core.permissions import Actor
from db.engine import make_engine
from db.enums import Role
from tests.factories import NOW

services.FLUSH_ROWS = 150
url, path, actor_id, stop_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
src = read.source("kill.csv", open(path, "rb").read())
tab = read.table(src)

def progress(done, total):
    print(done, flush=True)
    if done >= stop_at:
        time.sleep(120)  # the parent kills us here, the transaction open

run_import(make_engine(url), Actor(actor_id, "m", "M", Role.MANAGER), src, tab, Options(mapping=guess(tab.headers)),
           NOW, progress)
print("committed", flush=True)
"""


ORPHANS = ("SELECT count(*) FROM customer_search_terms t LEFT JOIN customers c ON c.id = t.customer_id "
           "WHERE c.id IS NULL",
           "SELECT count(*) FROM products p LEFT JOIN customers c ON c.id = p.customer_id WHERE c.id IS NULL")


def _integrity(engine) -> str:
    """SQLite's own check of the file; on both databases, no term or product left without its customer."""
    with engine.connect() as conn:
        if any(conn.execute(text(q)).scalar() for q in ORPHANS):
            return "orphans"
        if engine.dialect.name == "sqlite":
            return conn.execute(text("PRAGMA integrity_check")).scalar()
        return "ok"


def _kill_at(db_url: str, path: Path, actor_id: int, stop_at: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(path), str(actor_id), str(stop_at)],
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        for line in child.stdout:
            assert line.strip() != "committed", "the import ended before it could be killed"
            if int(line) >= stop_at:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


@pytest.fixture
def archive(engine):
    """A manager and a small archive that the killed imports must leave as it is."""
    with session_scope(engine) as s:
        manager = make_account(s, Role.MANAGER)
        for i in range(3):
            make_product(s, make_customer(s, name=f"老客户{i}", phone=f"+86139000000{i:02d}"))
    return manager


def test_an_import_killed_at_any_point_leaves_the_database_as_it_was(engine, db_url, archive, tmp_path):
    path = tmp_path / "kill.csv"
    path.write_bytes(csv_bytes(good(ROWS)))
    before = counts(engine)
    for stop_at in (150, 300, 450, ROWS):  # ROWS: every row written, the batch and the audit not yet
        _kill_at(db_url, path, archive.id, stop_at)
        assert counts(engine) == before, stop_at
        assert _integrity(engine) == "ok"
    src = read.source("kill.csv", path.read_bytes())
    tab = read.table(src)
    result = run_import(engine, archive, src, tab, Options(mapping=guess(tab.headers)), NOW)
    assert result.created == ROWS
    assert counts(engine)["customers"] == before["customers"] + ROWS
