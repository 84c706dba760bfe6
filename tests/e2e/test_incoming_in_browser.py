"""An incoming call logged in a real browser, in Chinese (CB-11): a missed call from a customer's number
is saved with its same-day call-back (CB-2), the page says who calls back, and the form is empty again in
the browser itself, so the next call is not saved over the last one's text (AppTest cannot see this)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.i18n import enum_label, t
from db.engine import make_engine, session_scope
from db.enums import ArchiveValidity, CallbackKind, IncomingCategory, Role
from db.models import Callback, Customer, IncomingCall
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled

pytestmark = pytest.mark.e2e
NEED = "打印机卡纸，来电无人接听"


def _a_customers_phone(url: str) -> tuple[int, str]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        row = s.execute(select(Customer.id, Customer.phone).where(
            Customer.validity == ArchiveValidity.VALID, Customer.specialist_id.is_not(None))
            .order_by(Customer.id.desc()).limit(1)).one()
    engine.dispose()
    return row.id, row.phone


def test_a_missed_call_is_logged_in_chinese_with_its_call_back_and_the_form_empties(served_app, e2e_db_url, browser):
    customer_id, phone = _a_customers_phone(e2e_db_url)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1200})
    page = context.new_page()
    try:
        sign_in(page, served_app, Role.SPECIALIST, next_path="/incoming")
        heading(page, t("nav.incoming", "zh")).wait_for(timeout=60_000)
        phone_box = page.get_by_label(t("incoming.phone", "zh"))
        phone_box.fill(phone)
        phone_box.press("Tab")
        settled(page)
        category = page.get_by_role("radiogroup", name=t("incoming.category", "zh"))
        category.get_by_text(enum_label(IncomingCategory.EXISTING_PROBLEM, "zh"), exact=True).click()
        page.get_by_label(t("incoming.need", "zh")).fill(NEED)
        page.get_by_text(t("incoming.answered", "zh"), exact=True).first.click()  # missed
        settled(page)
        page.get_by_role("button", name=t("incoming.save", "zh")).click()
        page.get_by_text(t("incoming.logged", "zh")).wait_for(timeout=60_000)
        settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert phone_box.input_value() == "" and page.get_by_label(t("incoming.need", "zh")).input_value() == ""
    finally:
        context.close()
    engine = make_engine(e2e_db_url)
    with session_scope(engine) as s:
        call = s.scalars(select(IncomingCall).where(IncomingCall.need == NEED)).one()
        assert (call.customer_id, call.answered, call.resolved) == (customer_id, False, False)
        cb = s.scalars(select(Callback).where(Callback.source_key == f"missed_call:incoming_call:{call.id}")).one()
        assert (cb.kind, cb.customer_id) == (CallbackKind.MISSED_CALL, customer_id)
    engine.dispose()
