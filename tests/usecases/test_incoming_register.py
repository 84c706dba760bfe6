"""The incoming-call register searched and opened (issue 10) against a real database: the search looks in
the caller's name, the number (as typed in any usual spelling, or its start) and the need, in SQL; one call
opens with who took it, the customer it was matched to and what it led to (the call-back or the lead); only
who answers the office phone reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Forbidden
from core.incoming.queries import IncomingFilter, incoming_detail, list_incoming
from core.incoming.rules import IncomingInput
from core.incoming.services import register_incoming_call
from db.engine import session_scope
from db.enums import CallbackStatus, IncomingCategory, Role
from tests.factories import NOW, actor_of, make_customer, make_user, reader

TZ = "Asia/Shanghai"
EXISTING, NEW = IncomingCategory.EXISTING_PROBLEM, IncomingCategory.NEW_ENQUIRY


def calls(engine) -> dict:
    """A missed call from customer Wang (a call-back), a waiting stranger (a lead), and a resolved enquiry."""
    with session_scope(engine) as s:
        ann = actor_of(make_user(s, role=Role.SPECIALIST, display_name="Ann"))
        wang = make_customer(s, name="Wang", phone="13800001111", specialist_id=ann.id)
        wang = {"id": wang.id, "code": wang.code}
    log = lambda data, hours: register_incoming_call(engine, ann, data, NOW - timedelta(hours=hours))  # noqa: E731
    return {"ann": ann, "wang": wang,
            "missed": log(IncomingInput("13800001111", EXISTING, "Mr Wang", need="Pump is noisy", answered=False), 3),
            "stranger": log(IncomingInput("13955556666", NEW, "Liu 50%", need="Asks about softeners",
                                          answered=False), 2),
            "fine": log(IncomingInput("(201) 555-0143", NEW, "Ada", need="Opening hours", resolved=True), 1)}


def found(engine, o, search: str) -> list[str]:
    ids = {o[k].call_id: k for k in ("missed", "stranger", "fine")}
    return sorted(ids[r["id"]] for r in list_incoming(engine, reader(), IncomingFilter(search=search), TZ).rows)


@pytest.mark.parametrize(("search", "expected"), [
    ("wang", ["missed"]),  # the caller's name, whatever the case
    ("softener", ["stranger"]),  # the need
    ("138 0000 1111", ["missed"]),  # the number in another spelling
    ("2015550143", ["fine"]),
    ("1395555", ["stranger"]),  # the start of the number
    ("50%", ["stranger"]),  # LIKE's wildcards are literal
    ("_", []),  # nobody typed an underscore
    ("a\x00b", []),
], ids=["name", "need", "spelled-phone", "bare-digits", "phone-prefix", "percent", "wildcard", "control"])
def test_the_register_is_searched_by_caller_number_and_need(engine, search, expected):
    o = calls(engine)
    assert found(engine, o, search) == expected


@pytest.mark.parametrize(("sort", "order"), [
    (None, ["fine", "stranger", "missed"]),  # newest first
    ("received_at", ["missed", "stranger", "fine"]),
    ("-caller_name", ["missed", "stranger", "fine"]),  # Mr Wang, Liu, Ada
    ("category", ["stranger", "fine", "missed"]),  # new enquiries before existing problems: declared order
    ("customer", ["missed", "stranger", "fine"]),  # no customer last, the id breaking the tie
    ("id; DROP TABLE incoming_calls", ["fine", "stranger", "missed"]),  # not on the allow-list: the default
])
def test_the_register_is_sorted_in_sql_over_the_whole_filtered_list_and_paged_after(engine, sort, order):
    """Issue 10: the register had no sort; it takes the allow-listed `sort` of every list (core.lists.ordered)."""
    o = calls(engine)
    ids = {o[k].call_id: k for k in ("missed", "stranger", "fine")}
    pages = [list_incoming(engine, reader(), IncomingFilter(), TZ, n, 2, sort) for n in (1, 2)]
    assert [ids[r["id"]] for p in pages for r in p.rows] == order
    assert pages[0].total == 3


def test_a_call_opens_with_its_customer_and_the_call_back_it_led_to(engine):
    o = calls(engine)
    call = incoming_detail(engine, reader(), o["missed"].call_id)
    assert (call["caller_name"], call["taken_by"], call["customer_id"], call["customer"], call["customer_code"]) == (
        "Mr Wang", "Ann", o["wang"]["id"], "Wang", o["wang"]["code"])
    assert (call["callback_id"], call["callback_status"], call["callback_assignee"], call["lead_id"]) == (
        o["missed"].callback_id, CallbackStatus.OPEN, "Ann", None)


def test_a_stranger_s_call_opens_with_the_lead_it_led_to_and_no_customer(engine):
    o = calls(engine)
    call = incoming_detail(engine, reader(), o["stranger"].call_id)
    assert (call["customer_id"], call["customer"], call["lead_id"], call["lead_owner"], call["callback_id"]) == (
        None, None, o["stranger"].lead_id, "Ann", None)
    fine = incoming_detail(engine, reader(), o["fine"].call_id)
    assert (fine["callback_id"], fine["lead_id"]) == (None, None)
    assert incoming_detail(engine, reader(), o["fine"].call_id + 1000) is None


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ENGINEER, Role.FINANCE, Role.ADMIN])
def test_only_who_answers_the_office_phone_opens_a_call(engine, role):
    o = calls(engine)
    with pytest.raises(Forbidden):
        incoming_detail(engine, reader(role), o["fine"].call_id)
