"""WO-9: the print page of the customer's copy (ui.wo_print_route) is the copy only for a signed-in role that
reads work orders, and shows what people typed as text, never as markup."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.routing import Match

import ui.clock
import ui.wo_print_route as route
from core.accounts.sessions import sign_in
from core.i18n import t
from db.engine import session_scope
from db.enums import Role, WorkOrderStatus
from tests.factories import NOW, PASSWORD, make_account
from tests.helpers import run_async
from tests.hostile import TEXTS
from tests.usecases.test_work_order_copy import make_completed_order


@pytest.fixture
def served(engine, monkeypatch):
    """The route reads this test's database at the pinned clock."""
    monkeypatch.setattr(route, "web_engine", lambda: engine)
    monkeypatch.setattr(ui.clock, "read_clock", lambda: NOW)
    return engine


def get_copy(order_id: int, token: str | None = None, lang: str = "en"):
    cookie = [(b"cookie", f"sd_session={token}".encode())] if token else []
    scope = {"type": "http", "method": "GET", "path": f"/print/work-order/{order_id}",
             "query_string": f"lang={lang}".encode(), "scheme": "http", "server": ("127.0.0.1", 8501),
             "headers": cookie, "path_params": {"order_id": order_id}}
    return run_async(route.copy_page, Request(scope))


def account_of(engine, role: Role):
    with session_scope(engine) as s:
        return make_account(s, role)


def token_of(engine, role: Role, account=None) -> str:
    account = account or account_of(engine, role)
    return sign_in(engine, account.username, PASSWORD, NOW)


def test_the_orders_technician_gets_the_print_ready_copy(served):
    engineer = account_of(served, Role.ENGINEER)
    order_id = make_completed_order(served, technician_id=engineer.id)
    response = get_copy(order_id, token_of(served, Role.ENGINEER, engineer), "zh")
    body = response.body.decode()
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert t("wo.copy.title", "zh") in body and "@media print" in body and "size:A4" in body
    assert body.count('src="data:image/png;base64,') == 2


def test_a_browser_without_a_session_is_sent_to_sign_in_and_gets_nothing_of_the_copy(served):
    order_id = make_completed_order(served)
    response = get_copy(order_id)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/signin?next=%2Fprint%2Fwork-order%2F")
    assert b"data:image" not in response.body


def test_another_engineers_order_is_not_found_like_an_unknown_one(served):
    """Issue 12 review: an engineer reads only the orders assigned to them; another's copy is a 404."""
    order_id = make_completed_order(served)
    response = get_copy(order_id, token_of(served, Role.ENGINEER))
    assert response.status_code == 404 and response.body.decode() == t("wo.copy.not_found", "en")
    assert b"data:image" not in response.body


def test_an_administrator_is_refused_the_copy(served):
    order_id = make_completed_order(served)
    response = get_copy(order_id, token_of(served, Role.ADMIN))
    assert response.status_code == 403 and response.body.decode() == t("wo.copy.forbidden", "en")


def test_an_order_not_completed_and_an_unknown_order_have_no_page(served):
    token = token_of(served, Role.MANAGER)
    open_order = make_completed_order(served, status=WorkOrderStatus.IN_REPAIR, signed=False)
    assert get_copy(open_order, token).status_code == 409
    assert get_copy(open_order + 1000, token).status_code == 404


@pytest.mark.parametrize("name", ["html", "html_img", "markdown", "rtl_override"])
def test_hostile_text_is_shown_escaped(served, name):
    order_id = make_completed_order(served, work_done=TEXTS[name], address=TEXTS[name])
    body = get_copy(order_id, token_of(served, Role.MANAGER)).body.decode()
    assert "<script>" not in body and "<img src=x" not in body and "<b>x</b>" not in body
    assert body.count("<img ") == 2  # the two signatures, nothing a user typed
    assert "&lt;" in body or "<" not in TEXTS[name]


@pytest.mark.parametrize("raw", ["abc", "12x", "-3", "9" * 30])
def test_a_path_that_is_no_order_id_gets_the_not_found_page_in_the_users_language(served, raw):
    """Issue 12 tour: /print/work-order/abc (signed in) showed the app's blank shell. The route now takes the
    path and answers 404 with the catalog's text in the user's language."""
    path = f"/print/work-order/{raw}"
    assert route.ROUTES[0].matches({"type": "http", "method": "GET", "path": path})[0] == Match.FULL
    response = get_copy(raw, token_of(served, Role.MANAGER), "zh")
    assert response.status_code == 404 and response.body.decode() == t("wo.copy.not_found", "zh")
