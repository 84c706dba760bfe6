"""The sign-in page the app serves itself: escaped, bilingual, demo accounts only in demo mode, the
first-admin form (with the server's setup code) only for a new office, and no redirect to another
site after signing in."""

from __future__ import annotations

from html import escape

from core.accounts.demo import DEMO_PASSWORD
from core.i18n import t
from ui.signin_html import render_signin
from ui.web_auth import _safe_next, signin_redirect


def test_demo_mode_shows_the_demo_accounts_labelled_as_demo():
    html = render_signin("zh", csrf="c", next_path="/", error_key=None, demo=True, first_admin=False)
    assert t("auth.demo_title", "zh") in html and DEMO_PASSWORD in html and "specialist1" in html


def test_a_real_office_shows_no_demo_password():
    html = render_signin("en", csrf="c", next_path="/", error_key=None, demo=False, first_admin=False)
    assert DEMO_PASSWORD not in html and t("auth.title", "en") in html


def test_a_new_office_is_asked_for_its_first_admin_with_the_password_twice():
    html = render_signin("en", csrf="c", next_path="/", error_key=None, demo=False, first_admin=True)
    assert t("auth.first_admin_title", "en") in html and 'name="password2"' in html


def test_a_new_offices_first_admin_form_asks_for_the_setup_code_and_says_where_it_is_printed():
    """Issue 9 (a): whoever reaches the page first must not own the office."""
    html = render_signin("zh", csrf="c", next_path="/", error_key=None, demo=False, first_admin=True)
    assert 'name="setup_code"' in html and escape(t("auth.setup_code_help", "zh")) in html


def test_an_office_with_an_admin_and_the_demo_ask_for_no_setup_code():
    for demo in (True, False):
        html = render_signin("en", csrf="c", next_path="/", error_key=None, demo=demo, first_admin=False)
        assert "setup_code" not in html


def test_the_error_is_the_catalog_message_and_values_are_escaped():
    html = render_signin("en", csrf='"><script>', next_path='/x"><script>', error_key="auth.failed",
                         demo=False, first_admin=False)
    assert "<script>" not in html and t("auth.failed", "en").replace("'", "&#x27;") in html


def test_after_sign_in_only_a_path_on_this_site_is_followed():
    assert _safe_next("/customers?id=3") == "/customers?id=3"
    assert _safe_next("//evil.example/") == "/"
    assert _safe_next("https://evil.example/") == "/"
    assert _safe_next(None) == "/"
    assert _safe_next("/\\evil.example/") == "/" and _safe_next("/x\ty") == "/"


def test_a_signed_out_link_to_one_record_returns_to_that_record_after_sign_in():
    """Issue 12 tour: /work-orders?id=301 signed out came back to the list; the query now rides along."""
    target = signin_redirect("/work-orders", b"id=301&sort=-number")
    assert target == "/auth/signin?next=/work-orders%3Fid%3D301%26sort%3D-number"
    assert _safe_next("/work-orders?id=301&sort=-number") == "/work-orders?id=301&sort=-number"
    assert signin_redirect("/customers", b"") == "/auth/signin?next=/customers"


def test_a_refused_form_keeps_the_names_typed_escaped_and_never_a_password():
    """Issue 10 (forms): a wrong password keeps the user name typed."""
    html = render_signin("zh", csrf="c", next_path="/", error_key="auth.failed", demo=False, first_admin=True,
                         typed={"username": 'ann"><script>', "display_name": "王小明"})
    assert 'value="ann&quot;&gt;&lt;script&gt;"' in html and "<script>" not in html
    assert 'value="王小明"' in html
    assert html.count("value=") == html.count('type="hidden"') + 2  # no password, no code refilled
