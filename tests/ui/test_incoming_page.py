"""Incoming calls (CB-11): a specialist logs a missed call from a known customer's number, the page finds the
customer as the number is typed and confirms the same-day call-back (CB-2) in the user's language; bad
input is refused with a message and writes nothing; the register lists the calls."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, IncomingCategory, LeadClass, Role
from db.models import Callback, Customer, IncomingCall, Lead, User
from tests.helpers import as_read
from tests.ui.marks import error_under


def _customer_with_specialist(demo_url) -> dict:
    """A demo customer whose number no other customer shares, with their own specialist's name."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        shared = select(Customer.phone).group_by(Customer.phone).having(func.count() > 1)
        row = s.execute(select(Customer.id, Customer.name, Customer.phone, User.display_name)
                        .join(User, User.id == Customer.specialist_id)
                        .where(Customer.phone.not_in(shared), User.active.is_(True), User.role == Role.SPECIALIST)
                        .order_by(Customer.id).limit(1)).one()
    engine.dispose()
    return {"id": row[0], "name": row[1], "phone": row[2], "specialist": row[3]}


def _counts(demo_url) -> tuple[int, int]:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        calls = s.scalar(select(func.count()).select_from(IncomingCall))
        missed = s.scalar(select(func.count()).select_from(Callback).where(Callback.kind == CallbackKind.MISSED_CALL))
    engine.dispose()
    return calls, missed


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_missed_call_from_a_known_customer_is_confirmed_with_its_call_back_cb_11(open_page, demo_url, lang):
    customer = _customer_with_specialist(demo_url)
    calls, missed = _counts(demo_url)
    at = open_page("pages/incoming.py", lang, Role.SPECIALIST)
    assert not at.exception and at.title[0].value == t("nav.incoming", lang)
    at.text_input(key="inc_phone").set_value(f"  {customer['phone']} ").run()
    assert customer["name"] in at.info[0].value
    at.radio(key="inc_category").set_value(IncomingCategory.EXISTING_PROBLEM)
    at.text_area(key="inc_need").set_value("The pump is noisy")
    at.toggle(key="inc_answered").set_value(False).run()
    at.button(key="inc_save").click().run()
    assert not at.exception and not at.error
    expected = f"{t('incoming.logged', lang)} {t('incoming.callback_today', lang, who=customer['specialist'])}"
    assert as_read(at.success[0].value) == expected
    assert _counts(demo_url) == (calls + 1, missed + 1)
    assert at.text_input(key="inc_phone").value == ""  # the form is ready for the next call
    assert len(at.dataframe[0].value) > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_number_is_refused_in_the_users_language_and_nothing_is_written(open_page, demo_url, lang):
    before = _counts(demo_url)
    at = open_page("pages/incoming.py", lang, Role.MANAGER)
    at.text_input(key="inc_phone").set_value("call me maybe").run()
    at.radio(key="inc_category").set_value(IncomingCategory.NEW_ENQUIRY).run()
    at.button(key="inc_save").click().run()
    assert not at.exception
    assert at.error[0].value == t("incoming.bad_phone", lang)
    assert at.text_input(key="inc_phone").value == "call me maybe"
    assert _counts(demo_url) == before


def test_an_enquiry_is_handed_over_as_a_lead_once_its_class_is_chosen_l_1(open_page, demo_url):
    before = _counts(demo_url)
    at = open_page("pages/incoming.py", "en", Role.SPECIALIST)
    at.text_input(key="inc_phone").set_value("139 0000 0001").run()
    assert at.info[0].value == t("incoming.unknown_caller", "en")
    at.radio(key="inc_category").set_value(IncomingCategory.NEW_ENQUIRY).run()
    at.toggle(key="inc_resolved").set_value(True)
    at.checkbox(key="inc_lead").check().run()
    at.button(key="inc_save").click().run()
    assert at.error[0].value == t("incoming.lead_class_required", "en")
    assert _counts(demo_url) == before
    at.radio(key="inc_class").set_value(LeadClass.A).run()
    at.button(key="inc_save").click().run()
    assert not at.error
    assert as_read(at.success[0].value).startswith(f"{t('incoming.logged', 'en')} New lead for ")
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        lead = s.scalars(select(Lead).where(Lead.phone == "139 0000 0001")).one()
        assert lead.lead_class == LeadClass.A and lead.incoming_call_id is not None
    engine.dispose()


def test_every_error_of_an_incoming_call_is_shown_under_its_field_and_nothing_is_written(open_page, demo_url):
    """Issue 10: no number, no category and a caller name with a control character: three messages at once,
    each under its field; the typed name stays."""
    before = _counts(demo_url)
    at = open_page("pages/incoming.py", "zh", Role.SPECIALIST)
    assert at.text_input(key="inc_phone").label == t("incoming.phone", "zh") + " *"
    at.text_input(key="inc_name").set_value("Ann\x07")
    at.button(key="inc_save").click().run()
    assert not at.exception
    assert error_under(at, "inc_phone") == t("incoming.phone_required", "zh")
    assert error_under(at, "inc_category") == t("incoming.category_required", "zh")
    assert error_under(at, "inc_name") == t("input.control_chars", "zh")
    assert at.text_input(key="inc_name").value == "Ann\x07"
    assert _counts(demo_url) == before
