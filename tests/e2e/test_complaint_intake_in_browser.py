"""A complaint taken in by a specialist in a real browser, in Chinese (CP-1): the customer found by search,
the channel chosen, a specific description typed, saved with its complaint call planned (CB-2); then a photo
attached on the record and shown as a thumbnail. Only a browser shows the uploader's real file input and the
served picture. The customer is made by the test, so no other test's complaints are theirs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.i18n import enum_label, t
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, ComplaintChannel, ComplaintStatus, Role
from db.models import Callback, Complaint, ComplaintEvidence, Customer, User
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled
from tests.factories import make_customer, make_product
from tests.sample_files import picture

pytestmark = pytest.mark.e2e
DESCRIPTION = "打印机自周一起每打印两页就卡纸一次，进纸轮有异响"


def _a_customer(url: str) -> str:
    """A new customer of specialist1 with one product and a name no other test uses."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        specialist = s.scalar(select(User.id).where(User.username == "specialist1"))
        n = s.scalar(select(func.count()).select_from(Customer))
        customer = make_customer(s, code=f"EC{n:06d}", name="浏览器测试投诉客户", phone=f"1993{n:07d}",
                                 specialist_id=specialist)
        make_product(s, customer, model="LJ-2200")
        name = customer.name
    engine.dispose()
    return name


def test_a_complaint_is_taken_in_in_chinese_and_a_photo_attached(served_app, e2e_db_url, new_tab, tmp_path):
    name = _a_customer(e2e_db_url)
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1400})
    sign_in(page, served_app, Role.SPECIALIST, next_path="/complaints")
    heading(page, t("nav.complaints", "zh")).wait_for(timeout=60_000)
    page.get_by_text(t("cp.new.title", "zh"), exact=True).click()
    search = page.get_by_label(t("cp.new.search", "zh"))
    search.fill(name)
    search.press("Enter")
    settled(page)
    page.get_by_placeholder(t("cp.new.pick_customer", "zh"), exact=True).click()
    page.get_by_role("option", name=re.compile("^" + re.escape(name))).first.click()
    settled(page)
    page.get_by_text(enum_label(ComplaintChannel.PHONE, "zh"), exact=True).first.click()
    page.get_by_label(t("cp.description", "zh")).fill(DESCRIPTION)
    settled(page)
    page.get_by_role("button", name=t("cp.new.save", "zh")).click()
    open_it = page.get_by_role("button", name=re.compile("^" + re.escape(t("cp.new.open", "zh", number="CP"))))
    open_it.first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    engine = make_engine(e2e_db_url)
    with session_scope(engine) as s:
        cp = s.scalars(select(Complaint).where(Complaint.description == DESCRIPTION)).one()
        assert (cp.status, cp.channel) == (ComplaintStatus.RECEIVED, ComplaintChannel.PHONE)
        calls = s.scalars(select(Callback.kind).where(Callback.complaint_id == cp.id)).all()
        assert calls == [CallbackKind.COMPLAINT]  # CB-2: planned at once
        complaint_id = cp.id
    open_it.first.click()
    expect(page).to_have_url(re.compile(rf"[?&]id={complaint_id}\b"), timeout=60_000)
    page.get_by_text(t("cp.evidence.title", "zh"), exact=True).first.wait_for(timeout=60_000)
    settled(page)
    photo = tmp_path / "卡纸照片.jpg"
    photo.write_bytes(picture("JPEG", (64, 48)))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    attach = page.get_by_role("button", name=t("cp.evidence.attach", "zh"), exact=True)
    expect(attach).to_be_enabled(timeout=60_000)
    attach.click()
    page.get_by_text(t("cp.evidence.attached", "zh", count=1)).wait_for(timeout=60_000)
    settled(page)
    thumbnail = page.locator('[data-testid="stImage"] img').first
    thumbnail.wait_for(timeout=60_000)
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumbnail.element_handle())
    assert page.locator('[data-testid="stException"]').count() == 0
    with session_scope(engine) as s:
        kept = s.scalars(select(ComplaintEvidence).where(ComplaintEvidence.complaint_id == complaint_id)).one()
        assert (kept.content_type, kept.filename) == ("image/jpeg", "卡纸照片.jpg")
    engine.dispose()
