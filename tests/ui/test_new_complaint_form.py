"""Taking a complaint in (CP-1) through the new-complaint form: on the Complaints page (customer searched in
the archive), on a customer's page (customer fixed) and from an incoming call (customer fixed, the call's
need as the description's draft); a vague description refused beside its field with nothing saved; the
duplicate guard's two ways out. Each test builds its own customer in its copy of the demo office."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from core.accounts.demo import DEMO_ACCOUNTS
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import ComplaintChannel, IncomingCategory, Role
from db.models import Complaint, ComplaintEvent, IncomingCall, User
from tests.factories import make_complaint, make_customer, make_product
from tests.helpers import OFFICE_TZ, as_read, open_by_url
from tests.ui.test_plain_text_pages import HOSTILE, SHOWN, assert_shown_plain
from ui.feedback import FLASH

SPECIFIC = "Printer jams on every second page since Monday"


@contextmanager
def database(url: str):
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()


def a_customer(url: str, name: str = "Zephyr Intake Works", open_complaint: bool = False) -> dict:
    """A customer of the archive with one product (and, if asked, an open complaint about it)."""
    with database(url) as s:
        customer = make_customer(s, name=name, code="ZIW0001", phone="13900001111")
        product = make_product(s, customer, order_no="SO-ZIW-1", model="ZX-9", serial_no="SN-1")
        found = {"id": customer.id, "product_id": product.id}
        if open_complaint:
            user = s.scalar(select(User).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]))
            cp = make_complaint(s, customer, user, product_id=product.id, description="Paper jams in tray two")
            found |= {"complaint_id": cp.id, "number": cp.number}
        return found


def a_call(url: str, customer_id: int, need: str, now) -> int:
    """An incoming call of an existing customer, its need noted."""
    with database(url) as s:
        call = IncomingCall(received_at=now, phone="13900001111", customer_id=customer_id, need=need,
                            category=IncomingCategory.EXISTING_PROBLEM)
        s.add(call)
        s.flush()
        return call.id


def complaints_of(url: str, customer_id: int) -> list[Complaint]:
    with database(url) as s:
        rows = s.scalars(select(Complaint).where(Complaint.customer_id == customer_id).order_by(Complaint.id))
        return [c for c in rows]


def note_count(url: str, complaint_id: int) -> int:
    with database(url) as s:
        return s.scalar(select(func.count()).select_from(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.move == "note"))


def choose_customer(at, customer: dict, name: str = "Zephyr"):
    at.text_input(key="nc_search").input(name).run()
    at.selectbox(key="nc_customer").set_value(customer["id"]).run()
    return at


def fill(at, customer: dict, channel: ComplaintChannel, description: str = SPECIFIC):
    at.selectbox(key=f"nc_product_{customer['id']}").set_value(customer["product_id"]).run()
    at.radio(key="nc_channel").set_value(channel)
    at.text_area(key="nc_description").input(description)
    return at


def errors(at) -> list[str]:
    return [as_read(e.value) for e in at.error]


@pytest.mark.parametrize("channel", [ComplaintChannel.PHONE, ComplaintChannel.LETTER, ComplaintChannel.VERBAL])
def test_a_specialist_takes_a_complaint_in_on_the_complaints_page(open_page, demo_url, channel):
    """CP-1: the customer searched in the archive, their product chosen (its order number prefilled), received
    by the signed-in user, now; saved at "received" and said with its number and a link to it."""
    customer = a_customer(demo_url)
    at = choose_customer(open_page("pages/complaints.py", role=Role.SPECIALIST), customer)
    fill(at, customer, channel)
    assert at.text_input(key="nc_order").value == "SO-ZIW-1"
    at.button(key="nc_save").click().run()
    assert not at.exception and not at.error
    [saved] = complaints_of(demo_url, customer["id"])
    assert (saved.channel, saved.description, saved.product_id, saved.order_no) == (
        channel, SPECIFIC, customer["product_id"], "SO-ZIW-1")
    with database(demo_url) as s:
        assert s.get(User, saved.received_by_id).username == DEMO_ACCOUNTS[Role.SPECIALIST]
    assert as_read(at.success[0].value) == t("cp.new.saved", "en", number=saved.number)
    assert at.text_area(key="nc_description").value == ""  # the form starts empty again
    assert "id" not in at.query_params  # the list stays; the record is one link away


def test_a_return_of_goods_opens_the_new_complaint(open_page, demo_url):
    """CP-1/CP-3: saving a return of goods opens its record, where the returned goods are recorded next."""
    customer = a_customer(demo_url)
    at = choose_customer(open_page("pages/complaints.py"), customer)
    fill(at, customer, ComplaintChannel.RETURN)
    at.button(key="nc_save").click().run()
    assert not at.exception
    [saved] = complaints_of(demo_url, customer["id"])
    assert saved.channel == ComplaintChannel.RETURN
    assert at.query_params["id"] == str(saved.id)
    assert as_read(at.subheader[0].value).startswith(saved.number)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_vague_description_is_refused_beside_its_field_and_nothing_is_saved(open_page, demo_url, lang):
    """CP-1: "Broken" says nothing a verifier can check: refused with an example, with every other refused
    field (no channel) at once; nothing written, the typed text kept."""
    customer = a_customer(demo_url)
    at = choose_customer(open_page("pages/complaints.py", lang), customer)
    at.text_area(key="nc_description").input("Broken")
    at.button(key="nc_save").click().run()
    assert not at.exception
    shown = errors(at)
    assert as_read(t("cp.description_vague", lang)) in shown
    assert as_read(t("cp.channel_required", lang)) in shown
    assert complaints_of(demo_url, customer["id"]) == []
    assert at.text_area(key="nc_description").value == "Broken"


def test_the_duplicate_guard_adds_the_report_as_a_note_to_the_open_complaint(open_page, demo_url):
    """CP-1 duplicate guard: the open complaint about the same product is shown before saving; "add as a
    note" puts the typed description on its history and makes no second complaint."""
    customer = a_customer(demo_url, open_complaint=True)
    at = choose_customer(open_page("pages/complaints.py"), customer)
    fill(at, customer, ComplaintChannel.PHONE)
    at.button(key="nc_save").click().run()
    assert not at.exception
    assert len(complaints_of(demo_url, customer["id"])) == 1  # nothing saved yet: the user chooses
    assert "Paper jams in tray two" in [as_read(c.value) for c in at.caption]
    at.button(key=f"nc_note_{customer['complaint_id']}").click().run()
    assert not at.exception
    noted = t("cp.new.noted", "en", number=customer["number"])
    assert as_read(at.session_state[FLASH]) == noted  # shown by the app's next run (show_flash)
    assert len(complaints_of(demo_url, customer["id"])) == 1
    assert note_count(demo_url, customer["complaint_id"]) == 1
    with database(demo_url) as s:
        note = s.scalar(select(ComplaintEvent.note).where(ComplaintEvent.complaint_id == customer["complaint_id"]))
    assert note == SPECIFIC


def test_the_duplicate_guard_saves_a_new_complaint_anyway_when_asked(open_page, demo_url):
    customer = a_customer(demo_url, open_complaint=True)
    at = choose_customer(open_page("pages/complaints.py"), customer)
    fill(at, customer, ComplaintChannel.PHONE)
    at.button(key="nc_save").click().run()
    at.button(key="nc_anyway").click().run()
    assert not at.exception
    assert [c.description for c in complaints_of(demo_url, customer["id"])] == ["Paper jams in tray two", SPECIFIC]
    assert note_count(demo_url, customer["complaint_id"]) == 0


def test_a_complaint_taken_in_on_a_customers_page_is_that_customers(open_page, demo_url):
    """CP-1: on a customer's page the customer is fixed (no search); the complaint is theirs."""
    customer = a_customer(demo_url)
    at = open_by_url(open_page("pages/customers.py", role=Role.SPECIALIST), customer["id"])
    assert not at.exception
    assert not [w for w in at.text_input if w.key == "nc_search"]
    fill(at, customer, ComplaintChannel.VERBAL)
    at.button(key="nc_save").click().run()
    assert not at.exception and not at.error
    [saved] = complaints_of(demo_url, customer["id"])
    assert (saved.channel, saved.product_id) == (ComplaintChannel.VERBAL, customer["product_id"])
    assert as_read(at.success[0].value) == t("cp.new.saved", "en", number=saved.number)


def test_a_return_of_goods_taken_in_on_a_customers_page_opens_on_the_complaints_page(open_page, demo_url):
    """CP-1/CP-3: from another page, a new return of goods opens at its own address on the Complaints page."""
    customer = a_customer(demo_url)
    at = open_by_url(open_page("pages/customers.py"), customer["id"])
    fill(at, customer, ComplaintChannel.RETURN)
    at.button(key="nc_save").click().run()
    assert not at.exception
    [saved] = complaints_of(demo_url, customer["id"])
    assert at.title[0].value == t("nav.complaints", "en")
    assert at.query_params["id"] == str(saved.id)
    assert as_read(at.subheader[0].value).startswith(saved.number)


def test_a_complaint_from_the_incoming_register_starts_with_the_calls_notes(open_page, demo_url, now):
    """CP-1: an incoming call of an existing customer becomes a complaint of that customer, the call's need
    as the description's draft."""
    customer = a_customer(demo_url)
    need = "Display flickers when the unit warms up after an hour"
    call_id = a_call(demo_url, customer["id"], need, now)
    at = open_by_url(open_page("pages/incoming.py", role=Role.SPECIALIST), call_id)
    assert not at.exception
    assert at.text_area(key="nc_description").value == need
    at.radio(key="nc_channel").set_value(ComplaintChannel.PHONE)
    at.button(key="nc_save").click().run()
    assert not at.exception and not at.error
    [saved] = complaints_of(demo_url, customer["id"])
    assert (saved.description, saved.product_id, saved.channel) == (need, None, ComplaintChannel.PHONE)


def test_roles_that_do_not_take_complaints_in_see_no_form(open_page):
    at = open_page("pages/complaints.py", role=Role.DIRECTOR)
    assert not at.exception
    assert not [b for b in at.button if b.key == "nc_save"]


def test_received_at_may_be_earlier_today_in_office_time_never_later(open_page, demo_url, now):
    """CP-1 received at: a time typed today (office time) is kept as that instant; a later time than now is
    refused beside the field."""
    customer = a_customer(demo_url)
    at = choose_customer(open_page("pages/complaints.py"), customer)
    fill(at, customer, ComplaintChannel.PHONE)
    tz = ZoneInfo(OFFICE_TZ)
    local = now.astimezone(tz)
    at.time_input(key="nc_time").set_value((local + timedelta(hours=1)).time()).run()
    at.button(key="nc_save").click().run()
    assert as_read(t("cp.received_in_future", "en")) in errors(at)
    assert complaints_of(demo_url, customer["id"]) == []
    earlier = local.replace(hour=9, minute=30, second=0, microsecond=0)
    at.time_input(key="nc_time").set_value(earlier.time()).run()
    at.button(key="nc_save").click().run()
    assert not at.exception and not at.error
    [saved] = complaints_of(demo_url, customer["id"])
    assert saved.received_at == earlier.astimezone(UTC)


def test_the_duplicate_guard_and_the_fixed_customer_show_typed_text_as_plain_text(open_page, demo_url):
    """What users typed (the customer's name, the open complaint's description) is shown as plain text."""
    customer = a_customer(demo_url, name=HOSTILE, open_complaint=True)
    with database(demo_url) as s:
        s.execute(update(Complaint).where(Complaint.id == customer["complaint_id"]).values(description=HOSTILE))
    at = open_by_url(open_page("pages/customers.py"), customer["id"])
    fill(at, customer, ComplaintChannel.PHONE)
    at.button(key="nc_save").click().run()
    assert at.button(key=f"nc_note_{customer['complaint_id']}")  # the guard is on screen
    assert SHOWN in [c.value for c in at.caption]
    assert_shown_plain(at, "new complaint", expect=True)
