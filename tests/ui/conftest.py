"""AppTest fixtures: one small demo office per test session, served through DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from db.demo import Scale, build_demo
from db.engine import make_engine
from db.migrate import upgrade

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
SMALL = Scale(customers=200, work_orders=400, callbacks=1200, complaints=80, leads=60)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'demo.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, scale=SMALL)
    engine.dispose()
    return url


@pytest.fixture
def open_page(demo_url, monkeypatch):
    """open_page("pages/x.py", "zh") → an AppTest that has run the app and switched to that page."""
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def _open(path: str, lang: str = "en") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page(path).run()
        return at

    return _open
