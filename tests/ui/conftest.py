"""AppTest fixtures: one small demo office per test session, served through DATABASE_URL, and a
signed-in user. AppTest cannot send cookies, so the one outside boundary, ui.auth.session_token
(the cookie the browser sent), is replaced by a token from a real sign-in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.auth
from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, set_demo_passwords
from core.accounts.sessions import sign_in
from db.engine import make_engine
from db.enums import Role
from db.migrate import upgrade
from demo.build import Scale, build_demo

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
SMALL = Scale(customers=200, work_orders=400, callbacks=1200, complaints=80, leads=60)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'demo.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, scale=SMALL)
    set_demo_passwords(engine)
    engine.dispose()
    return url


@pytest.fixture
def sign_in_as(demo_url, monkeypatch):
    """sign_in_as(Role.X) → the cookie the app will see belongs to that demo user (None: signed out)."""
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def _as(role: Role | None) -> str | None:
        token = None
        if role is not None:
            engine = make_engine(demo_url)
            token = sign_in(engine, DEMO_ACCOUNTS[role], DEMO_PASSWORD, datetime.now(UTC))
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
