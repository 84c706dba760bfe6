"""The export file's route (issue 13, ui.export_route): the file, streamed from disk, to the user and browser
session that asked, once; anyone else, a second fetch or no session at all gets a 404 and no byte of it."""

from __future__ import annotations

import anyio
import pytest
from starlette.applications import Starlette

import ui.clock
import ui.export_route as route
from core.accounts.sessions import sign_in
from core.export import files
from core.i18n import t
from db.engine import session_scope
from db.enums import Role
from db.models import User
from tests.factories import NOW, PASSWORD, make_account
from tests.helpers import run_async


@pytest.fixture
def served(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(route, "web_engine", lambda: engine)
    monkeypatch.setattr(ui.clock, "read_clock", lambda: NOW)
    monkeypatch.setenv("SERVICEDESK_EXPORT_DIR", str(tmp_path / "exports"))
    return engine


def signed_in(engine, role=Role.MANAGER) -> tuple[int, str]:
    with session_scope(engine) as s:
        account = make_account(s, role)
    return account.id, sign_in(engine, account.username, PASSWORD, NOW)


def fetch(token: str, cookie: str | None) -> tuple[int, dict, bytes]:
    """One GET through the route as the server runs it (the body streamed, the background task after it)."""
    app = Starlette(routes=route.ROUTES)
    headers = [(b"cookie", f"sd_session={cookie}".encode())] if cookie else []
    scope = {"type": "http", "method": "GET", "path": f"/export/{token}", "raw_path": f"/export/{token}".encode(),
             "query_string": b"", "scheme": "http", "server": ("127.0.0.1", 8501), "headers": headers,
             "http_version": "1.1", "root_path": ""}
    sent: list[dict] = []
    asked: list[int] = []

    async def receive():  # the request once, then a client that stays connected until the response ends
        if asked:
            await anyio.sleep_forever()
        asked.append(1)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    async def call():
        await app(scope, receive, send)

    run_async(call)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def waiting_file(user_id: int, cookie: str, data: bytes = "编号\nWO-1\n".encode("utf-8-sig")) -> str:
    made = files.new_file(user_id, cookie, "work_orders-20261120-1400.csv", NOW)
    made.path.write_bytes(data)
    return made.token


def test_the_user_who_asked_downloads_the_file_once_and_it_is_gone(served):
    user_id, cookie = signed_in(served)
    token = waiting_file(user_id, cookie)
    status, headers, body = fetch(token, cookie)
    assert status == 200 and body == "编号\nWO-1\n".encode("utf-8-sig")
    assert headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="work_orders-20261120-1400.csv"' in headers["content-disposition"]
    assert headers["cache-control"] == "no-store"
    assert not (files.export_dir() / token).exists()  # deleted once handed over
    assert fetch(token, cookie)[0] == 404


@pytest.mark.parametrize("who", ["nobody", "another user", "another session of the same user"])
def test_anyone_else_gets_a_404_and_nothing_of_the_file(served, who):
    user_id, cookie = signed_in(served)
    token = waiting_file(user_id, cookie)
    if who == "another session of the same user":
        with session_scope(served) as s:
            other = sign_in(served, s.get(User, user_id).username, PASSWORD, NOW)
    else:
        other = signed_in(served)[1] if who == "another user" else None
    status, _, body = fetch(token, other)
    assert status == 404 and body.decode() == t("export.gone", "en")
    assert (files.export_dir() / token / "file").exists()  # still there for its owner


def test_a_made_up_token_gets_a_404(served):
    _, cookie = signed_in(served)
    assert fetch("../../etc/passwd", cookie)[0] == 404
    assert fetch("x" * 80, cookie)[0] == 404
