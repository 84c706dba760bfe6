"""`make demo` into a real office (DATABASE_URL) loads the demo data but no known password: the demo
password would be a door into a real office. Its first visit asks for the first administrator instead."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from cli.setup import prepare
from core.accounts.services import needs_first_admin
from db.engine import make_engine, session_scope
from db.models import Customer, User

TODAY = date(2026, 11, 22)  # the demo's day, pinned: prepare() would build it for the machine's date


def test_demo_data_in_a_real_office_gets_no_password_and_asks_for_the_first_admin(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    message = prepare(with_demo=True, today=TODAY)
    assert "first administrator" in message
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(Customer)) > 0
            assert s.scalar(select(func.count()).select_from(User).where(User.password_hash.is_not(None))) == 0
        assert needs_first_admin(engine)
    finally:
        engine.dispose()
