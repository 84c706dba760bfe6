"""Creating a customer (C-1, C-2, C-3; core.customers.services.create_customer): a person or a company with
contacts and products, phones stored canonical, a code of its own (unique under concurrent saves too), one
audit row, its search terms, and the CB-2 calls its products' dates call for, in one transaction; a refused
save writes nothing at all; the likely duplicates (same phone or same name and city) are found before."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.customers.create import free_code
from core.customers.search import matching_ids
from core.customers.services import create_customer, likely_duplicates
from core.errors import Forbidden, Invalid
from core.incoming.queries import find_callers
from db.engine import session_scope
from db.enums import CallbackKind, CustomerGrade, Role
from db.models import Callback, Contact, Customer, Product
from tests.factories import NOW, make_account, make_customer, make_product
from tests.helpers import audit_mark, audit_since

TODAY = date(2026, 11, 20)
PERSON = {"name": "张伟", "phone": "138-1234-5678", "city": "杭州", "grade": "key", "email": "zw@example.com"}
CONTACTS = [{"name": "李娜", "title": "采购", "phone": "0571 8888 1234", "is_primary": True},
            {"name": "王芳", "phone": "+86 139 0000 1111"}]
PRODUCTS = [{"model": "X1", "order_no": "SO-2026-001", "serial_no": "浙A12345", "purchase_date": TODAY - timedelta(3),
             "effective_date": TODAY - timedelta(2), "delivery_date": TODAY - timedelta(1), "usage": "120"}]


@pytest.fixture
def alice(engine):
    with session_scope(engine) as s:
        return make_account(s, Role.SPECIALIST, username="alice", display_name="Alice Wang")


def counts(engine) -> dict:
    with session_scope(engine) as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in (Customer, Contact, Product,
                                                                                      Callback)}


def test_a_customer_with_contacts_and_products_is_written_canonical_audited_indexed_and_called(engine, alice):
    mark = audit_mark(engine)
    made = create_customer(engine, alice, PERSON, CONTACTS, PRODUCTS, NOW, TODAY)
    with session_scope(engine) as s:
        c = s.get(Customer, made["id"])
        assert (c.code, c.phone, c.grade, c.specialist_id, c.is_company) == (
            f"C{c.id:07d}", "+8613812345678", CustomerGrade.KEY, alice.id, False)
        assert [(x.name, x.phone, x.is_primary) for x in c.contacts] == [
            ("李娜", "+8657188881234", True), ("王芳", "+8613900001111", False)]
        assert [(p.order_no, p.usage, p.delivery_date) for p in c.products] == [
            ("SO-2026-001", 120, TODAY - timedelta(1))]
        kinds = set(s.scalars(select(Callback.kind).where(Callback.customer_id == c.id)))
        for query in ("zw", "13812345678", "0571-88881234", "a12345"):
            assert c.id in set(s.scalars(matching_ids(query))), query
    assert kinds == {CallbackKind.FIRST, CallbackKind.NEW_CUSTOMER}  # CB-2, planned at save
    created = [a for a in audit_since(engine, mark) if a["entity"] == "customer"]
    assert [(a["action"], a["entity_id"], a["username"]) for a in created] == [("create", str(made["id"]), "alice")]
    assert made["code"] == f"C{made['id']:07d}"


def test_a_company_without_contacts_or_products_needs_only_a_name_and_a_phone(engine, alice):
    made = create_customer(engine, alice, {"name": "Acme Tools", "phone": "400 123 4567", "is_company": True},
                           [], [], NOW, TODAY)
    with session_scope(engine) as s:
        c = s.get(Customer, made["id"])
        assert (c.is_company, c.phone, c.grade) == (True, "+864001234567", CustomerGrade.NORMAL)


REFUSED = [
    pytest.param({"name": "", "phone": "138"}, [], [], {"name": "customer.required", "phone": "customer.bad_phone"},
                 id="no-name-bad-phone"),
    pytest.param(PERSON | {"grade": "gold"}, [], [], {"grade": "customer.bad_choice"}, id="unknown-grade"),
    pytest.param(PERSON, [{"name": "", "phone": "12345"}], [],
                 {"contact.0.name": "customer.required", "contact.0.phone": "customer.bad_phone"}, id="bad-contact"),
    pytest.param(PERSON, [CONTACTS[0], CONTACTS[0]], [], {"contacts": "cu_new.one_primary"}, id="two-primaries"),
    pytest.param(PERSON, [], [{"model": "X1"}], {"product.0.order_no": "customer.required",
                                                 "product.0.purchase_date": "customer.required"}, id="product-musts"),
    pytest.param(PERSON, [], [PRODUCTS[0] | {"delivery_date": TODAY - timedelta(5)}],
                 {"delivery_date": "product.delivery_before_effective"}, id="delivered-before-effective"),
    pytest.param(PERSON, [], [PRODUCTS[0] | {"purchase_date": TODAY + timedelta(1)}],
                 {"product.0.purchase_date": "cu_new.bad_date"}, id="bought-tomorrow"),
    pytest.param(PERSON, [], [PRODUCTS[0], PRODUCTS[0]], {"product.1.order_no": "cu_new.order_twice"},
                 id="order-twice"),
    pytest.param(PERSON, [], [PRODUCTS[0] | {"usage": "-3"}], {"product.0.usage": "cu_new.bad_usage"}, id="usage"),
]


@pytest.mark.parametrize(("fields", "contacts", "products", "errors"), REFUSED)
def test_a_refused_customer_names_every_bad_field_and_writes_nothing(engine, alice, fields, contacts, products, errors):
    before, mark = counts(engine), audit_mark(engine)
    with pytest.raises(Invalid) as refused:
        create_customer(engine, alice, fields, contacts, products, NOW, TODAY)
    got = {f: e.key for f, e in refused.value.errors.items()}
    assert {f: got.get(f) or got.get(f"product.0.{f}") for f in errors} == errors
    assert counts(engine) == before and audit_since(engine, mark) == []


def test_an_order_number_the_archive_holds_is_refused_and_nothing_is_written(engine, alice):
    with session_scope(engine) as s:
        make_product(s, make_customer(s), order_no="SO-2026-001")
    before = counts(engine)
    with pytest.raises(Invalid) as refused:
        create_customer(engine, alice, PERSON, CONTACTS, PRODUCTS, NOW, TODAY)
    assert (refused.value.key, refused.value.field) == ("cu_new.order_taken", "product.0.order_no")
    assert counts(engine) == before


def test_who_may_not_edit_customers_may_not_create_one(engine):
    with session_scope(engine) as s:
        director = make_account(s, Role.DIRECTOR)
    with pytest.raises(Forbidden):
        create_customer(engine, director, PERSON, [], [], NOW, TODAY)
    with pytest.raises(Forbidden):
        likely_duplicates(engine, director, "13812345678", "张伟", "杭州")


def test_a_likely_duplicate_is_found_by_any_spelling_of_a_phone_or_by_name_and_city(engine, alice):
    with session_scope(engine) as s:
        same_phone = make_customer(s, name="Other", phone="+8613812345678").id
        contact_phone = make_customer(s, name="Firm", phone="+8613700000000")
        s.add(Contact(customer_id=contact_phone.id, name="Li", phone="+8657188881234"))
        same_name = make_customer(s, name="张伟", city="杭州", phone="+8613600000000").id
        make_customer(s, name="张伟", city="宁波", phone="+8613500000000")  # same name, another city
        make_customer(s, name="张伟", phone="+8613400000000")  # no city: a name alone is no duplicate
        contact_id = contact_phone.id
    found = likely_duplicates(engine, alice, "138 1234 5678", " 张伟 ", "杭州", ("0571-8888 1234",))
    assert [(r["id"], r["reason"]) for r in found] == [
        (same_phone, "phone"), (contact_id, "phone"), (same_name, "name_city")]
    assert likely_duplicates(engine, alice, "13999999999", "张伟", "") == []


def test_two_customers_saved_at_once_get_two_codes(engine, alice):
    made, errors = [], []

    def save(n: int) -> None:
        try:
            made.append(create_customer(engine, alice, {"name": f"Racer {n}", "phone": f"1390000000{n}"}, [], [],
                                        NOW, TODAY))
        except Exception as err:  # noqa: BLE001 - the test reports it
            errors.append(err)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len({m["code"] for m in made}) == 4


def test_an_imported_code_in_the_way_gets_the_next_free_suffix(engine):
    with session_scope(engine) as s:
        make_customer(s, code="C9000001")
        make_customer(s, code="C9000001-2")
        assert (free_code(s, 9000001), free_code(s, 9000002)) == ("C9000001-3", "C9000002")


def test_an_incoming_call_from_a_new_customers_landline_finds_them_in_any_spelling(engine, alice):
    """CB-11 after C-1: the register matches a typed number against the archive's canonical phones."""
    made = create_customer(engine, alice, PERSON, CONTACTS, [], NOW, TODAY)
    for typed in ("0571-8888 1234", "+86 571 8888 1234", "057188881234", "138 1234 5678"):
        assert [c["id"] for c in find_callers(engine, alice, typed)] == [made["id"]], typed


def test_a_new_record_complete_at_its_save_is_marked_complete_then_and_one_lacking_an_address_is_not(engine, alice):
    """C-5: the record's completeness is kept from its first save (core.customers.timeliness)."""
    whole = create_customer(engine, alice, PERSON | {"address": "西湖区文三路 1 号"}, [], PRODUCTS, NOW, TODAY)
    partial = create_customer(engine, alice, PERSON | {"phone": "13900002222"}, [], [], NOW, TODAY)
    with session_scope(engine) as s:
        marked = [s.get(Customer, i["id"]).archive_complete_at for i in (whole, partial)]
    assert marked == [NOW, None]
