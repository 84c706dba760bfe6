"""Helpers for the tests: a demo office for the UI and browser tests; the audit rows written since a test
began (the log refuses DELETE, so it keeps every earlier test's rows); a customer's row as plain data; and
settings put back after a test changed them (the settings rows are kept between tests)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text

from core.accounts.demo import set_demo_passwords
from core.office.defaults import DEFAULTS
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import AuditEntry, Customer
from demo.build import DEFAULT_SEED, Scale, build_demo

OFFICE_TZ = "Asia/Shanghai"  # the demo office's time zone (core.office.defaults)
DEMO_TODAY = date(2026, 6, 17)  # the UI and browser tests' demo office, pinned: a Wednesday; its history ends at noon
DEMO_NOW = datetime.combine(DEMO_TODAY, time(13), tzinfo=ZoneInfo(OFFICE_TZ)).astimezone(UTC)  # 13:00 office time


def demo_office(path: Path, today: date, scale: Scale, seed: int = DEFAULT_SEED) -> str:
    """A migrated SQLite demo office at `path`, built for the pinned `today` and `seed` (the same rows on any
    date), with the demo accounts' passwords; returns its URL."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        build_demo(engine, seed=seed, today=today, scale=scale)
        set_demo_passwords(engine)
    finally:
        engine.dispose()
    return url


def customer_row(engine: Engine, customer_id: int) -> dict:
    with session_scope(engine) as s:
        c = s.get(Customer, customer_id)
        return {"version": c.version, "grade": c.grade, "phone": c.phone, "email": c.email, "notes": c.notes}


def audit_mark(engine: Engine) -> int:
    """The highest audit id now: rows above it were written by the running test."""
    with session_scope(engine) as s:
        return s.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def audit_since(engine: Engine, mark: int) -> list[dict]:
    """Audit rows written after `mark`, oldest first, as plain dicts."""
    with session_scope(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.id > mark).order_by(AuditEntry.id)).all()
        return [{"id": r.id, "at": r.at, "user_id": r.user_id, "username": r.username, "role": r.role,
                 "entity": r.entity, "entity_id": r.entity_id, "action": r.action.value, "changes": r.changes}
                for r in rows]


def as_json(row: dict) -> str:
    return json.dumps(row, default=str, ensure_ascii=False)


@contextmanager
def restoring_settings(engine: Engine, *keys: str):
    """Put the listed settings back to their defaults afterwards, whatever the test did."""
    try:
        yield
    finally:
        with engine.begin() as conn:
            for key in keys:
                conn.execute(text("UPDATE settings SET value = :v, updated_by_id = NULL WHERE key = :k"),
                             {"v": json.dumps(DEFAULTS[key], ensure_ascii=False), "k": key})


def set_setting(engine: Engine, key: str, value: object) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = :v WHERE key = :k"), {"v": json.dumps(value), "k": key})


def as_read(markdown: str) -> str:
    """What a reader sees of a Markdown text that ui.text escaped: without its backslashes and word joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def run_async(fn, *args):
    """`anyio.run(fn, *args)` in a thread of its own: the browser tests' session-long playwright keeps an event
    loop running in the main thread, where a second one refuses to start."""
    import anyio

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, fn, *args).result()


def click_row(at, position: int = 0):
    """What a click on a list's row sends from a browser: the row selection of the list's table (keyed
    ui.listing.ROWS); the page then opens that row's record."""
    at.session_state["rows"] = {"selection": {"rows": [position], "columns": []}}
    return at.run()


def open_by_url(at, record_id: int):
    """A link, a bookmark or a typed URL to one record of the list page `at` shows: ?id=<record_id>."""
    at.query_params["id"] = str(record_id)
    return at.run()
