"""CB-11 incoming-call register against a real database: a missed or unresolved call from a known customer
gets exactly one same-day MISSED_CALL callback (CB-2) at save, which the daily sweep then finds instead of
doubling; an answered and resolved call gets none; an unknown caller who waits becomes a lead due now; an
enquiry handed over becomes an L-1 lead due after its class interval, or updates the caller's open lead;
refused input writes nothing; every write is audited; the register lists, filters and pages in SQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Forbidden, Invalid
from core.incoming.queries import IncomingFilter, find_callers, list_incoming
from core.incoming.rules import IncomingInput
from core.incoming.services import register_incoming_call
from core.phones import spellings
from core.scheduling.sweep import schedule_due_callbacks
from db.engine import session_scope
from db.enums import CallbackKind, CallbackStatus, IncomingCategory, LeadClass, LeadStatus, Role
from db.models import Callback, Customer, IncomingCall, Lead
from tests.factories import NOW, actor_of, make_contact, make_customer, make_lead, make_user, reader
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"
EXISTING, NEW, RETURNING = (IncomingCategory.EXISTING_PROBLEM, IncomingCategory.NEW_ENQUIRY,
                            IncomingCategory.RETURNING_PROSPECT)


def office(engine) -> dict:
    """Ann (a specialist) owns customer Wang; Bo is another specialist; Mia a manager; Eli an engineer."""
    with session_scope(engine) as s:
        ann = make_user(s, role=Role.SPECIALIST, display_name="Ann")
        bo = make_user(s, role=Role.SPECIALIST, display_name="Bo")
        mia = make_user(s, role=Role.MANAGER, display_name="Mia")
        eli = make_user(s, role=Role.ENGINEER, display_name="Eli")
        wang = make_customer(s, name="Wang", phone="13800001111", specialist_id=ann.id)
        return {"ann": actor_of(ann), "bo": actor_of(bo), "mia": actor_of(mia), "eli": actor_of(eli),
                "wang": wang.id}


def count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def callbacks(engine) -> list[dict]:
    with session_scope(engine) as s:
        return [dict(r) for r in s.execute(select(Callback.kind, Callback.customer_id, Callback.due_start,
                                                  Callback.due_end, Callback.assignee_id, Callback.source_key,
                                                  Callback.status)).mappings()]


def lead(engine, lead_id: int) -> Lead:
    with session_scope(engine) as s:
        return s.get(Lead, lead_id)


def test_a_missed_call_from_a_known_customer_gets_one_same_day_callback_and_the_sweep_adds_none_cb_11_cb_2(engine):
    o = office(engine)
    done = register_incoming_call(engine, o["bo"], IncomingInput("138 0000 1111", EXISTING, answered=False), NOW)
    assert done.customer_id == o["wang"] and done.callback_assignee == "Ann" and done.lead_id is None
    [cb] = callbacks(engine)
    assert (cb["kind"], cb["customer_id"], cb["assignee_id"], cb["status"]) == (
        CallbackKind.MISSED_CALL, o["wang"], o["ann"].id, CallbackStatus.OPEN)
    assert cb["due_start"] == NOW and cb["due_end"].isoformat() == "2026-11-20T15:59:59+00:00"  # Shanghai's day
    assert cb["source_key"] == f"missed_call:incoming_call:{done.call_id}"
    result = schedule_due_callbacks(engine, NOW + timedelta(hours=1))
    assert (result.created, result.skipped) == (0, 1)
    assert count(engine, Callback) == 1


def test_an_answered_but_unresolved_call_is_called_back_too_cb_11(engine):
    o = office(engine)
    done = register_incoming_call(engine, o["ann"], IncomingInput("13800001111", EXISTING, resolved=False), NOW)
    assert done.callback_id is not None and [c["kind"] for c in callbacks(engine)] == [CallbackKind.MISSED_CALL]


def test_a_missed_call_logged_more_than_a_week_late_is_saved_and_says_no_call_back_was_planned_cb_11(engine):
    """A call back owed for a fortnight is not planned as long overdue; the result tells the user so."""
    o = office(engine)
    late = IncomingInput("13800001111", EXISTING, answered=False, received_at=NOW - timedelta(days=14))
    done = register_incoming_call(engine, o["ann"], late, NOW)
    assert (done.callback_id, done.too_late, count(engine, IncomingCall), callbacks(engine)) == (None, True, 1, [])


def test_an_answered_and_resolved_call_creates_no_callback_cb_11(engine):
    o = office(engine)
    done = register_incoming_call(engine, o["ann"], IncomingInput("13800001111", EXISTING, resolved=True), NOW)
    assert (done.callback_id, done.lead_id) == (None, None)
    assert count(engine, Callback) == 0 and count(engine, Lead) == 0
    assert schedule_due_callbacks(engine, NOW).created == 0


def test_a_contact_persons_number_finds_the_customer(engine):
    o = office(engine)
    with session_scope(engine) as s:
        make_contact(s, s.get(Customer, o["wang"]), name="Li", phone="139-2222-3333")
    assert [c["name"] for c in find_callers(engine, reader(), "13922223333")] == ["Wang"]
    done = register_incoming_call(engine, o["ann"], IncomingInput("+86 139 2222 3333", EXISTING, answered=False), NOW)
    assert done.customer_id == o["wang"] and done.callback_id is not None


def test_a_number_two_customers_share_links_neither_unless_the_user_picks_one(engine):
    o = office(engine)
    with session_scope(engine) as s:
        other = make_customer(s, name="Zhou", phone="13800001111").id
    assert {c["name"] for c in find_callers(engine, reader(), "13800001111")} == {"Wang", "Zhou"}
    unknown = register_incoming_call(engine, o["ann"], IncomingInput("13800001111", EXISTING, resolved=True), NOW)
    picked = register_incoming_call(engine, o["ann"], IncomingInput("13800001111", EXISTING, customer_id=other,
                                                                    resolved=True), NOW)
    assert (unknown.customer_id, picked.customer_id) == (None, other)


def test_the_lookup_matches_whole_numbers_only(engine):
    office(engine)
    assert find_callers(engine, reader(), "1380000") == [] and find_callers(engine, reader(), "not a number") == []
    assert "13800001111" in spellings("+86 138-0000-1111")


def test_a_missed_call_from_an_unknown_number_becomes_a_lead_due_now_cb_11(engine):
    o = office(engine)
    done = register_incoming_call(engine, o["bo"], IncomingInput("13955556666", NEW, caller_name="Mr Sun",
                                                                 answered=False), NOW)
    assert done.callback_id is None and done.lead_created and done.lead_owner == "Bo"
    made = lead(engine, done.lead_id)
    assert (made.name, made.phone, made.next_follow_up, made.status, made.incoming_call_id, made.specialist_id) == (
        "Mr Sun", "13955556666", NOW, LeadStatus.OPEN, done.call_id, o["bo"].id)
    assert count(engine, Callback) == 0


def test_a_manager_logging_an_unknown_caller_leaves_the_lead_to_the_assignment_rule(engine):
    o = office(engine)
    done = register_incoming_call(engine, o["mia"], IncomingInput("13955556666", EXISTING, answered=False), NOW)
    assert lead(engine, done.lead_id).specialist_id in {o["ann"].id, o["bo"].id}


@pytest.mark.parametrize(("lead_class", "days"), [(LeadClass.A, 2), (LeadClass.B, 7), (LeadClass.C, 30)])
def test_an_enquiry_handed_over_becomes_a_lead_due_after_its_class_interval_l_1(engine, lead_class, days):
    o = office(engine)
    data = IncomingInput("13977778888", NEW, caller_name="Ms Qian", need="A bigger pump", heard_from="Friend",
                         resolved=True, as_lead=True, lead_class=lead_class)
    done = register_incoming_call(engine, o["ann"], data, NOW)
    made = lead(engine, done.lead_id)
    assert (made.lead_class, made.next_follow_up, made.interest, made.source, made.specialist_id) == (
        lead_class, NOW + timedelta(days=days), "A bigger pump", "Friend", o["ann"].id)
    assert done.lead_due == NOW + timedelta(days=days)


def test_an_enquiry_from_a_known_customer_goes_to_their_own_specialist_l_1(engine):
    o = office(engine)
    data = IncomingInput("13800001111", RETURNING, need="A second unit", resolved=True, as_lead=True,
                         lead_class=LeadClass.A)
    done = register_incoming_call(engine, o["bo"], data, NOW)
    made = lead(engine, done.lead_id)
    assert (made.customer_id, made.name, made.specialist_id) == (o["wang"], "Wang", o["ann"].id)


def test_an_open_lead_with_the_same_number_is_updated_not_doubled_l_1(engine):
    o = office(engine)
    with session_scope(engine) as s:
        old = make_lead(s, phone="139 7777 8888", interest="Pump", lead_class=LeadClass.C,
                        next_follow_up=NOW + timedelta(days=20), specialist_id=o["bo"].id).id
    data = IncomingInput("13977778888", NEW, need="Filters", resolved=True, as_lead=True, lead_class=LeadClass.A)
    done = register_incoming_call(engine, o["ann"], data, NOW)
    assert (done.lead_id, done.lead_created, done.lead_owner) == (old, False, "Bo")
    updated = lead(engine, old)
    assert (updated.interest, updated.next_follow_up, updated.lead_class, updated.version) == (
        "Filters; Pump", NOW + timedelta(days=2), LeadClass.C, 2)
    assert count(engine, Lead) == 1


def test_a_closed_lead_with_the_same_number_is_left_alone(engine):
    o = office(engine)
    with session_scope(engine) as s:
        make_lead(s, phone="13977778888", status=LeadStatus.WON)
    register_incoming_call(engine, o["ann"], IncomingInput("13977778888", NEW, answered=False), NOW)
    assert count(engine, Lead) == 2


@pytest.mark.parametrize(("data", "key"), [
    (IncomingInput("  ", EXISTING), "incoming.phone_required"),
    (IncomingInput("call me", EXISTING), "incoming.bad_phone"),
    (IncomingInput("12", EXISTING), "incoming.bad_phone"),
    (IncomingInput("13800001111", "gossip"), "incoming.bad_choice"),
    (IncomingInput("13800001111", EXISTING, received_at=NOW + timedelta(minutes=5)), "incoming.future_time"),
    (IncomingInput("13800001111", EXISTING, answered=False, resolved=True), "incoming.missed_not_resolved"),
    (IncomingInput("13800001111", EXISTING, caller_name="x" * 101), "incoming.too_long"),
    (IncomingInput("13800001111", EXISTING, as_lead=True, lead_class=LeadClass.A), "incoming.lead_only_for_enquiry"),
    (IncomingInput("13800001111", NEW, as_lead=True), "incoming.lead_class_required"),
    (IncomingInput("13800001111", EXISTING, customer_id=987654321), "incoming.unknown_customer"),
])
def test_bad_input_is_refused_and_nothing_is_written(engine, data, key):
    o = office(engine)
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        register_incoming_call(engine, o["ann"], data, NOW)
    assert err.value.key == key
    assert (count(engine, IncomingCall), count(engine, Callback), count(engine, Lead)) == (0, 0, 0)
    assert audit_since(engine, mark) == []


def test_an_engineer_may_not_register_a_call(engine):
    o = office(engine)
    with pytest.raises(Forbidden):
        register_incoming_call(engine, o["eli"], IncomingInput("13800001111", EXISTING, answered=False), NOW)
    assert count(engine, IncomingCall) == 0


def test_the_call_its_callback_and_its_lead_are_audited_as_the_actor(engine):
    o = office(engine)
    mark = audit_mark(engine)
    missed = register_incoming_call(engine, o["bo"], IncomingInput("13800001111", EXISTING, answered=False), NOW)
    enquiry = register_incoming_call(engine, o["bo"], IncomingInput("13955556666", NEW, answered=False), NOW)
    rows = [(r["entity"], r["entity_id"], r["action"], r["user_id"]) for r in audit_since(engine, mark)]
    assert rows == [(entity, str(i), "create", o["bo"].id) for entity, i in [
        ("incoming_call", missed.call_id), ("callback", missed.callback_id),
        ("incoming_call", enquiry.call_id), ("lead", enquiry.lead_id)]]
    first = audit_since(engine, mark)[0]["changes"]
    assert first["phone"] == [None, "13800001111"] and first["answered"] == [None, False]


def test_a_back_dated_call_is_received_when_the_user_says(engine):
    o = office(engine)
    earlier = NOW - timedelta(hours=3)
    done = register_incoming_call(engine, o["ann"], IncomingInput("13800001111", EXISTING, answered=False,
                                                                  received_at=earlier), NOW)
    with session_scope(engine) as s:
        assert s.get(IncomingCall, done.call_id).received_at == earlier
    assert callbacks(engine)[0]["due_start"] == earlier


def test_the_register_lists_newest_first_with_names_and_follow_ups(engine):
    o = office(engine)
    missed = register_incoming_call(engine, o["bo"], IncomingInput("13800001111", EXISTING, answered=False,
                                                                   received_at=NOW - timedelta(hours=2)), NOW)
    stranger = register_incoming_call(engine, o["ann"], IncomingInput("13955556666", NEW, answered=False,
                                                                      received_at=NOW - timedelta(hours=1)), NOW)
    fine = register_incoming_call(engine, o["ann"], IncomingInput("13800001111", EXISTING, resolved=True), NOW)
    page = list_incoming(engine, reader(), IncomingFilter(), TZ)
    assert [r["id"] for r in page.rows] == [fine.call_id, stranger.call_id, missed.call_id] and page.total == 3
    rows = {r["id"]: r for r in page.rows}
    first, second, third = rows[missed.call_id], rows[stranger.call_id], rows[fine.call_id]
    assert (first["customer"], first["taken_by"], first["callback_id"], first["callback_assignee"]) == (
        "Wang", "Bo", missed.callback_id, "Ann")
    assert (second["customer"], second["lead_id"], second["lead_owner"]) == (None, stranger.lead_id, "Ann")
    assert (third["callback_id"], third["lead_id"]) == (None, None)


def test_the_register_filters_by_day_answer_resolution_and_category_and_pages(engine):
    o = office(engine)
    for hours, answered, resolved, category in [(30, False, False, EXISTING), (2, True, True, NEW),
                                                (1, True, False, RETURNING), (0, False, False, NEW)]:
        register_incoming_call(engine, o["ann"], IncomingInput(
            "13955556666", category, answered=answered, resolved=resolved,
            received_at=NOW - timedelta(hours=hours)), NOW)

    def total(**f) -> int:
        return list_incoming(engine, reader(), IncomingFilter(**f), TZ).total

    today = date(2026, 11, 20)
    assert total() == 4 and total(day_from=today, day_to=today) == 3
    assert total(answered=False) == 2 and total(answered=True, resolved=False) == 1
    assert total(categories=(NEW,)) == 2 and total(resolved=True) == 1
    second = list_incoming(engine, reader(), IncomingFilter(), TZ, page=2, page_size=3)
    assert (second.page, second.pages, len(second.rows)) == (2, 2, 1)


def test_a_second_call_that_changes_nothing_on_the_open_lead_leaves_its_version_and_audit_alone_issue_9(engine):
    """The caller's open lead already has this follow-up and no new need was said: no new version, no
    empty audit row for the lead."""
    o = office(engine)
    first = register_incoming_call(engine, o["ann"], IncomingInput("13977778888", NEW, need="Filters", resolved=True,
                                                                   as_lead=True, lead_class=LeadClass.A), NOW)
    mark = audit_mark(engine)
    again = register_incoming_call(engine, o["ann"], IncomingInput("13977778888", NEW, need="", resolved=True,
                                                                   as_lead=True, lead_class=LeadClass.A), NOW)
    assert (again.lead_id, again.lead_created) == (first.lead_id, False)
    assert lead(engine, first.lead_id).version == 1
    assert [r for r in audit_since(engine, mark) if r["entity"] == "lead"] == []
