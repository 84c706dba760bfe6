"""Issue 12 browser tour, on a work order's record: the next step of an accepted order that has no fee to
settle, a note box cleared once its note is saved, a fee that is not a number said to be one, and the special
approval shown with who gave it and when (WO-5, WO-8)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.i18n import t
from core.work_orders import services
from db.engine import session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import Customer, User, WorkOrder
from tests.factories import make_work_order
from tests.helpers import as_read
from tests.ui.test_complaint_record import demo_user, errors, submit
from tests.ui.test_work_order_flow import db, dispatched, record_page, returned_without_sign_off, stored  # noqa: F401


def accepted(engine, now, kind: ServiceType) -> int:
    with session_scope(engine) as s:
        desk = s.scalars(select(User).where(User.role == Role.SPECIALIST)).first()
        customer = s.scalars(select(Customer).order_by(Customer.id)).first()
        return make_work_order(s, customer, desk, number=f"WO-TOUR-{kind.value}", service_type=kind,
                               status=WorkOrderStatus.ACCEPTED, accepted_at=now, intake_at=now).id


@pytest.mark.parametrize(("kind", "stage"), [(ServiceType.WARRANTY, "settled"), (ServiceType.CONTRACT, "settled"),
                                             (ServiceType.PAID, "accepted")])
def test_an_accepted_order_without_a_fee_to_settle_is_next_closed(open_page, db, now, kind, stage):  # noqa: F811
    oid = accepted(db, now, kind)
    at = record_page(open_page, oid, Role.MANAGER)
    assert t(f"wo.ui.next.{stage}", "en") in as_read(at.info[0].value)
    at = open_page("pages/work_orders.py")
    frame = at.dataframe[0].value
    row = frame[frame[t("wo.number", "en")] == f"WO-TOUR-{kind.value}"]
    assert list(row[t("wo.ui.next_step", "en")]) == [t(f"wo.ui.step.{stage}", "en")]


def test_the_note_box_is_emptied_once_its_note_is_saved(open_page, db, now):  # noqa: F811
    oid = dispatched(db, now)
    at = record_page(open_page, oid, Role.MANAGER)
    at.text_area(key="woa_note_text").input("Customer asked to call before coming")
    submit(at, "woa_note", "wo.moves.do.note")
    assert not errors(at) and at.text_area(key="woa_note_text").value == ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_fee_that_is_not_a_number_is_said_to_be_none(open_page, db, now, lang):  # noqa: F811
    oid = returned_without_sign_off(db, now)
    at = record_page(open_page, oid, Role.SPECIALIST, lang)
    at.text_input(key="woa_fee_amount").input("abc")
    submit(at, "woa_fee", "wo.moves.do.fee", lang)
    assert t("wo.fin2.fee_not_a_number", lang) in errors(at)
    assert stored(db, oid).fee_cents is None


def test_the_special_approval_shows_who_gave_it_and_when(open_page, db, now):  # noqa: F811
    oid = returned_without_sign_off(db, now)
    manager = demo_user(db, Role.MANAGER)
    services.approve(db, manager, oid, stored(db, oid).version, "Customer left before signing", now)
    with session_scope(db) as s:
        name = s.get(User, manager.id).display_name
        assert s.get(WorkOrder, oid).special_approval_by_id == manager.id
    at = record_page(open_page, oid, Role.SPECIALIST)
    shown = "\n".join(as_read(m.value) for m in at.markdown)
    assert f"{t('wo.special_approval_by', 'en')}:** {name}" in shown
    assert t("wo.special_approval_at", "en") in shown
