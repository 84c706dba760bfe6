"""A database that cannot take the action (issue 15, "Faults"), seen in the app: the user reads what happened in
their language, where a refusal would be, no traceback; what they typed stays; nothing was saved. The errors are
real ones, raised by the driver against a full SQLite file and a port no server listens on, then raised again by
the use case the page calls (a disk fills or a server stops between the page's reads and its save)."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

import ui.auth
import ui.new_customer_form
from core.i18n import t
from db.engine import failure, make_engine
from db.enums import Role
from db.migrate import upgrade
from tests.helpers import as_read
from tests.ui.conftest import APP
from tests.ui.test_new_customer_form import customers_named


def _real_error(kind: str, tmp_path) -> Exception:
    if kind == "unreachable":
        engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
        statements = ["SELECT 1"]
    else:
        upgrade(url := f"sqlite:///{tmp_path / 'full.sqlite'}")
        engine = make_engine(url)
        # the file may not grow (a limit below its size is its size); its free pages fill first
        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA max_page_count = 1"))
        statements = ["CREATE TABLE grows (x TEXT)"] + [f"INSERT INTO grows VALUES ('{'x' * 4000}')"] * 1000
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    except Exception as exc:  # noqa: BLE001 - the driver's own error is the point
        assert failure(exc) == kind
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"no {kind} error")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["disk_full", "unreachable"])
def test_a_save_the_database_cannot_take_is_said_plainly_and_keeps_the_typed_input(open_page, demo_url, monkeypatch,
                                                                                  tmp_path, kind, lang):
    error = _real_error(kind, tmp_path)

    def save(*_args, **_kw):
        raise error

    monkeypatch.setattr(ui.new_customer_form, "create_customer", save)
    at = open_page("pages/customers.py", lang)
    at.text_input(key="ncu0_name").input("Zhou Ming Trading")
    at.text_input(key="ncu0_phone").input("0571-8765 4321")
    at.button(key="ncu0_check").click().run()
    assert not at.exception
    assert t(f"app.db_{kind}", lang) in [as_read(e.value) for e in at.error]
    assert at.text_input(key="ncu0_name").value == "Zhou Ming Trading"
    assert customers_named(demo_url, "Zhou Ming Trading") == []


def test_a_server_gone_before_the_page_is_drawn_is_said_instead_of_the_page(sign_in_as, monkeypatch, tmp_path):
    sign_in_as(Role.MANAGER)
    error = _real_error("unreachable", tmp_path)

    def unreachable():
        raise error

    monkeypatch.setattr(ui.auth, "resolve_actor", unreachable)  # the entry script's first database read
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert [as_read(e.value) for e in at.error] == [t("app.db_unreachable", "zh")]
