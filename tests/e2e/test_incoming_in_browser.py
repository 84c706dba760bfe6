"""An incoming call logged in a real browser, in Chinese (CB-11): a missed call from a customer's number
is saved with its same-day call-back (CB-2), the page says who calls back, and the form is empty again in
the browser itself, so the next call is not saved over the last one's text (AppTest cannot see this). The
customer is made by the test, so no other test's calls or callbacks are theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.i18n import enum_label, t
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, IncomingCategory, Role
from db.models import Callback, Customer, IncomingCall, User
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled
from tests.factories import make_customer
from ui.clock import read_clock

pytestmark = pytest.mark.e2e
NEED = "打印机卡纸，来电无人接听"


def _a_customers_phone(url: str) -> tuple[int, str]:
    """A new customer of specialist1 with a number of their own (id, phone)."""
    joined = read_clock() - timedelta(days=30)
    engine = make_engine(url)
    with session_scope(engine) as s:
        specialist = s.scalar(select(User.id).where(User.username == "specialist1"))
        n = s.scalar(select(func.count()).select_from(Customer))
        customer = make_customer(s, code=f"EI{n:06d}", phone=f"1992{n:07d}", specialist_id=specialist,
                                 created_at=joined, updated_at=joined)
        found = customer.id, customer.phone
    engine.dispose()
    return found


def test_a_missed_call_is_logged_in_chinese_with_its_call_back_and_the_form_empties(served_app, e2e_db_url, new_tab):
    customer_id, phone = _a_customers_phone(e2e_db_url)
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1200})
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
    # the saved run empties the form; the browser shows the widgets' new values a moment after the message
    expect(phone_box).to_have_value("", timeout=30_000)
    expect(page.get_by_label(t("incoming.need", "zh"))).to_have_value("", timeout=30_000)
    engine = make_engine(e2e_db_url)
    with session_scope(engine) as s:
        call = s.scalars(select(IncomingCall).where(IncomingCall.need == NEED)).one()
        assert (call.customer_id, call.answered, call.resolved) == (customer_id, False, False)
        cb = s.scalars(select(Callback).where(Callback.source_key == f"missed_call:incoming_call:{call.id}")).one()
        assert (cb.kind, cb.customer_id) == (CallbackKind.MISSED_CALL, customer_id)
    engine.dispose()
