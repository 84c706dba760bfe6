"""The archive's phones brought to their canonical form once (C-1, core.customers.phone_form, run by
cli.setup on every start): what libphonenumber reads is converted, audited with the old spelling, the
customer's version moved on and its search terms rewritten; what it cannot read is left as typed and
reported; a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from core.customers.phone_form import convert_phones
from core.customers.search import matching_ids
from db.engine import session_scope
from db.models import Contact, Customer
from tests.factories import NOW, make_customer
from tests.helpers import audit_mark, audit_since


def test_typed_phones_become_canonical_once_and_the_unreadable_are_left_and_listed(engine):
    with session_scope(engine) as s:
        typed = make_customer(s, phone="138-1234-5678")
        landline = make_customer(s, phone="(0755) 8888 1234")
        done = make_customer(s, phone="+8613900001111")
        odd = make_customer(s, phone="12345")
        s.add(Contact(customer_id=done.id, name="Li", phone="0086 137 0000 2222"))
        ids = {"typed": typed.id, "landline": landline.id, "done": done.id, "odd": odd.id}
    mark = audit_mark(engine)
    converted = convert_phones(engine, NOW)
    with session_scope(engine) as s:
        phones = {k: s.get(Customer, i).phone for k, i in ids.items()}
        versions = {k: s.get(Customer, i).version for k, i in ids.items()}
        contact = s.scalar(select(Contact.phone).where(Contact.customer_id == ids["done"]))
        found = set(s.scalars(matching_ids("137 0000 2222")))
    assert phones == {"typed": "+8613812345678", "landline": "+8675588881234", "done": "+8613900001111",
                      "odd": "12345"}
    assert contact == "+8613700002222" and ids["done"] in found  # the contact's customer reindexed
    assert versions == {"typed": 2, "landline": 2, "done": 1, "odd": 1}
    assert (converted.changed, converted.left) == (3, [("customers", ids["odd"], "12345")])
    audited = sorted((a["entity"], a["username"], a["changes"]["phone"][0], a["changes"]["phone"][1])
                     for a in audit_since(engine, mark))
    assert audited == [("contact", "setup", "0086 137 0000 2222", "+8613700002222"),
                       ("customer", "setup", "(0755) 8888 1234", "+8675588881234"),
                       ("customer", "setup", "138-1234-5678", "+8613812345678")]
    again = convert_phones(engine, NOW)
    assert (again.changed, again.left) == (0, [("customers", ids["odd"], "12345")])
