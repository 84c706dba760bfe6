"""A work order taken in by a specialist in a real browser on a phone-sized screen, in Chinese (WO-1): the
customer found by search, the contact prefilled from the archive, a specific request typed and the type
chosen; the read-back step shows the order as it will be sent and sends nothing until the specialist
confirms they read it back; sent, the order opens at its own address. Only a browser shows the whole form
in one column at 390 pixels. The customer is made by the test, so no other test's orders are theirs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.i18n import enum_label, t
from db.engine import make_engine, session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import Customer, WorkOrder
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled
from tests.factories import make_customer

pytestmark = pytest.mark.e2e
REQUEST = "会议室空调自周一起漏水，滴在投影仪上"


def _a_customer(url: str) -> dict:
    engine = make_engine(url)
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(Customer))
        customer = make_customer(s, code=f"EW{n:06d}", name="浏览器测试工单客户", phone=f"1994{n:07d}",
                                 address="运河路8号", city="杭州")
        found = {"id": customer.id, "name": customer.name, "phone": customer.phone}
    engine.dispose()
    return found


def _orders(url: str, customer_id: int) -> list[tuple]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        rows = s.execute(select(WorkOrder.id, WorkOrder.number, WorkOrder.status, WorkOrder.request,
                                WorkOrder.phone).where(WorkOrder.customer_id == customer_id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_a_work_order_is_read_back_and_sent_on_a_phone_in_chinese(served_app, e2e_db_url, new_tab):
    customer = _a_customer(e2e_db_url)
    page = new_tab(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    sign_in(page, served_app, Role.SPECIALIST, next_path="/work-orders")
    heading(page, t("nav.work_orders", "zh")).wait_for(timeout=60_000)
    page.get_by_text(t("wo.intake.title", "zh"), exact=True).click()
    search = page.get_by_label(t("wo.intake.search", "zh"))
    search.fill(customer["name"])
    search.press("Enter")
    settled(page)
    page.get_by_placeholder(t("wo.intake.pick_customer", "zh"), exact=True).click()
    page.get_by_role("option", name=re.compile("^" + re.escape(customer["name"]))).first.click()
    settled(page)
    expect(page.get_by_label(t("wo.phone", "zh"))).to_have_value(customer["phone"], timeout=60_000)
    page.get_by_label(t("wo.request", "zh")).fill(REQUEST)
    page.get_by_text(enum_label(ServiceType.WARRANTY, "zh"), exact=True).first.click()
    settled(page)
    page.get_by_role("button", name=t("wo.intake.to_read_back", "zh")).click()
    page.get_by_text(t("wo.intake.read_back_intro", "zh")).wait_for(timeout=60_000)
    expect(page.get_by_text(REQUEST).first).to_be_visible()
    assert _orders(e2e_db_url, customer["id"]) == []  # nothing is sent before the read-back is confirmed
    page.get_by_text(t("wo.intake.read_back_done", "zh")).click()
    settled(page)
    page.get_by_role("button", name=t("wo.intake.send", "zh")).click()
    expect(page).to_have_url(re.compile(r"[?&]id=\d+"), timeout=60_000)
    settled(page)
    [(order_id, number, status, request, phone)] = _orders(e2e_db_url, customer["id"])
    assert (status, request, phone) == (WorkOrderStatus.NEW, REQUEST, customer["phone"])
    expect(page).to_have_url(re.compile(rf"[?&]id={order_id}\b"))
    page.get_by_text(number).first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the record fits the phone: no sideways scrolling
