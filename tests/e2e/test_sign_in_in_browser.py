"""Signing in as a person does it: the session survives a refresh and ends on sign-out for good;
six wrong passwords lock the account with the same message; a forbidden URL lands on the default page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.i18n import t
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled

pytestmark = pytest.mark.e2e


def test_a_refresh_keeps_me_signed_in_and_signing_out_ends_the_session(served_app, new_tab):
    page = new_tab(locale="en-US")
    sign_in(page, served_app, Role.SPECIALIST, next_path="/customers")
    heading(page, t("nav.customers", "en")).wait_for(timeout=60_000)
    cookie = next(c for c in page.context.cookies() if c["name"] == "sd_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.reload()
    heading(page, t("nav.customers", "en")).wait_for(timeout=60_000)
    second_tab = page.context.new_page()
    second_tab.goto(f"{served_app}/callbacks")
    heading(second_tab, t("nav.callbacks", "en")).wait_for(timeout=60_000)
    settled(page)
    page.get_by_role("button", name=t("auth.sign_out", "en")).click()
    page.get_by_text(t("auth.signed_out", "en")).wait_for(timeout=30_000)
    page.go_back()
    page.goto(f"{served_app}/customers")
    assert "/auth/signin" in page.url
    second_tab.reload()
    assert "/auth/signin" in second_tab.url


def test_six_wrong_passwords_lock_the_account_with_the_same_message(served_app, new_tab):
    page = new_tab(locale="zh-CN")
    for _ in range(6):
        sign_in(page, served_app, Role.FINANCE, password="wrong-password-x")
        assert page.get_by_role("alert").inner_text() == t("auth.failed", "zh")
    sign_in(page, served_app, Role.FINANCE)
    assert page.get_by_role("alert").inner_text() == t("auth.failed", "zh")
    assert "/auth/signin" in page.url


def test_a_specialist_opening_a_forbidden_pages_url_lands_on_the_default_page(served_app, new_tab):
    page = new_tab(locale="en-US")
    sign_in(page, served_app, Role.SPECIALIST)
    heading(page, t("nav.my_work", "en")).wait_for(timeout=60_000)
    page.goto(f"{served_app}/kpis")
    heading(page, t("nav.my_work", "en")).wait_for(timeout=60_000)
    expect(page.get_by_text(t("nav.not_your_page", "en", page=t("nav.kpis", "en")))).to_be_visible(timeout=60_000)
    settled(page)
    assert heading(page, t("nav.kpis", "en")).count() == 0
    assert "refused" not in page.url  # said once: a refresh shows the first page alone
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_first_request_after_a_server_start_goes_through_the_apps_navigation(e2e_db_url, new_tab):
    """Streamlit runs a pages/ file directly, around the entry script, until some run in the process has
    called st.navigation; the launcher switches that legacy mode off before the first request."""
    from tests.e2e.conftest import serve

    with serve(e2e_db_url) as base:
        page = new_tab(locale="en-US")
        sign_in(page, base, Role.SPECIALIST, next_path="/customers")
        heading(page, t("nav.customers", "en")).wait_for(timeout=60_000)
        settled(page)
        assert page.get_by_text(t("error.forbidden", "en")).count() == 0
        assert page.get_by_role("link", name="streamlit app").count() == 0
