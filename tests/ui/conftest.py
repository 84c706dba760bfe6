"""AppTest fixtures: a small demo office built once per session for a pinned day, and a pristine copy of it
for every test (served through DATABASE_URL), so a test never meets what another one changed; the app's
clock pinned to an hour after the demo's history ends; and a signed-in user. Two outside boundaries are
replaced: ui.clock.read_clock (the machine's clock) by the pinned instant, and ui.auth.session_token (the
cookie the browser sent, which AppTest cannot send) by a token from a real sign-in at that instant."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.auth
import ui.charts
import ui.clock
from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.accounts.sessions import sign_in
from db.engine import make_engine
from db.enums import Role
from demo.build import Scale
from tests.helpers import DEMO_NOW, DEMO_TODAY, demo_office

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
SMALL = Scale(customers=200, work_orders=400, callbacks=1200, complaints=80, leads=60)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo office, built once per session, for the pinned day and seed: the same rows on any date."""
    path = tmp_path_factory.mktemp("ui") / "template.sqlite"
    demo_office(path, DEMO_TODAY, SMALL)
    return path


@pytest.fixture(autouse=True)
def checked_charts(monkeypatch) -> None:
    """Every chart a page test draws is checked against the Vega-Lite schema, as the served app skips it."""
    monkeypatch.setattr(ui.charts, "VALIDATE", True)


@pytest.fixture(autouse=True)
def now(monkeypatch) -> datetime:
    """The app's clock in every UI test: the pinned instant (ui.clock.read_clock is the one place it is read)."""
    monkeypatch.setattr(ui.clock, "read_clock", lambda: DEMO_NOW)
    return DEMO_NOW


@pytest.fixture
def demo_url(demo_template, tmp_path) -> str:
    """This test's own copy of the pristine demo office (SQLite's backup copies a consistent snapshot)."""
    copy = tmp_path / "demo.sqlite"
    with closing(sqlite3.connect(demo_template)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return f"sqlite:///{copy}"


@pytest.fixture
def sign_in_as(demo_url, now, monkeypatch):
    """sign_in_as(Role.X) → the cookie the app will see belongs to that demo user (None: signed out)."""
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def _as(role: Role | None) -> str | None:
        token = None
        if role is not None:
            engine = make_engine(demo_url)
            token = sign_in(engine, DEMO_ACCOUNTS[role], DEMO_PASSWORD, now)
            engine.dispose()
        monkeypatch.setattr(ui.auth, "session_token", lambda: token)
        return token

    return _as


@pytest.fixture
def open_page(sign_in_as):
    """open_page("pages/x.py", "zh", role) → an AppTest that has run the app as that role and switched
    to that page (default: the service manager, who may open every business page)."""

    def _open(path: str, lang: str = "en", role: Role = Role.MANAGER) -> AppTest:
        sign_in_as(role)
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page(path).run()
        return at

    return _open


@pytest.fixture(autouse=True)
def export_dir(tmp_path, monkeypatch) -> Path:
    """Every export a page test makes waits in the test's own folder, never in data/exports."""
    folder = tmp_path / "exports"
    monkeypatch.setenv("SERVICEDESK_EXPORT_DIR", str(folder))
    return folder
