"""Issue 10, one language at a time: the browser remembers the language chosen (a cookie set by the app's own
route, read by the sign-in page and the app), a link to no page of the role lands on its first page (not on
Streamlit's English "Page not found"), and no text on screen names a rule id or Python's None."""

from __future__ import annotations

import re

import pytest
from starlette.requests import Request

from core.i18n import catalog, t
from core.kpi import KPIS, definition
from db.enums import Role
from tests.helpers import run_async
from ui.nav import page_paths
from ui.web_auth import LANG_COOKIE, LANG_ROUTE, RequireSignIn, _lang, language, refused_target


def _request(query: str = "", cookie: str = "", accept: str = "en-US", path: str = "/auth/signin") -> Request:
    headers = [(b"accept-language", accept.encode())] + ([(b"cookie", cookie.encode())] if cookie else [])
    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                    "headers": headers, "scheme": "http", "server": ("127.0.0.1", 80)})


@pytest.mark.parametrize("code", ["en", "zh"])
def test_the_language_route_remembers_the_choice_for_a_long_time_and_shows_nothing(code):
    response = run_async(language, _request(f"to={code}", path=LANG_ROUTE))
    assert response.status_code == 204 and response.body == b""
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{LANG_COOKIE}={code};") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert int(re.search(r"Max-Age=(\d+)", cookie).group(1)) > 300 * 24 * 3600


@pytest.mark.parametrize("wanted", ["to=fr", "to=", "to=zh%3Bx%3D1", "to=%3Cb%3E", ""])
def test_the_language_route_sets_nothing_for_an_unknown_language(wanted):
    response = run_async(language, _request(wanted, path=LANG_ROUTE))
    assert response.status_code == 204 and "set-cookie" not in response.headers


def test_the_sign_in_page_speaks_the_language_chosen_before_over_the_browsers():
    assert _lang(_request(cookie=f"{LANG_COOKIE}=zh", accept="en-US")) == "zh"
    assert _lang(_request(cookie=f"{LANG_COOKIE}=en", accept="zh-CN")) == "en"
    assert _lang(_request(query="lang=en", cookie=f"{LANG_COOKIE}=zh")) == "en"  # its own link wins
    assert _lang(_request(cookie=f"{LANG_COOKIE}=xx", accept="zh-CN")) == "zh"


@pytest.mark.parametrize(("path", "role", "wrong"), [
    ("/", Role.SPECIALIST, False), ("/callbacks", Role.SPECIALIST, False), ("/callbacks/", Role.MANAGER, False),
    ("/settings", Role.SPECIALIST, True),  # a page of another role
    ("/nonsense", Role.MANAGER, True), ("/my-work", Role.MANAGER, True),  # the first page lives at the root
    ("/callbacks/_stcore/health", Role.SPECIALIST, False),  # the frontend looking for Streamlit under a page
    ("/work-orders/static/js/x", Role.ENGINEER, False),
], ids=lambda v: str(v))
def test_a_link_to_no_page_of_the_role_is_sent_to_its_first_page(path, role, wrong):
    assert RequireSignIn._is_wrong_page(path, role) is wrong


def test_a_link_turned_away_names_its_path_cut_short():
    assert refused_target("/kpis") == "/?refused=kpis"
    assert refused_target("/x/kpis/") == "/?refused=x%2Fkpis"  # the whole path: no page, not KPIs
    assert refused_target("/a/b c&d=<x>") == "/?refused=a%2Fb+c%26d%3D%3Cx%3E"  # one parameter, whatever was typed
    assert refused_target("/" + "x" * 500) == "/?refused=" + "x" * 60


def test_every_role_reaches_each_of_its_pages_by_its_address():
    assert page_paths(Role.ENGINEER) == {"", "complaints", "work-orders", "account"}


RULE_ID = re.compile(r"\b[A-Z]{1,2}-\d+\b|[(（]None\b|\bNone[,，)）]")  # "(K-1, CB-3)", "(None, shown as —)"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_text_on_screen_names_a_rule_id_or_pythons_none(lang):
    assert {k: v for k, v in catalog(lang).items() if RULE_ID.search(v)} == {}


def test_the_kpi_definitions_shown_are_the_docstrings_without_rule_ids():
    assert all(not RULE_ID.search(definition(name)) for name in KPIS)
    assert definition("reach_rate").startswith("Reach rate. Numerator:")


def test_the_call_screen_is_the_call_in_chinese_not_a_call_log():
    assert t("nav.call", "zh") == "通话"
