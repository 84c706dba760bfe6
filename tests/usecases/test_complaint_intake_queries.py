"""What the new-complaint form offers (CP-1: the customer is searched in the archive, never typed; the
product is one of theirs): core.complaints.intake, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from core.complaints.intake import MATCHES_MAX, intake_customer, intake_customers, intake_products
from core.errors import Forbidden
from db.engine import session_scope
from db.enums import Role
from tests.factories import make_customer, make_product, reader


@pytest.fixture
def archive(engine) -> dict:
    with session_scope(engine) as s:
        zhang = make_customer(s, name="Zhang Works", code="ZW001", phone="13911112222")
        zhao = make_customer(s, name="Zhao Trading", code="ZT001", phone="13933334444")
        make_customer(s, name="Li Foods", code="LF001", phone="13955556666")
        old = make_product(s, zhang, model="A1", order_no="SO-1", purchase_date=date(2025, 1, 1))
        new = make_product(s, zhang, model="B2", order_no="SO-2", serial_no="SN-2", purchase_date=date(2026, 1, 1))
        make_product(s, zhao, model="C3")
        return {"zhang": zhang.id, "zhao": zhao.id, "old": old.id, "new": new.id}


@pytest.mark.parametrize(("text", "names"), [
    ("zh", ["Zhang Works", "Zhao Trading"]), ("Works", ["Zhang Works"]), ("ZT0", ["Zhao Trading"]),
    ("1395555", ["Li Foods"]), ("  ", []), ("nobody", []), ("%", []),
], ids=["name-any-case", "name-inside", "code-start", "phone-start", "blank", "none", "wildcard-is-literal"])
def test_the_customer_is_searched_by_name_code_or_phone(engine, archive, text, names):
    """CP-1: name contains it (any case), code or phone starts with it; by name; nothing for a blank search."""
    found = intake_customers(engine, reader(Role.SPECIALIST), text)
    assert [c["name"] for c in found] == names


def test_a_search_lists_at_most_a_screenful(engine):
    with session_scope(engine) as s:
        for n in range(MATCHES_MAX + 5):
            make_customer(s, name=f"Many {n:02d}", code=f"MN{n:03d}", phone=f"1370000{n:04d}")
    assert len(intake_customers(engine, reader(Role.SPECIALIST), "Many")) == MATCHES_MAX


def test_the_products_offered_are_the_customers_own_newest_first(engine, archive):
    """CP-1: only this customer's products (model, order and serial numbers), newest purchase first."""
    found = intake_products(engine, reader(Role.MANAGER), archive["zhang"])
    assert [(p["id"], p["model"], p["order_no"], p["serial_no"]) for p in found] == [
        (archive["new"], "B2", "SO-2", "SN-2"), (archive["old"], "A1", "SO-1", None)]
    assert intake_customer(engine, reader(Role.MANAGER), archive["zhao"])["code"] == "ZT001"
    assert intake_customer(engine, reader(Role.MANAGER), 999_999_999) is None


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ENGINEER, Role.FINANCE, Role.ADMIN])
def test_only_those_who_take_complaints_in_may_search_for_one(engine, archive, role):
    for ask in (lambda a: intake_customers(engine, a, "Zh"), lambda a: intake_products(engine, a, archive["zhang"]),
                lambda a: intake_customer(engine, a, archive["zhang"])):
        with pytest.raises(Forbidden):
            ask(reader(role))
