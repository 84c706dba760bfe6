"""Taking a work order in (WO-1, WO-2, WO-6 sender's side) through the new-work-order form: on the Work orders
page (customer searched in the archive, contact prefilled and editable), with its read-back step (nothing
sent before the specialist confirms it; back to edit keeps what was typed), on a customer's page and from an
incoming call; a vague request and a missing read-back refused beside their fields with nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.i18n import t
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import WorkOrder
from tests.factories import make_customer, make_product
from tests.helpers import as_read, open_by_url
from tests.ui.test_new_complaint_form import a_call, database, errors

REQUEST = "Air conditioner in the meeting room leaks water since Monday"


def a_customer(url: str) -> dict:
    """A customer of the archive with one product."""
    with database(url) as s:
        customer = make_customer(s, name="Quokka Repair Test", code="QRT0001", phone="13900002222",
                                 address="8 Canal Road", city="Hangzhou")
        product = make_product(s, customer, order_no="SO-QRT-1", model="AC-7", serial_no="SN-7")
        return {"id": customer.id, "product_id": product.id}


def orders_of(url: str, customer_id: int) -> list[WorkOrder]:
    with database(url) as s:
        return list(s.scalars(select(WorkOrder).where(WorkOrder.customer_id == customer_id).order_by(WorkOrder.id)))


def order_count(url: str) -> int:
    with database(url) as s:
        return s.scalar(select(func.count()).select_from(WorkOrder))


def typed(at, customer: dict, request: str = REQUEST, kind: ServiceType = ServiceType.PAID, search: bool = True):
    """The edit step filled: customer (searched unless the page fixes it), product, request and type."""
    if search:
        at.text_input(key="nw_search").input("Quokka").run()
        at.selectbox(key="nw_customer").set_value(customer["id"]).run()
    at.selectbox(key="nw_product").set_value(customer["product_id"]).run()
    at.text_area(key="nw_request").input(request)
    at.radio(key="nw_type").set_value(kind).run()
    return at


def read_back(at):
    at.button(key="nw_next").click().run()
    assert not at.exception
    return at


def test_the_contact_is_prefilled_from_the_archive_and_paid_follows_the_type(open_page, demo_url):
    customer = a_customer(demo_url)
    at = typed(open_page("pages/work_orders.py", role=Role.SPECIALIST), customer)
    assert not at.exception
    assert at.text_input(key="nw_contact").value == "Quokka Repair Test"
    assert at.text_input(key="nw_phone").value == "13900002222"
    assert at.text_input(key="nw_address").value
    assert t("wo.intake.paid", "en") in [c.value for c in at.caption]
    at.radio(key="nw_type").set_value(ServiceType.WARRANTY).run()
    assert t("wo.intake.not_paid", "en") in [c.value for c in at.caption]


def test_an_order_is_read_back_then_sent_and_opened_with_its_number_wo1(open_page, demo_url):
    """WO-1: the read-back shows the order as typed; Send without the confirmation is refused beside the
    box and sends nothing; confirmed, the order is saved as new and opened."""
    customer = a_customer(demo_url)
    at = typed(open_page("pages/work_orders.py", role=Role.SPECIALIST), customer)
    at.text_input(key="nw_phone").input("13900003333")
    read_back(at)
    assert orders_of(demo_url, customer["id"]) == []  # nothing is saved before Send
    shown = as_read(" ".join(m.value for m in at.markdown))
    assert REQUEST in shown and "13900003333" in shown and "AC-7" in shown
    at.button(key="nw_send").click().run()
    assert t("wo.read_back_required", "en") in errors(at)
    assert orders_of(demo_url, customer["id"]) == []
    at.checkbox(key="nw_read_back").check()
    at.button(key="nw_send").click().run()
    assert not at.exception
    [saved] = orders_of(demo_url, customer["id"])
    assert (saved.status, saved.phone, saved.request, saved.service_type, saved.product_id) == (
        WorkOrderStatus.NEW, "13900003333", REQUEST, ServiceType.PAID, customer["product_id"])
    assert at.query_params["id"] == str(saved.id)
    assert as_read(at.subheader[0].value).startswith(saved.number)


def test_back_to_edit_keeps_what_was_typed(open_page, demo_url):
    customer = a_customer(demo_url)
    at = read_back(typed(open_page("pages/work_orders.py", role=Role.SPECIALIST), customer))
    at.button(key="nw_back").click().run()
    assert not at.exception
    assert at.text_area(key="nw_request").value == REQUEST
    assert at.selectbox(key="nw_customer").value == customer["id"]
    assert at.selectbox(key="nw_product").value == customer["product_id"]
    assert at.radio(key="nw_type").value == ServiceType.PAID


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_vague_request_is_refused_beside_its_field_and_nothing_is_saved(open_page, demo_url, lang):
    customer = a_customer(demo_url)
    before = order_count(demo_url)
    at = read_back(typed(open_page("pages/work_orders.py", lang, Role.SPECIALIST), customer, request="broken"))
    assert t("wo.request_vague", lang) in errors(at)
    assert not [b for b in at.button if b.key == "nw_send"]  # still editing: no read-back, no Send
    assert order_count(demo_url) == before


def test_an_order_taken_in_on_a_customers_page_is_that_customers(open_page, demo_url):
    customer = a_customer(demo_url)
    at = open_by_url(open_page("pages/customers.py", role=Role.SPECIALIST), customer["id"])
    assert not at.exception
    assert not [w for w in at.text_input if w.key == "nw_search"]
    read_back(typed(at, customer, kind=ServiceType.CONTRACT, search=False))
    at.checkbox(key="nw_read_back").check()
    at.button(key="nw_send").click().run()
    assert not at.exception
    [saved] = orders_of(demo_url, customer["id"])
    assert saved.service_type == ServiceType.CONTRACT
    assert at.title[0].value == t("nav.work_orders", "en")
    assert at.query_params["id"] == str(saved.id)


def test_an_order_from_the_incoming_register_starts_with_the_callers_need(open_page, demo_url, now):
    customer = a_customer(demo_url)
    call_id = a_call(demo_url, customer["id"], REQUEST, now)
    at = open_by_url(open_page("pages/incoming.py", role=Role.SPECIALIST), call_id)
    assert not at.exception
    assert at.text_area(key="nw_request").value == REQUEST
    at.radio(key="nw_type").set_value(ServiceType.WARRANTY).run()
    read_back(at)
    at.checkbox(key="nw_read_back").check()
    at.button(key="nw_send").click().run()
    [saved] = orders_of(demo_url, customer["id"])
    assert (saved.request, saved.product_id, saved.service_type) == (REQUEST, None, ServiceType.WARRANTY)


def test_roles_that_do_not_take_orders_in_see_no_form(open_page):
    at = open_page("pages/work_orders.py", role=Role.ENGINEER)
    assert not at.exception
    assert not [b for b in at.button if b.key == "nw_next"]


def test_a_read_back_on_one_customers_page_never_shows_on_another_page_or_customer(open_page, demo_url):
    """The form's session keys are shared by every page: a read-back left pending on customer A's page is
    not shown (nor sendable) on customer B's page or on the Work orders page, and nothing is created."""
    customer = a_customer(demo_url)
    with database(demo_url) as s:
        other = make_customer(s, name="Wombat Other Test", code="WOT0001", phone="13900004444").id
    at = open_by_url(open_page("pages/customers.py", role=Role.SPECIALIST), customer["id"])
    read_back(typed(at, customer, search=False))
    assert [b for b in at.button if b.key == "nw_send"]
    open_by_url(at, other)
    assert not at.exception
    assert not [b for b in at.button if b.key == "nw_send"]
    assert REQUEST not in as_read(" ".join(m.value for m in at.markdown))
    assert at.text_area(key="nw_request").value in ("", None)
    at.switch_page("pages/work_orders.py")
    at.query_params.clear()
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "nw_send"]
    assert orders_of(demo_url, customer["id"]) == [] and orders_of(demo_url, other) == []
