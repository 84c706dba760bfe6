"""Leads due (L-1): a specialist sees their due leads and records a contact that moves the lead on;
a sale without an amount is refused in the user's language and changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.leads.queries import due_leads
from db.engine import make_engine, session_scope
from db.enums import LeadClass, LeadResult, Role
from db.models import Lead, LeadContact, User
from tests.factories import reader
from tests.helpers import as_read, open_by_url
from tests.ui.conftest import APP
from tests.ui.marks import error_under
from ui.lead_form import cents


def _first_due_lead(demo_url, now: datetime) -> tuple[int, datetime]:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User.id).where(User.username == "specialist1"))
    row = due_leads(engine, reader(), me, now, "Asia/Shanghai").rows[0]
    engine.dispose()
    return row["id"], row["next_follow_up"]


def _contacts(demo_url, lead_id: int) -> int:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(LeadContact).where(LeadContact.lead_id == lead_id))
    engine.dispose()
    return n


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_specialist_sees_their_due_leads(open_page, lang):
    at = open_page("pages/leads.py", lang, Role.SPECIALIST)
    assert not at.exception
    assert at.title[0].value == t("nav.leads", lang)
    assert len(at.dataframe[0].value) > 0


def test_an_appointment_moves_the_lead_on_by_its_class_interval(open_page, demo_url, now):
    lead_id, _ = _first_due_lead(demo_url, now)
    before = _contacts(demo_url, lead_id)
    at = open_page("pages/leads.py", "en", Role.SPECIALIST)
    open_by_url(at, lead_id)
    at.radio(key="ld_result").set_value(LeadResult.APPOINTMENT)
    at.selectbox(key="ld_class").set_value(LeadClass.A)
    at.button(key=f"FormSubmitter:lead_contact_{lead_id}-{t('leads.record', 'en')}").click().run()
    assert not at.exception and not at.error
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        lead = s.get(Lead, lead_id)
        assert lead.lead_class == LeadClass.A and lead.next_follow_up > now
    engine.dispose()
    assert _contacts(demo_url, lead_id) == before + 1


def test_a_sale_without_an_amount_is_refused_in_chinese_and_nothing_is_written(open_page, demo_url, now):
    lead_id, _ = _first_due_lead(demo_url, now)
    before = _contacts(demo_url, lead_id)
    at = open_page("pages/leads.py", "zh", Role.SPECIALIST)
    open_by_url(at, lead_id)
    at.radio(key="ld_result").set_value(LeadResult.SALE)
    at.button(key=f"FormSubmitter:lead_contact_{lead_id}-{t('leads.record', 'zh')}").click().run()
    assert at.error[0].value == t("leads.sale_amount_required", "zh")
    assert _contacts(demo_url, lead_id) == before


def test_money_is_typed_as_text_and_kept_exact_in_cents():
    assert cents("1,280.50") == 128050
    assert cents("0.1") == 10
    assert cents("") is None
    assert cents("12.345") == -1 and cents("abc") == -1 and cents("Infinity") == -1 and cents("NaN") == -1


def test_every_error_of_a_lead_contact_is_shown_under_its_field_and_nothing_is_written(sign_in_as, demo_url, now):
    """Issue 10: a sale without its amount and notes holding a control character: both messages at once,
    each under its field, in Chinese; no contact is written and the notes stay typed."""
    lead_id, _ = _first_due_lead(demo_url, now)
    before = _contacts(demo_url, lead_id)
    sign_in_as(Role.SPECIALIST)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    at.query_params["id"] = str(lead_id)  # the lead's own address
    at.switch_page("pages/leads.py").run()
    at.radio(key="ld_result").set_value(LeadResult.SALE)
    at.text_area(key="ld_notes").input("bell\x07")
    at.button(key=f"FormSubmitter:lead_contact_{lead_id}-{t('leads.record', 'zh')}").click().run()
    assert not at.exception
    assert error_under(at, "ld_amount") == t("leads.sale_amount_required", "zh")
    assert error_under(at, "ld_notes") == t("input.control_chars", "zh")
    assert as_read(at.error[-1].value) == t("form.marked", "zh", count=2)
    assert at.text_area(key="ld_notes").value == "bell\x07"
    assert _contacts(demo_url, lead_id) == before
