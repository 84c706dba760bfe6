"""A new customer's record, the pure checks (core.customers.records, C-1..C-3): phones stored canonical, the
contacts' and products' refusals named by their place in the form, and the likely-duplicate rule."""

from __future__ import annotations

from datetime import date

import pytest

from core.customers.records import Known, clean_new_customer, duplicate_reason
from core.errors import Invalid
from db.enums import ArchiveValidity, CustomerGrade, SourceChannel

TODAY = date(2026, 11, 20)


def test_a_new_record_is_normalised_with_every_phone_in_its_canonical_form():
    new = clean_new_customer({"name": "  张伟 ", "phone": "138 1234 5678", "source_channel": "referral"},
                             [{"name": "李娜", "phone": "0571-8888 1234", "is_primary": True}],
                             [{"model": "X1", "order_no": " SO1 ", "purchase_date": TODAY, "usage": " 12 "}],
                             TODAY, "CN")
    assert new.fields == {"name": "张伟", "phone": "+8613812345678", "is_company": False,
                          "source_channel": SourceChannel.REFERRAL}
    assert new.contacts == [{"name": "李娜", "title": None, "phone": "+8657188881234", "email": None,
                             "is_primary": True}]
    assert (new.products[0]["order_no"], new.products[0]["usage"]) == ("SO1", 12)
    assert new.phones == {"+8613812345678", "+8657188881234"}


def test_grade_and_validity_are_the_archives_own_values():
    new = clean_new_customer({"name": "A", "phone": "13812345678", "grade": "vip", "validity": "unreachable"}, [],
                             [], TODAY, "CN")
    assert (new.fields["grade"], new.fields["validity"]) == (CustomerGrade.VIP, ArchiveValidity.UNREACHABLE)


@pytest.mark.parametrize("contacts, products, field, key", [
    ([{"name": "Li", "phone": 13812345678}], [], "contact.0.phone", "customer.bad_phone"),  # not text
    ([{"name": "Li"}, {"name": "Wu", "email": "wu@"}], [], "contact.1.email", "customer.bad_email"),
    ([{"name": "L" * 101}], [], "contact.0.name", "customer.too_long"),
    ([], [{"model": "X", "order_no": "S", "purchase_date": "2026-11-01"}], "product.0.purchase_date",
     "cu_new.bad_date"),  # a date, not text
    ([], [{"model": "X", "order_no": "S", "purchase_date": date(1899, 12, 31)}], "product.0.purchase_date",
     "cu_new.bad_date"),
    ([], [{"model": "X", "order_no": "S", "purchase_date": TODAY, "delivery_date": date(2028, 1, 1)}],
     "product.0.delivery_date", "product.too_far_ahead"),
    ([], [{"model": "X", "order_no": "S", "purchase_date": TODAY, "usage": "1.5"}], "product.0.usage",
     "cu_new.bad_usage"),
], ids=["phone-not-text", "bad-email", "long-name", "date-as-text", "before-1900", "years-ahead", "fraction"])
def test_a_bad_contact_or_product_is_refused_by_its_place_in_the_form(contacts, products, field, key):
    with pytest.raises(Invalid) as refused:
        clean_new_customer({"name": "A", "phone": "13812345678"}, contacts, products, TODAY, "CN")
    assert {f: e.key for f, e in refused.value.errors.items()} == {field: key}


def known(phones=(), name="张伟", city="杭州") -> Known:
    return Known(frozenset(phones), name, city)


@pytest.mark.parametrize("new, old, reason", [
    (known({"+8613812345678"}), known({"+8613812345678"}, "Other", None), "phone"),
    (known({"+8613812345678"}, city=None), known({"+8613900000000"}), None),
    (known(), known(name=" 张伟", city="杭州 "), "name_city"),
    (known(name="Acme  Tools", city="Hangzhou"), known(name="acme tools", city="HANGZHOU"), "name_city"),
    (known(), known(city="宁波"), None),
    (known(city=""), known(city=""), None),  # no city: a name alone is no duplicate
    (known(name="张伟"), known(name="张伟伟"), None),
], ids=["same-phone", "other-phone-no-city", "same-name-city", "case-and-blanks", "other-city", "no-city",
        "longer-name"])
def test_a_likely_duplicate_shares_a_phone_or_a_name_in_the_same_city(new, old, reason):
    assert duplicate_reason(new, old) == reason


def test_blank_optional_fields_leave_the_archives_defaults():
    """A form's or a spreadsheet's empty cells: no grade means normal, no validity valid (the model's defaults)."""
    new = clean_new_customer({"name": "A", "phone": "13812345678", "grade": "", "validity": None, "email": "",
                              "birthday": None, "source_channel": ""}, [], [], TODAY, "CN")
    assert new.fields == {"name": "A", "phone": "+8613812345678", "is_company": False, "source_channel": None}
