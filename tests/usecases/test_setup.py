"""`make demo` into a real office (DATABASE_URL) loads the demo data but no known password: the demo
password would be a door into a real office. Its first visit asks for the first administrator instead,
with the one-time setup code the server printed at its start (issue 9)."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, func, select
from starlette.requests import Request
from starlette.responses import Response

import ui.clock
from cli import admin
from cli.setup import demo_locale, prepare
from core.accounts.services import needs_first_admin
from core.i18n import t
from db.config import AppConfig
from db.engine import make_engine, session_scope
from db.models import Customer, User
from tests.factories import make_account
from tests.helpers import run_async
from ui import web_auth
from ui.web_engine import _engine, web_engine

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


@pytest.mark.parametrize(("env", "expected_manager"), [("en", "Linda Park"), ("", "王芳")], ids=["en", "default-zh"])
def test_the_demo_office_is_built_in_the_language_demo_locale_asks_for(tmp_path, monkeypatch, env, expected_manager):
    """Issue 10: an English demo has English people, addresses and notes; the default stays Chinese."""
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_LOCALE", env)
    prepare(with_demo=True, today=TODAY)
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            assert s.scalar(select(User.display_name).where(User.username == "manager")) == expected_manager
            addresses = s.scalars(select(Customer.address)).all()
        assert addresses and all(a.isascii() for a in addresses) == (env == "en")
    finally:
        engine.dispose()


def test_an_unknown_demo_locale_is_refused_with_the_choices():
    with pytest.raises(SystemExit, match="zh, en"):
        demo_locale("fr")


# --- issue 9 (a): the setup code printed at the server's start -----------------------------------------

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
SECRET = "a long first password"


@pytest.fixture
def new_office(tmp_path, monkeypatch) -> Iterator[Engine]:
    """A new, migrated real office (DATABASE_URL), served by the app's own routes with the clock pinned."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'office.sqlite'}")
    monkeypatch.setattr(ui.clock, "read_clock", lambda: NOW)
    monkeypatch.setattr(web_auth, "_sweep_in_background", lambda: None)
    prepare()
    yield web_engine()
    web_engine().dispose()
    _engine.cache_clear()


def post_signin(form: dict) -> Response:
    """The browser's POST of the sign-in form, straight to the route (its CSRF cookie and field match)."""
    body = urlencode({"csrf": "c", "next": "/"} | form).encode()
    scope = {"type": "http", "method": "POST", "path": "/auth/signin", "query_string": b"", "scheme": "http",
             "server": ("127.0.0.1", 8501), "headers": [(b"content-type", b"application/x-www-form-urlencoded"),
                                                         (b"cookie", b"sd_csrf=c")]}

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    return run_async(web_auth.signin_submit, Request(scope, receive))


def first_admin_form(code: str) -> dict:
    return {"first_admin": "1", "setup_code": code, "username": "root", "display_name": "Root Admin",
            "password": SECRET, "password2": SECRET}


def test_a_new_real_office_prints_its_setup_code_at_start_and_only_that_code_creates_the_admin(new_office, capsys):
    web_auth.announce_setup_code()
    printed = capsys.readouterr().out
    [code] = re.findall(r"Setup code: (\w{4}-\w{4})", printed)
    assert "/auth/signin" in printed
    wrong = post_signin(first_admin_form("AAAA-AAAA"))
    assert wrong.status_code == 400 and t("auth.setup_code_wrong", "en") in wrong.body.decode()
    assert needs_first_admin(new_office)
    right = post_signin(first_admin_form(code))
    assert right.status_code == 303 and "sd_session=" in right.headers["set-cookie"]
    assert not needs_first_admin(new_office)
    web_auth.announce_setup_code()  # the next start: the office has its admin, no code
    assert "Setup code" not in capsys.readouterr().out


def test_the_demo_office_prints_no_setup_code_and_refuses_a_first_admin_form(new_office, monkeypatch, capsys):
    monkeypatch.setattr(web_auth, "get_config", lambda: AppConfig(str(new_office.url), is_demo=True))
    web_auth.announce_setup_code()
    assert "Setup code" not in capsys.readouterr().out
    refused = post_signin(first_admin_form("AAAA-AAAA"))
    assert refused.status_code == 400 and needs_first_admin(new_office)


def test_the_console_command_creates_the_first_admin_with_a_code_of_its_own_and_only_once(new_office, monkeypatch):
    web_auth.announce_setup_code()
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": SECRET)
    assert admin.main(["create-admin", "root", "Root Admin"]) == 0
    assert not needs_first_admin(new_office)
    assert admin.main(["create-admin", "intruder", "Intruder"]) == 2


def test_a_wrong_password_keeps_the_user_name_and_the_page_to_go_to(new_office):
    """Issue 10 (forms): after a refused sign-in the user name stays typed and `next` is not lost."""
    response = post_signin({"username": "nobody", "password": "wrong password", "next": "/customers"})
    body = response.body.decode()
    assert response.status_code == 401
    assert 'name="username" type="text" autocomplete="username" value="nobody"' in body
    assert 'name="next" value="/customers"' in body


def test_a_real_account_with_a_wrong_password_keeps_its_user_name_typed(new_office):
    """Issue 10 (forms): an existing user mistyping the password finds their name still typed, never the
    password, and the one sign-in failure message."""
    with session_scope(new_office) as s:
        make_account(s, username="ann.li")
    response = post_signin({"username": "ann.li", "password": "not the password", "next": "/leads"})
    body = response.body.decode()
    assert response.status_code == 401 and 'value="ann.li"' in body and "not the password" not in body
    assert t("auth.failed", "en").replace("'", "&#x27;") in body
