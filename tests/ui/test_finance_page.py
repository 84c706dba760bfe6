"""The Finance page (WO-8) as finance drives it: this week's paid orders with their totals, an invoice number
entered per order, the sign-off refused without the confirmation and while an order lacks its invoice (naming
it), then signed, after which the week is read-only with who signed it; the list exports to Excel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import Customer, FinanceBatch, User, WorkOrder
from tests.factories import make_work_order
from tests.helpers import as_read
from tests.ui.conftest import DEMO_NOW

W = WorkOrderStatus


LAST_WEEK = date(2026, 6, 8)  # the Monday before the demo's pinned Wednesday: over, so it can be signed off


@pytest.fixture
def week_to_sign(demo_url) -> int:
    """Last week in the demo office's copy, not yet signed off: every accepted paid order invoiced but one, accepted
    a week ago, without an invoice number; and one paid order accepted this week."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        desk = s.scalars(select(User).where(User.role == Role.SPECIALIST)).first()
        customer = s.scalars(select(Customer).order_by(Customer.id)).first()
        s.execute(update(WorkOrder).where(WorkOrder.status == W.ACCEPTED, WorkOrder.invoice_no.is_(None))
                  .values(invoice_no="INV-DEMO"))
        s.execute(update(FinanceBatch).where(FinanceBatch.week_start == LAST_WEEK)
                  .values(signed_by_id=None, signed_at=None))
        order = make_work_order(s, customer, desk, number="WO-FIN-TEST", service_type=ServiceType.PAID,
                                status=W.ACCEPTED, accepted_at=DEMO_NOW - timedelta(days=7), fee_cents=25_000)
        order_id = order.id
        make_work_order(s, customer, desk, number="WO-FIN-NOW", service_type=ServiceType.PAID, status=W.ACCEPTED,
                        accepted_at=DEMO_NOW - timedelta(hours=1), fee_cents=5_000)  # in the running week
    engine.dispose()
    return order_id


def _status(url: str, order_id: int) -> W:
    engine = make_engine(url)
    with session_scope(engine) as s:
        status = s.get(WorkOrder, order_id).status
    engine.dispose()
    return status


def _texts(at) -> list[str]:
    return [as_read(e.value) for e in [*at.error, *at.success, *at.caption, *at.markdown, *at.toast]]


def test_finance_enters_the_invoice_and_signs_the_week_off(open_page, demo_url, week_to_sign):
    at = open_page("pages/finance.py", role=Role.FINANCE)
    at.selectbox(key="week").set_value(LAST_WEEK).run()
    assert not at.exception and at.title[0].value == t("nav.finance", "en")
    assert [b for b in at.button if b.key == "export_finance_week_xlsx"], "the week exports to Excel (WO-8)"
    at.checkbox[0].check()
    [b for b in at.button if b.label == t("wo.finance.sign_off", "en")][0].click().run()
    assert any("WO-FIN-TEST" in e for e in _texts(at)), "the refusal names the order without an invoice"
    assert _status(demo_url, week_to_sign) == W.ACCEPTED

    box = [i for i in at.text_input if i.key and i.key.startswith(f"invoice_no_{week_to_sign}_")][0]
    box.input("INV-2026-0042")
    at.button(key=f"save_invoice_{week_to_sign}").click().run()
    assert not at.exception and not at.error
    at.checkbox[0].check()
    [b for b in at.button if b.label == t("wo.finance.sign_off", "en")][0].click().run()
    assert not at.exception and not at.error
    assert _status(demo_url, week_to_sign) == W.SETTLED
    assert any(e.startswith("Signed off by") for e in _texts(at))
    assert not [i for i in at.text_input if (i.key or "").startswith("invoice_no_")]  # read-only now


def test_signing_off_without_the_confirmation_is_refused(open_page, demo_url, week_to_sign):
    at = open_page("pages/finance.py", role=Role.FINANCE)
    at.selectbox(key="week").set_value(LAST_WEEK).run()
    [b for b in at.button if b.label == t("wo.finance.sign_off", "en")][0].click().run()
    assert [e.value for e in at.error] == [t("wo.finance.confirm_required", "en")]
    assert _status(demo_url, week_to_sign) == W.ACCEPTED


def test_the_running_week_takes_invoices_but_offers_no_sign_off_yet(open_page, week_to_sign):
    at = open_page("pages/finance.py", role=Role.FINANCE)
    assert not at.exception
    assert not [b for b in at.button if b.label == t("wo.finance.sign_off", "en")]
    assert t("wo.week.not_over", "en") in [c.value for c in at.caption]


def test_the_week_lives_in_the_url_and_an_old_signed_week_is_offered(open_page, demo_url):
    """Issue 12: ?week= opens that week (a reload or a link shows it) and choosing one writes it back; a week
    signed off long ago is still among the choices."""
    old = date(2025, 1, 6)
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        who = s.scalars(select(User).where(User.role == Role.FINANCE)).first()
        s.add(FinanceBatch(week_start=old, signed_by_id=who.id, signed_at=DEMO_NOW - timedelta(days=500)))
    engine.dispose()
    at = open_page("pages/finance.py", role=Role.FINANCE)
    assert "Week of 6 Jan 2025" in at.selectbox(key="week").options
    at.query_params["week"] = str(LAST_WEEK)
    at.run()
    assert not at.exception and at.selectbox(key="week").value == LAST_WEEK
    at.selectbox(key="week").set_value(old).run()
    assert not at.exception and at.query_params["week"] in (str(old), [str(old)])
