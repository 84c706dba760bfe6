"""A new customer typed on the Customers page and for an unknown caller on the incoming register (C-1): saved
with a contact and a product, its record opened; a likely duplicate listed before saving, saved only by the
second, conscious click; a refused save marks its fields and keeps what was typed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import Customer
from tests.helpers import DEMO_TODAY, as_read
from tests.ui.marks import error_under


def customers_named(demo_url: str, name: str) -> list[Customer]:
    engine = make_engine(demo_url)
    try:
        with session_scope(engine) as s:
            found = s.scalars(select(Customer).where(Customer.name == name)).all()
            return [(c.id, c.code, c.phone, [(x.name, x.phone) for x in c.contacts],
                     [(p.order_no, p.model) for p in c.products]) for c in found]
    finally:
        engine.dispose()


def an_archive_phone(demo_url: str) -> str:
    engine = make_engine(demo_url)
    try:
        with session_scope(engine) as s:
            return s.scalar(select(Customer.phone).order_by(Customer.id).limit(1))
    finally:
        engine.dispose()


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_new_customer_with_a_contact_and_a_product_is_saved_and_opened(open_page, demo_url, lang):
    at = open_page("pages/customers.py", lang)
    at.text_input(key="ncu0_name").input("Zhou Ming Trading")
    at.text_input(key="ncu0_phone").input("0571-8765 4321")
    at.text_input(key="ncu0_city").input("Hangzhou")
    click(at, "ncu0_add_contact")
    click(at, "ncu0_add_product")
    at.text_input(key="ncu0_c0_name").input("Zhou Ming")
    at.text_input(key="ncu0_c0_phone").input("+86 139 1234 0000")
    at.text_input(key="ncu0_p0_model").input("Pump P7")
    at.text_input(key="ncu0_p0_order_no").input("SO-NEW-001")
    at.date_input(key="ncu0_p0_purchase_date").set_value(DEMO_TODAY)
    click(at, "ncu0_check")
    [(cid, code, phone, contacts, products)] = customers_named(demo_url, "Zhou Ming Trading")
    assert (phone, contacts, products) == ("+8657187654321", [("Zhou Ming", "+8613912340000")],
                                           [("SO-NEW-001", "Pump P7")])
    assert at.query_params["id"] == str(cid)
    assert at.subheader[0].value.startswith(code)


def test_a_quick_customer_starts_as_normal_and_valid_never_vip(open_page):
    """C-2: grade is a judgement on the customer's value; the form never makes one a VIP by default."""
    at = open_page("pages/customers.py", "en")
    assert (at.selectbox(key="ncu0_grade").value, at.selectbox(key="ncu0_validity").value) == ("normal", "valid")


def test_a_likely_duplicate_is_listed_and_saving_takes_a_second_click(open_page, demo_url):
    taken = an_archive_phone(demo_url)
    at = open_page("pages/customers.py")
    at.text_input(key="ncu0_name").input("Somebody New")
    at.text_input(key="ncu0_phone").input(taken)
    click(at, "ncu0_check")
    assert [as_read(w.value) for w in at.warning] == [t("cu_new.duplicates", "en")]
    assert customers_named(demo_url, "Somebody New") == []  # nothing saved yet
    click(at, "ncu0_anyway")
    assert len(customers_named(demo_url, "Somebody New")) == 1


def test_a_refused_customer_marks_its_fields_and_keeps_the_typed_input(open_page, demo_url):
    at = open_page("pages/customers.py")
    at.text_input(key="ncu0_name").input("Bad Phone Ltd")
    at.text_input(key="ncu0_phone").input("12345")
    click(at, "ncu0_check")
    assert error_under(at, "ncu0_phone") == t("customer.bad_phone", "en")
    assert at.text_input(key="ncu0_name").value == "Bad Phone Ltd"
    assert customers_named(demo_url, "Bad Phone Ltd") == []


def test_an_unknown_caller_becomes_a_customer_and_their_call_is_linked(open_page, demo_url):
    at = open_page("pages/incoming.py")
    at.text_input(key="inc_name").input("Caller Unknown").run()
    at.text_input(key="inc_phone").input("13700001234").run()
    assert at.text_input(key="inc_new0_phone").value == "13700001234"
    assert at.text_input(key="inc_new0_name").value == "Caller Unknown"
    click(at, "inc_new0_check")
    [(cid, code, *_)] = customers_named(demo_url, "Caller Unknown")
    assert any(code in as_read(i.value) for i in at.info)  # the number now finds the new customer


def test_a_role_that_may_not_edit_customers_gets_no_form(open_page):
    at = open_page("pages/customers.py", role=Role.DIRECTOR)
    assert not at.exception
    assert t("cu_new.title", "en") not in [e.label for e in at.expander]


def test_removing_a_contact_keeps_what_was_typed_for_the_others(open_page):
    at = open_page("pages/customers.py")
    click(at, "ncu0_add_contact")
    click(at, "ncu0_add_contact")
    at.text_input(key="ncu0_c0_name").input("First")
    at.text_input(key="ncu0_c1_name").input("Second")
    click(at, "ncu0_contact_0_remove")
    assert [(w.key, w.value) for w in at.text_input if re.match(r"ncu0_c\d+_", w.key)] == [
        ("ncu0_c1_name", "Second"), ("ncu0_c1_title", ""), ("ncu0_c1_phone", ""), ("ncu0_c1_email", "")]
