"""The customer archive (C-1..C-3), its filters and search, and one customer's whole history (C-4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.customers.queries import CustomerFilter, customer_detail, list_customers, specialists
from db.engine import session_scope
from db.enums import (
    ArchiveValidity,
    CallbackKind,
    CallbackStatus,
    CallOutcome,
    ComplaintStatus,
    CustomerGrade,
    LeadClass,
    WorkOrderStatus,
)
from tests.factories import (
    NOW,
    make_attempt,
    make_callback,
    make_complaint,
    make_contact,
    make_customer,
    make_lead,
    make_product,
    make_user,
    make_work_order,
    reader,
)

TZ = "Asia/Shanghai"


@pytest.fixture
def archive(engine):
    """Three customers created on three days, newest C0000300 first."""
    with session_scope(engine) as s:
        mei = make_user(s, display_name="Mei")
        make_customer(s, code="C0000100", name="Wang Hardware", phone="13900001111", city="Suzhou",
                      grade=CustomerGrade.VIP, created_at=NOW - timedelta(days=30), specialist_id=mei.id)
        make_customer(s, code="C0000200", name="Zhao Motors", phone="13722223333",
                      validity=ArchiveValidity.UNREACHABLE, created_at=NOW - timedelta(days=3))
        make_customer(s, code="C0000300", name="王氏五金", phone="13900005555", grade=CustomerGrade.KEY,
                      validity=ArchiveValidity.INVALID, created_at=NOW, specialist_id=mei.id)
        return {"mei": mei.id}


def codes(engine, **filters) -> list[str]:
    return [r["code"] for r in list_customers(engine, reader(), CustomerFilter(**filters), TZ, 1, 25).rows]


def test_the_archive_lists_customers_newest_first_with_their_specialist(engine, archive):
    page = list_customers(engine, reader(), CustomerFilter(), TZ)
    assert page.total == 3
    assert [r["code"] for r in page.rows] == ["C0000300", "C0000200", "C0000100"]
    last = page.rows[2]
    assert (last["name"], last["phone"], last["city"], last["grade"], last["validity"], last["specialist"]) == (
        "Wang Hardware", "13900001111", "Suzhou", CustomerGrade.VIP, ArchiveValidity.VALID, "Mei")


@pytest.mark.parametrize(("filters", "expected"), [
    ({"grades": (CustomerGrade.VIP, CustomerGrade.KEY)}, ["C0000300", "C0000100"]),
    ({"validities": (ArchiveValidity.UNREACHABLE,)}, ["C0000200"]),
    ({"grades": (CustomerGrade.NORMAL,), "validities": (ArchiveValidity.VALID,)}, []),
    ({"created_from": date(2026, 11, 17), "created_to": date(2026, 11, 17)}, ["C0000200"]),
    ({"created_to": date(2026, 11, 17)}, ["C0000200", "C0000100"]),
])
def test_grade_validity_and_created_filters_keep_only_matching_customers(engine, archive, filters, expected):
    """C-2 grade and C-3 validity; created dates are office days (NOW - 3 days is 17 Nov in Shanghai)."""
    assert codes(engine, **filters) == expected


def test_the_specialist_filter_keeps_that_specialists_customers(engine, archive):
    assert codes(engine, specialist_id=archive["mei"]) == ["C0000300", "C0000100"]
    assert specialists(engine) == {archive["mei"]: "Mei"}


@pytest.mark.parametrize(("text", "expected"), [
    ("hard", ["C0000100"]),
    ("五金", ["C0000300"]),
    ("139", ["C0000300", "C0000100"]),
    ("0000", []),
    ("C00002", ["C0000200"]),
    ("C0000", ["C0000300", "C0000200", "C0000100"]),
    ("_", []),
])
def test_search_matches_name_fragment_phone_prefix_or_code_prefix(engine, archive, text, expected):
    assert codes(engine, search=text) == expected


@pytest.fixture
def history(engine):
    """One customer with contacts, products, callbacks, complaints, work orders and leads;
    a neighbour with one of each, which must never show up."""
    with session_scope(engine) as s:
        mei, tom = make_user(s, display_name="Mei"), make_user(s, display_name="Tom")
        me = make_customer(s, name="Sun Textiles", specialist_id=mei.id)
        other = make_customer(s, name="Neighbour")
        make_contact(s, me, name="Ms Sun", phone="13811110000")
        make_contact(s, me, name="Mr Li", is_primary=True)
        old = make_product(s, me, order_no="SO-OLD", purchase_date=date(2025, 1, 5))
        make_product(s, me, order_no="SO-NEW", purchase_date=date(2026, 9, 1), serial_no="SN9")
        make_product(s, other, order_no="SO-OTHER")
        done = make_callback(s, me, kind=CallbackKind.FIRST, due_end=NOW - timedelta(days=20), assignee_id=mei.id,
                             status=CallbackStatus.COMPLETED, product_id=old.id)
        make_attempt(s, done, mei, attempted_at=NOW - timedelta(days=22), outcome=CallOutcome.NOT_REACHED)
        make_attempt(s, done, mei, attempted_at=NOW - timedelta(days=21), outcome=CallOutcome.REACHED)
        make_callback(s, me, kind=CallbackKind.AFTER_REPAIR, due_end=NOW + timedelta(days=2))
        make_callback(s, other)
        for days, number in ((9, "CP-A"), (1, "CP-B")):
            make_complaint(s, me, mei, number=number, received_at=NOW - timedelta(days=days), owner_id=tom.id)
        make_complaint(s, other, mei, number="CP-OTHER")
        for days, number in ((40, "WO-A"), (4, "WO-B"), (12, "WO-C")):
            make_work_order(s, me, mei, number=number, intake_at=NOW - timedelta(days=days), technician_id=tom.id,
                            status=WorkOrderStatus.COMPLETED)
        make_work_order(s, other, mei, number="WO-OTHER")
        make_lead(s, customer_id=me.id, name="Sun Textiles – dryer", lead_class=LeadClass.A, specialist_id=mei.id,
                  created_at=NOW - timedelta(days=6))
        make_lead(s, customer_id=other.id)
        return me.id


def test_the_history_holds_exactly_that_customers_records_newest_first(engine, history):
    """C-4: products, callbacks, complaints, work orders and leads, each newest first, none of the neighbour's."""
    d = customer_detail(engine, reader(), history)
    assert (d["customer"]["name"], d["customer"]["specialist"]) == ("Sun Textiles", "Mei")
    assert [c["name"] for c in d["contacts"]] == ["Mr Li", "Ms Sun"]
    assert [p["order_no"] for p in d["products"].rows] == ["SO-NEW", "SO-OLD"]
    assert [c["kind"] for c in d["callbacks"].rows] == [CallbackKind.AFTER_REPAIR, CallbackKind.FIRST]
    assert [c["number"] for c in d["complaints"].rows] == ["CP-B", "CP-A"]
    assert [w["number"] for w in d["work_orders"].rows] == ["WO-B", "WO-C", "WO-A"]
    assert [lead["name"] for lead in d["leads"].rows] == ["Sun Textiles – dryer"]
    assert [d[k].total for k in ("products", "callbacks", "complaints", "work_orders", "leads")] == [2, 2, 2, 3, 1]


def test_the_history_says_who_handled_each_record_and_how_the_last_call_ended(engine, history):
    """C-4 who handled them; CB-6 the last attempt's outcome."""
    d = customer_detail(engine, reader(), history)
    first = d["callbacks"].rows[1]
    assert (first["assignee"], first["status"], first["last_outcome"]) == (
        "Mei", CallbackStatus.COMPLETED, CallOutcome.REACHED)
    assert first["last_attempt_at"] == NOW - timedelta(days=21)
    assert d["callbacks"].rows[0]["last_outcome"] is None
    assert {c["owner"] for c in d["complaints"].rows} == {"Tom"}
    assert {c["status"] for c in d["complaints"].rows} == {ComplaintStatus.RECEIVED}
    assert {w["technician"] for w in d["work_orders"].rows} == {"Tom"}
    assert d["leads"].rows[0]["specialist"] == "Mei"


def test_each_related_list_is_cut_to_the_newest_rows_but_counts_them_all(engine, history):
    d = customer_detail(engine, reader(), history, limit=2)
    assert [w["number"] for w in d["work_orders"].rows] == ["WO-B", "WO-C"]
    assert d["work_orders"].total == 3


def test_a_missing_customer_has_no_detail(engine):
    assert customer_detail(engine, reader(), 999_999) is None
