"""C-5's list made actionable (C-1): a product or a contact added to an existing customer, a product's details
corrected; checked as a new customer's, audited, searched, C-5 refreshed, CB-2 calls planned, no lost update
(the clock pinned: NOW is 10:00 on 12 Nov 2026 in Shanghai)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.customers.owned import add_contact, add_product, correct_product
from core.customers.queries import CustomerFilter, list_customers
from core.customers.timeliness import archive_status
from core.errors import Invalid, StaleEdit, Unchanged
from db.engine import session_scope
from db.enums import CallbackKind, Role
from db.models import Callback, Contact, Customer, Product
from tests.factories import make_account, make_customer, make_product, reader, utc
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"
NOW = utc(2026, 11, 12, 2)
TODAY = date(2026, 11, 12)
PRODUCT = {"model": "X9", "order_no": "SO-NEW-1", "purchase_date": date(2026, 11, 1),
           "effective_date": date(2026, 11, 2), "delivery_date": date(2026, 11, 10), "serial_no": "沪A77777"}


@pytest.fixture
def people(engine):
    with session_scope(engine) as s:
        spec = make_account(s, Role.SPECIALIST)
        c = make_customer(s, specialist_id=spec.id, address="人民路 1 号", city="上海")
        return spec, c.id


def _codes(engine, text: str) -> list[int]:
    return [r["id"] for r in list_customers(engine, reader(), CustomerFilter(search=text), TZ).rows]


def test_a_product_added_to_a_customer_is_audited_searched_and_plans_its_cb_2_calls(engine, people):
    spec, cid = people
    mark = audit_mark(engine)
    pid = add_product(engine, spec, cid, PRODUCT, NOW)
    with session_scope(engine) as s:
        assert s.get(Product, pid).customer_id == cid
        kinds = set(s.scalars(select(Callback.kind).where(Callback.product_id == pid)))
        assert kinds == {CallbackKind.NEW_CUSTOMER}  # CB-2: the first call's window (3 Nov) is long past
    assert [(a["entity"], a["action"]) for a in audit_since(engine, mark)][:1] == [("product", "create")]
    assert _codes(engine, "沪A77777") == [cid]
    status = archive_status(engine, reader(), cid, TODAY, TZ)
    assert status.missing == [] and status.complete_at == NOW  # C-5: the product completed the record


@pytest.mark.parametrize("changes,field", [({"model": ""}, "model"), ({"order_no": None}, "order_no"),
                                           ({"usage": "lots"}, "usage"),
                                           ({"delivery_date": date(2026, 10, 1)}, "delivery_date")],
                         ids=["no-model", "no-order", "bad-usage", "delivered-before-effective"])
def test_a_bad_product_is_refused_and_nothing_is_written(engine, people, changes, field):
    spec, cid = people
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        add_product(engine, spec, cid, PRODUCT | changes, NOW)
    assert field in (err.value.errors if hasattr(err.value, "errors") else {err.value.params["field"]: 1})
    with session_scope(engine) as s:
        assert s.scalars(select(Product).where(Product.customer_id == cid)).all() == []
    assert audit_since(engine, mark) == []


def test_an_order_number_the_archive_holds_is_refused(engine, people):
    spec, cid = people
    add_product(engine, spec, cid, PRODUCT, NOW)
    with pytest.raises(Invalid):
        add_product(engine, spec, cid, PRODUCT, NOW)


def test_a_contact_added_is_stored_canonical_and_found_by_its_phone(engine, people):
    spec, cid = people
    kid = add_contact(engine, spec, cid, {"name": "李娜", "phone": "139 1111 2222"}, NOW)
    with session_scope(engine) as s:
        assert s.get(Contact, kid).phone == "+8613911112222"
    assert _codes(engine, "13911112222") == [cid] and _codes(engine, "李娜") == [cid]
    with pytest.raises(Invalid):
        add_contact(engine, spec, cid, {"name": "", "phone": "12345"}, NOW)


def test_a_products_serial_number_corrected_completes_the_record_c_5(engine, people):
    spec, cid = people
    with session_scope(engine) as s:
        pid = make_product(s, s.get(Customer, cid), serial_no=None, delivery_date=date(2026, 11, 10)).id
    assert archive_status(engine, reader(), cid, TODAY, TZ).missing[0].field == "serial_no"
    loaded = {"model": "X1", "spec": None, "serial_no": None, "place": None, "usage": None}
    correct_product(engine, spec, pid, loaded, loaded | {"serial_no": "粤B12345", "usage": "1200"}, NOW)
    status = archive_status(engine, reader(), cid, TODAY, TZ)
    assert status.missing == [] and status.complete_at == NOW
    assert _codes(engine, "粤B12345") == [cid]
    with session_scope(engine) as s:
        assert s.get(Product, pid).usage == 1200
    with pytest.raises(Unchanged):
        correct_product(engine, spec, pid, loaded | {"serial_no": "粤B12345", "usage": 1200},
                        {"model": "X1", "serial_no": "粤B12345", "usage": "1200"}, NOW)


def test_a_correction_based_on_stale_details_is_refused_and_overwrites_nothing(engine, people):
    spec, cid = people
    with session_scope(engine) as s:
        pid = make_product(s, s.get(Customer, cid), serial_no="A1").id
    loaded = {"model": "X1", "spec": None, "serial_no": "A1", "place": None, "usage": None}
    correct_product(engine, spec, pid, loaded, loaded | {"serial_no": "B2"}, NOW)
    with pytest.raises(StaleEdit):
        correct_product(engine, spec, pid, loaded, loaded | {"place": "上海"}, NOW)
    with session_scope(engine) as s:
        p = s.get(Product, pid)
        assert (p.serial_no, p.place) == ("B2", None)


def test_a_blank_model_is_refused(engine, people):
    spec, cid = people
    with session_scope(engine) as s:
        pid = make_product(s, s.get(Customer, cid)).id
    loaded = {"model": "X1", "spec": None, "serial_no": None, "place": None, "usage": None}
    with pytest.raises(Invalid) as err:
        correct_product(engine, spec, pid, loaded, loaded | {"model": " "}, NOW)
    assert err.value.key == "customer.required"
    with session_scope(engine) as s:
        assert s.get(Product, pid).model == "X1"
