"""The app's HTTP surface as the browser and a stranger see it (issue 9): a tour of every page of every role
asks no host but the app's own and breaks no rule of the content security policy; every response carries the
security headers; only the health check answers without a session (metrics answer nobody); and the host
configuration lets no foreign origin drive the app."""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlparse

import pytest

from core.accounts.demo import DEMO_ACCOUNTS
from core.i18n import t
from core.permissions import pages_for
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import URLS, heading, settled

pytestmark = pytest.mark.e2e
SECURITY_HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
RECORD_CSP_VIOLATIONS = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                         "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile))")


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    """A plain GET without cookies, redirects not followed: what a stranger on the LAN gets."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def _assert_secured(headers: dict[str, str], what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (what, name)
    policy = headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, what


@pytest.mark.parametrize("role", list(DEMO_ACCOUNTS), ids=str)
def test_a_tour_of_every_page_of_the_role_asks_no_host_but_the_apps_own(served_app, new_tab, role):
    """Issue 9: a ":material/...:" page icon made every page fetch from an outside font host. Every request and
    websocket of the tour, from the sign-in form on, goes to the app's own host; no CSP rule is broken; and every
    response of the app carries the security headers (pages, scripts, styles, fonts, images, redirects)."""
    page = new_tab(locale="en-US", viewport={"width": 1400, "height": 900})
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    own, foreign, unsecured, violations = urlparse(served_app).netloc, set(), set(), []
    page.on("request", lambda req: _record_foreign(req.url, own, foreign))
    page.on("websocket", lambda ws: _record_foreign(ws.url, own, foreign))
    page.on("response", lambda resp: _record_unsecured(resp, unsecured))
    sign_in(page, served_app, role)
    for name in pages_for(role):
        page.goto(f"{served_app}/{URLS[name]}")
        heading(page, t(f"nav.{name}", "en")).wait_for(timeout=60_000)
        settled(page)
        violations += page.evaluate("window.__csp")
    assert foreign == set()
    assert violations == []
    assert unsecured == set()


def _record_foreign(url: str, own: str, foreign: set[str]) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("data", "blob") and parsed.netloc != own:
        foreign.add(f"{parsed.scheme}://{parsed.netloc}")


def _record_unsecured(response, unsecured: set[str]) -> None:
    try:
        _assert_secured(response.headers, response.url)
    except AssertionError:
        unsecured.add(response.url)


def test_the_sign_in_form_a_page_and_a_static_asset_carry_the_security_headers(served_app, new_tab):
    """Issue 9: nothing framed the sign-in form or said nosniff; now each kind of answer does."""
    status, headers, _ = _get(f"{served_app}/auth/signin")
    assert status == 200
    _assert_secured(headers, "sign-in form")
    status, headers, _ = _get(f"{served_app}/customers")
    assert status == 303 and headers["location"].startswith("/auth/signin")
    _assert_secured(headers, "redirect to sign-in")
    page = new_tab(locale="en-US")
    sign_in(page, served_app, Role.SPECIALIST, next_path="/customers")
    heading(page, t("nav.customers", "en")).wait_for(timeout=60_000)
    response = page.goto(f"{served_app}/customers")
    _assert_secured(response.headers, "signed-in page")
    asset = page.evaluate("document.querySelector('script[type=module]').src")
    status, headers, _ = _get(asset)
    assert status == 200
    _assert_secured(headers, "static asset")


def test_only_the_health_check_answers_without_a_session_and_metrics_answer_nobody(served_app, new_tab):
    """Issue 9: /_stcore/metrics told anyone the server's sessions and caches. Now it and the agent API are 404
    for everyone, signed in or not; the health check still answers a stranger."""
    assert _get(f"{served_app}/_stcore/health")[0] == 200
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_events", "/_stcore/agent/openapi.json"):
        status, headers, body = _get(f"{served_app}{path}")
        assert status == 404 and b"session" not in body, path
        _assert_secured(headers, path)
    page = new_tab(locale="en-US")
    sign_in(page, served_app, Role.SPECIALIST)
    heading(page, t("nav.my_work", "en")).wait_for(timeout=60_000)
    assert page.request.get(f"{served_app}/_stcore/metrics").status == 404


def test_the_host_configuration_lets_no_foreign_origin_drive_the_app(served_app):
    """Issue 9: Streamlit's default host configuration allowed its own cloud's origins to send the app
    messages from a parent frame. The app allows none."""
    status, headers, body = _get(f"{served_app}/_stcore/host-config")
    assert status == 200
    assert json.loads(body)["allowedOrigins"] == []
    _assert_secured(headers, "host-config")
