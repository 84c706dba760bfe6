"""Working the queue (core.callbacks.services): claiming (CB-1, two specialists never work the same callback),
releasing, and recording a call on each route of CB-6 with what it hands on: satisfaction and the
customer's own words (CB-7), a promised reply (CB-8), a complaint (CB-7 → CP-1, CP-2), a lead (L-1),
the archive's validity (C-3) and the quality checklist (CB-9). Every route checks the stored state and
the audit rows it wrote; every refusal checks that nothing at all was written."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.callbacks.flow import AlreadyClaimed, NotClaimed
from core.callbacks.rules import CB9_ITEMS, CallInput
from core.callbacks.services import claim, record_call, release
from core.errors import DomainError, FieldErrors, Forbidden, Invalid
from core.i18n import catalog
from core.scheduling.sweep import schedule_due_callbacks
from db.engine import session_scope
from db.enums import (
    ArchiveValidity,
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CallOutcome,
    Channel,
    ComplaintChannel,
    ComplaintStatus,
    LeadClass,
    LeadStatus,
    Role,
    Satisfaction,
)
from db.models import CallAttempt, Callback, Complaint, ComplaintEvent, Customer, Lead
from tests.factories import NOW, actor_of, make_callback, make_customer, make_lead, make_product, make_user
from tests.helpers import audit_mark, audit_since

H, DAY = timedelta(hours=1), timedelta(days=1)
SATISFIED = CallInput(Channel.PHONE, CallOutcome.REACHED, satisfaction=Satisfaction.SATISFIED, score=5)
NOT_REACHED = CallInput(Channel.PHONE, CallOutcome.NOT_REACHED)


@pytest.fixture
def office(engine):
    """Two specialists, a manager, a director, an engineer; a customer with a product; one open L1 callback."""
    with session_scope(engine) as s:
        people = {role: make_user(s, role=role, display_name=f"{role.value.title()} Li") for role in Role}
        other = make_user(s, role=Role.SPECIALIST, display_name="Bo Zhang")
        customer = make_customer(s, specialist_id=people[Role.SPECIALIST].id)
        product = make_product(s, customer)
        cb = make_callback(s, customer, assignee_id=people[Role.SPECIALIST].id, product_id=product.id)
        actors = {role.value: actor_of(u) for role, u in people.items()} | {"other": actor_of(other)}
        return {"cb": cb.id, "customer": customer.id, "product": product.id, "order_no": product.order_no, **actors}


def callback(engine, cb_id: int) -> dict:
    with session_scope(engine) as s:
        cb = s.get(Callback, cb_id)
        return {k: getattr(cb, k) for k in ("status", "claimed_by_id", "claimed_at", "attempts_count", "due_start",
                                            "due_end", "completed_at", "version")}


def validity(engine, customer_id: int) -> ArchiveValidity:
    with session_scope(engine) as s:
        return s.get(Customer, customer_id).validity


def counts(engine) -> dict:
    with session_scope(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Callback, CallAttempt, Complaint, ComplaintEvent, Lead)}


def claimed(engine, office, actor_key: str = "specialist") -> None:
    claim(engine, office[actor_key], office["cb"], NOW - timedelta(minutes=5))


def snapshot(engine, office) -> tuple:
    return callback(engine, office["cb"]), validity(engine, office["customer"]), counts(engine)


# --- claim and release (CB-1) ------------------------------------------------------------------------

def test_a_specialist_claims_an_open_l1_callback_and_the_claim_is_audited_cb1(engine, office):
    mark, me = audit_mark(engine), office["specialist"]
    got = claim(engine, me, office["cb"], NOW)
    stored = callback(engine, office["cb"])
    assert (got.claimed_by_id, got.claimed_at, got.version) == (me.id, NOW, 2)
    assert (stored["status"], stored["claimed_by_id"], stored["claimed_at"], stored["version"]) == (
        CallbackStatus.IN_PROGRESS, me.id, NOW, 2)
    [row] = audit_since(engine, mark)
    assert (row["entity"], row["entity_id"], row["action"], row["username"]) == (
        "callback", str(office["cb"]), "transition", me.username)
    assert row["changes"] == {"status": ["open", "in_progress"], "claimed_by_id": [None, me.id],
                              "claimed_at": [None, NOW.isoformat()]}


def test_a_callback_someone_else_holds_is_refused_naming_who_holds_it_and_nothing_is_written(engine, office):
    claimed(engine, office)
    before, mark = callback(engine, office["cb"]), audit_mark(engine)
    with pytest.raises(AlreadyClaimed) as err:
        claim(engine, office["other"], office["cb"], NOW)
    assert err.value.key == "calls.already_claimed" and err.value.params["who"] == "Specialist Li"
    assert callback(engine, office["cb"]) == before and audit_since(engine, mark) == []


def test_claiming_your_own_claimed_callback_again_renews_the_claim(engine, office):
    claimed(engine, office)
    got = claim(engine, office["specialist"], office["cb"], NOW)
    assert (got.claimed_at, got.version) == (NOW, 3)
    assert callback(engine, office["cb"])["claimed_by_id"] == office["specialist"].id


def test_a_finished_callback_cannot_be_claimed(engine, office):
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).status = CallbackStatus.COMPLETED
    with pytest.raises(DomainError) as err:
        claim(engine, office["specialist"], office["cb"], NOW)
    assert err.value.key == "calls.not_workable"


@pytest.mark.parametrize(("level", "allowed", "refused"), [
    (CallbackLevel.L1, ("specialist", "manager", "director"), ("engineer", "finance", "admin")),
    (CallbackLevel.L2, ("manager",), ("specialist", "director", "engineer")),
    (CallbackLevel.L3, ("director",), ("specialist", "manager", "finance")),
])
def test_l2_callbacks_are_worked_by_the_manager_and_l3_by_the_director_only_cb1(engine, office, level, allowed,
                                                                                   refused):
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).level = level
    mark = audit_mark(engine)
    for key in refused:
        with pytest.raises(Forbidden):
            claim(engine, office[key], office["cb"], NOW)
    assert audit_since(engine, mark) == []
    for key in allowed:
        claim(engine, office[key], office["cb"], NOW)
        release(engine, office[key], office["cb"], NOW)


def test_releasing_gives_the_callback_back_open_and_only_the_claimer_may_release(engine, office):
    claimed(engine, office)
    with pytest.raises(NotClaimed):
        release(engine, office["other"], office["cb"], NOW)
    mark = audit_mark(engine)
    release(engine, office["specialist"], office["cb"], NOW)
    stored = callback(engine, office["cb"])
    assert (stored["status"], stored["claimed_by_id"], stored["claimed_at"]) == (CallbackStatus.OPEN, None, None)
    [row] = audit_since(engine, mark)
    assert row["changes"]["status"] == ["in_progress", "open"] and row["entity"] == "callback"


RACERS, ROUNDS = 4, 100


def test_racing_specialists_never_work_the_same_callback_exactly_one_claim_wins_each_round_cb1(engine):
    with session_scope(engine) as s:
        actors = [actor_of(make_user(s, role=Role.SPECIALIST, display_name=f"Racer {i}")) for i in range(RACERS)]
        cb_id = make_callback(s, make_customer(s)).id
    start, done = threading.Barrier(RACERS + 1, timeout=60), threading.Barrier(RACERS + 1, timeout=60)
    outcomes: list = [None] * RACERS

    def racer(i: int) -> None:
        for r in range(ROUNDS):
            start.wait()
            try:
                claim(engine, actors[i], cb_id, NOW + timedelta(seconds=r))
                outcomes[i] = "won"
            except AlreadyClaimed as e:
                outcomes[i] = ("lost", e.params["who"])
            except Exception as e:  # noqa: BLE001 - 'database is locked' or a deadlock would be a finding
                outcomes[i] = ("error", repr(e))
            done.wait()

    threads = [threading.Thread(target=racer, args=(i,), daemon=True) for i in range(RACERS)]
    for t in threads:
        t.start()
    mark = audit_mark(engine)
    winners = []
    for r in range(ROUNDS):
        start.wait()
        done.wait()
        won = [i for i, o in enumerate(outcomes) if o == "won"]
        assert len(won) == 1, (r, outcomes)
        assert sorted(o for o in outcomes if o != "won") == [("lost", actors[won[0]].display_name)] * (RACERS - 1)
        assert callback(engine, cb_id)["claimed_by_id"] == actors[won[0]].id
        winners.append(actors[won[0]].username)
        release(engine, actors[won[0]], cb_id, NOW)
    for t in threads:
        t.join(timeout=60)
    claims = [row["username"] for row in audit_since(engine, mark) if row["changes"]["status"][1] == "in_progress"]
    assert claims == winners
    assert callback(engine, cb_id)["version"] == 1 + 2 * ROUNDS


# --- recording a call: the claimer only ---------------------------------------------------------------

def test_only_the_specialist_holding_the_callback_may_record_a_call_and_nothing_is_written(engine, office):
    before, mark = snapshot(engine, office), audit_mark(engine)
    with pytest.raises(NotClaimed):  # nobody holds it
        record_call(engine, office["specialist"], office["cb"], SATISFIED, NOW)
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []
    claimed(engine, office)
    before, mark = snapshot(engine, office), audit_mark(engine)
    with pytest.raises(NotClaimed):
        record_call(engine, office["other"], office["cb"], SATISFIED, NOW)
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


# --- reached (CB-7) -----------------------------------------------------------------------------------

def test_a_reached_satisfied_call_completes_the_callback_with_one_attempt_and_is_audited_cb6_cb7(engine, office):
    claimed(engine, office)
    mark, me = audit_mark(engine), office["specialist"]
    got = record_call(engine, me, office["cb"], replace(SATISFIED, channel=Channel.WECHAT), NOW)
    stored = callback(engine, office["cb"])
    assert (stored["status"], stored["completed_at"], stored["attempts_count"], stored["claimed_by_id"]) == (
        CallbackStatus.COMPLETED, NOW, 1, me.id)
    assert (got.status, got.attempts_count, got.customer_validity) == (
        CallbackStatus.COMPLETED, 1, ArchiveValidity.VALID)
    with session_scope(engine) as s:
        a = s.get(CallAttempt, got.attempt_id)
        assert (a.callback_id, a.caller_id, a.attempted_at, a.channel, a.outcome, a.satisfaction, a.score) == (
            office["cb"], me.id, NOW, Channel.WECHAT, CallOutcome.REACHED, Satisfaction.SATISFIED, 5)
    [row] = audit_since(engine, mark)
    assert (row["entity"], row["action"], row["changes"]["status"], row["changes"]["attempts_count"]) == (
        "callback", "transition", ["in_progress", "completed"], [0, 1])
    assert row["changes"]["_"] == {"attempt_id": got.attempt_id, "outcome": "reached"}


def test_a_dissatisfied_customer_with_a_reason_keeps_their_words_exactly_as_typed_cb7(engine, office):
    claimed(engine, office)
    words = {"dissatisfaction_reason": "  Waited 3 days\nfor the technician!  ",
             "questions": "Is the pump still under warranty？ ", "suggestions": "请提前电话通知。\n\tThanks"}
    call = replace(SATISFIED, satisfaction=Satisfaction.DISSATISFIED, score=1, **words)
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    with session_scope(engine) as s:
        a = s.get(CallAttempt, got.attempt_id)
        assert {k: getattr(a, k) for k in words} == words
        assert (a.satisfaction, a.score) == (Satisfaction.DISSATISFIED, 1)


REACHED_REFUSED = {
    "no satisfaction": ({"satisfaction": None}, "calls.satisfaction_required"),
    "no score": ({"score": None}, "calls.score_required"),
    "score 0": ({"score": 0}, "calls.bad_score"),
    "score 6": ({"score": 6}, "calls.bad_score"),
    "dissatisfied without a reason": ({"satisfaction": Satisfaction.DISSATISFIED, "score": 1,
                                       "dissatisfaction_reason": "   "}, "calls.reason_required"),
    "unknown channel": ({"channel": "pigeon"}, "calls.bad_choice"),
    "promise without a question": ({"promised_reply_at": NOW + DAY}, "calls.promise_needs_question"),
    "promise in the past": ({"questions": "When?", "promised_reply_at": NOW - H}, "calls.promise_past"),
    "complaint without description": ({"wants_complaint": True}, "calls.complaint_description_required"),
    "products without interest": ({"wants_products": True, "product_interest": " "}, "calls.interest_required"),
    "call-again time on a reached call": ({"call_again_at": NOW + DAY}, "calls.call_again_only_call_later"),
    "checklist on an ordinary L1 call": ({"qa_checklist": dict.fromkeys(CB9_ITEMS, True)},
                                         "calls.checklist_not_applicable"),
}


@pytest.mark.parametrize(("changes", "key"), list(REACHED_REFUSED.values()), ids=list(REACHED_REFUSED))
def test_a_reached_call_breaking_a_rule_is_refused_and_nothing_is_written_cb7_cb8(engine, office, changes, key):
    claimed(engine, office)
    before, mark = snapshot(engine, office), audit_mark(engine)
    with pytest.raises(Invalid) as err:
        record_call(engine, office["specialist"], office["cb"], replace(SATISFIED, **changes), NOW)
    assert err.value.key == key
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


def test_every_broken_rule_of_a_call_is_refused_at_once_each_naming_its_field(engine, office):
    """Issue 10: the form shows all errors of a submission; core names every refused field, writes nothing."""
    claimed(engine, office)
    before, mark = snapshot(engine, office), audit_mark(engine)
    call = replace(SATISFIED, satisfaction=Satisfaction.DISSATISFIED, score=None, wants_complaint=True,
                   promised_reply_at=NOW - H, notes="bell\x07")
    with pytest.raises(FieldErrors) as err:
        record_call(engine, office["specialist"], office["cb"], call, NOW)
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "notes": "input.control_chars", "score": "calls.score_required",
        "dissatisfaction_reason": "calls.reason_required", "questions": "calls.promise_needs_question",
        "promised_reply_at": "calls.promise_past", "complaint_description": "calls.complaint_description_required"}
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


def test_a_dissatisfied_customer_without_a_reason_is_refused_and_nothing_is_written_cb7(engine, office):
    claimed(engine, office)
    before, mark = snapshot(engine, office), audit_mark(engine)
    call = replace(SATISFIED, satisfaction=Satisfaction.DISSATISFIED, score=2, wants_complaint=True,
                   complaint_description="Broken again")
    with pytest.raises(Invalid) as err:
        record_call(engine, office["specialist"], office["cb"], call, NOW)
    assert (err.value.key, err.value.params) == ("calls.reason_required", {"field": "dissatisfaction_reason"})
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


def test_a_reached_call_marks_an_unreachable_customer_valid_again_and_audits_it_c3(engine, office):
    with session_scope(engine) as s:
        s.get(Customer, office["customer"]).validity = ArchiveValidity.UNREACHABLE
    claimed(engine, office)
    mark = audit_mark(engine)
    record_call(engine, office["specialist"], office["cb"], SATISFIED, NOW)
    assert validity(engine, office["customer"]) == ArchiveValidity.VALID
    rows = [r for r in audit_since(engine, mark) if r["entity"] == "customer"]
    assert [(r["entity_id"], r["action"], r["changes"]) for r in rows] == [
        (str(office["customer"]), "update", {"validity": ["unreachable", "valid"]})]


# --- CB-8 promised reply ------------------------------------------------------------------------------

def test_a_promised_reply_becomes_its_own_due_item_for_the_same_assignee_and_is_audited_cb8(engine, office):
    claimed(engine, office)
    mark, promised = audit_mark(engine), NOW + 2 * DAY
    call = replace(SATISFIED, questions="Can the filter be washed?", promised_reply_at=promised)
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    with session_scope(engine) as s:
        due = s.get(Callback, got.promised_reply_id)
        assert (due.kind, due.level, due.status, due.customer_id, due.due_start, due.due_end, due.assignee_id) == (
            CallbackKind.PROMISED_REPLY, CallbackLevel.L1, CallbackStatus.OPEN, office["customer"], NOW, promised,
            office["specialist"].id)
        assert (due.source_key, due.purpose, due.product_id) == (
            f"promised_reply:call_attempt:{got.attempt_id}", "Can the filter be washed?", office["product"])
        assert s.get(CallAttempt, got.attempt_id).promised_reply_at == promised
    created = [r for r in audit_since(engine, mark) if r["entity"] == "callback" and r["action"] == "create"]
    assert [r["entity_id"] for r in created] == [str(got.promised_reply_id)]
    assert created[0]["changes"]["kind"] == [None, "promised_reply"]
    assert created[0]["changes"]["_"] == {"from_callback_id": office["cb"], "attempt_id": got.attempt_id}


# --- CB-7 → CP-1 complaint ----------------------------------------------------------------------------

def test_a_complaint_raised_on_the_call_is_opened_prefilled_and_linked_to_the_attempt_cb7_cp1_cp2(engine, office):
    claimed(engine, office)
    mark, me = audit_mark(engine), office["specialist"]
    call = replace(SATISFIED, satisfaction=Satisfaction.DISSATISFIED, score=1, dissatisfaction_reason="Leaks",
                   wants_complaint=True, complaint_description="The pump leaks again after the repair.")
    got = record_call(engine, me, office["cb"], call, NOW)
    assert re.fullmatch(r"CP202611-\d{5}", got.complaint_number)
    with session_scope(engine) as s:
        c = s.get(Complaint, got.complaint_id)
        assert (c.number, c.customer_id, c.product_id, c.order_no, c.channel, c.description) == (
            got.complaint_number, office["customer"], office["product"], office["order_no"], ComplaintChannel.PHONE,
            "The pump leaks again after the repair.")
        assert (c.received_by_id, c.received_at, c.status, c.reply_deadline) == (
            me.id, NOW, ComplaintStatus.RECEIVED, datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC))  # CP-5: end of day
        [event] = s.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)).all()
        assert (event.from_status, event.to_status, event.user_id, event.at) == (
            None, ComplaintStatus.RECEIVED, me.id, NOW)
        assert s.get(CallAttempt, got.attempt_id).complaint_id == c.id
    [row] = [r for r in audit_since(engine, mark) if r["entity"] == "complaint"]
    assert (row["entity_id"], row["action"], row["changes"]["number"], row["changes"]["status"]) == (
        str(got.complaint_id), "create", [None, got.complaint_number], [None, "received"])


def test_the_complaint_opened_on_a_call_has_its_complaint_call_planned_at_once_and_the_sweep_adds_none_cb2(
        engine, office):
    """CB-2: a complaint is called back within the week; the save plans it, the daily sweep finds it."""
    claimed(engine, office)
    call = replace(SATISFIED, satisfaction=Satisfaction.DISSATISFIED, score=1, dissatisfaction_reason="Leaks",
                   wants_complaint=True, complaint_description="The pump leaks again.")
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    key = f"complaint:complaint:{got.complaint_id}"
    with session_scope(engine) as s:
        [cb] = s.scalars(select(Callback).where(Callback.source_key == key)).all()
        assert (cb.kind, cb.complaint_id, cb.customer_id, cb.status, cb.due_start) == (
            CallbackKind.COMPLAINT, got.complaint_id, office["customer"], CallbackStatus.OPEN, NOW)
        assert cb.due_end == datetime(2026, 11, 27, 15, 59, 59, tzinfo=UTC)  # end of 27 Nov, office time
    schedule_due_callbacks(engine, NOW + DAY)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Callback).where(Callback.source_key == key)) == 1


# --- CB-7 → L-1 lead ----------------------------------------------------------------------------------

def test_a_customer_wanting_other_products_becomes_a_class_b_lead_due_after_the_b_interval_l1(engine, office):
    claimed(engine, office)
    mark = audit_mark(engine)
    call = replace(SATISFIED, wants_products=True, product_interest=" Water softener ")
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    with session_scope(engine) as s:
        lead = s.get(Lead, got.lead_id)
        assert (lead.customer_id, lead.lead_class, lead.status, lead.interest, lead.next_follow_up,
                lead.callback_id, lead.specialist_id) == (
            office["customer"], LeadClass.B, LeadStatus.OPEN, "Water softener", NOW + 7 * DAY, office["cb"],
            office["specialist"].id)
    [row] = [r for r in audit_since(engine, mark) if r["entity"] == "lead"]
    assert (row["entity_id"], row["action"], row["changes"]["lead_class"]) == (str(lead.id), "create", [None, "B"])


def test_an_open_lead_of_the_customer_gets_the_new_interest_appended_instead_of_a_second_lead_l1(engine, office):
    with session_scope(engine) as s:
        lead_id = make_lead(s, customer_id=office["customer"], lead_class=LeadClass.A, interest="Filters",
                            next_follow_up=NOW + 10 * DAY).id
    claimed(engine, office)
    mark = audit_mark(engine)
    call = replace(SATISFIED, wants_products=True, product_interest="Pump X2")
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    assert got.lead_id == lead_id
    with session_scope(engine) as s:
        lead = s.get(Lead, lead_id)
        assert (lead.interest, lead.lead_class, lead.next_follow_up, lead.version) == (
            "Pump X2; Filters", LeadClass.A, NOW + 2 * DAY, 2)
        assert s.scalar(select(func.count()).select_from(Lead)) == 1
    [row] = [r for r in audit_since(engine, mark) if r["entity"] == "lead"]
    assert (row["action"], row["changes"]["interest"]) == ("update", ["Filters", "Pump X2; Filters"])


# --- CB-9 quality checklist ---------------------------------------------------------------------------

def test_a_complaint_callback_scores_its_eleven_item_checklist_one_point_per_yes_cb9(engine, office):
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).kind = CallbackKind.COMPLAINT
    claimed(engine, office)
    checklist = {item: i % 3 != 0 for i, item in enumerate(CB9_ITEMS)}
    got = record_call(engine, office["specialist"], office["cb"], replace(SATISFIED, qa_checklist=checklist), NOW)
    with session_scope(engine) as s:
        a = s.get(CallAttempt, got.attempt_id)
        assert (a.qa_checklist, a.qa_score) == (checklist, 7)


def test_an_incomplete_checklist_is_refused_cb9(engine, office):
    assert len(CB9_ITEMS) == 11  # the demo office takes the same list (tests/demo)
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).level = CallbackLevel.L2
    claimed(engine, office, "manager")
    before, mark = snapshot(engine, office), audit_mark(engine)
    half = dict.fromkeys(CB9_ITEMS[:5], True)
    with pytest.raises(Invalid) as err:
        record_call(engine, office["manager"], office["cb"],
                    replace(SATISFIED, qa_checklist=half, problem_solved=True), NOW)
    assert err.value.key == "calls.checklist_incomplete"
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


def test_the_director_records_an_l3_re_check_with_its_checklist_cb1_cb9(engine, office):
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).level = CallbackLevel.L3
    claimed(engine, office, "director")
    with pytest.raises(Forbidden):
        record_call(engine, office["manager"], office["cb"], SATISFIED, NOW)
    call = replace(SATISFIED, qa_checklist=dict.fromkeys(CB9_ITEMS, True), problem_solved=False)
    got = record_call(engine, office["director"], office["cb"], call, NOW)
    with session_scope(engine) as s:
        a = s.get(CallAttempt, got.attempt_id)
        assert (a.caller_id, a.qa_score, a.problem_solved, got.status) == (
            office["director"].id, 11, False, CallbackStatus.COMPLETED)


@pytest.mark.parametrize(("level", "solved", "error"), [
    (CallbackLevel.L2, None, "calls.problem_solved_required"),  # a re-check must ask it
    (CallbackLevel.L1, True, "calls.problem_solved_only_recheck"),  # an L1 call does not record it
])
def test_a_re_check_records_whether_the_problem_was_solved_and_an_l1_call_does_not_cb4(
        engine, office, level, solved, error):
    """CB-4: the L2/L3 re-check asks the customer's view of the service and whether the problem was solved."""
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).level = level
    who = "manager" if level == CallbackLevel.L2 else "specialist"
    claimed(engine, office, who)
    before, mark = snapshot(engine, office), audit_mark(engine)
    with pytest.raises(Invalid) as err:
        record_call(engine, office[who], office["cb"], replace(SATISFIED, problem_solved=solved), NOW)
    assert err.value.key == error
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


def test_a_not_reached_re_check_cannot_say_whether_the_problem_was_solved_cb4(engine, office):
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).level = CallbackLevel.L2
    claimed(engine, office, "manager")
    call = CallInput(Channel.PHONE, CallOutcome.NOT_REACHED, problem_solved=True)
    with pytest.raises(Invalid) as err:
        record_call(engine, office["manager"], office["cb"], call, NOW)
    assert (err.value.key, err.value.params["field"]) == ("calls.only_when_reached", "problem_solved")


# --- CB-6 not reached, wrong number, call later (C-3) -------------------------------------------------

def test_a_not_reached_call_goes_back_to_the_queue_for_a_retry_later_unclaimed_cb6(engine, office):
    claimed(engine, office)
    mark = audit_mark(engine)
    got = record_call(engine, office["specialist"], office["cb"], NOT_REACHED, NOW)
    stored = callback(engine, office["cb"])
    assert (stored["status"], stored["claimed_by_id"], stored["attempts_count"], stored["completed_at"]) == (
        CallbackStatus.OPEN, None, 1, None)
    assert (stored["due_start"], stored["due_end"]) == (NOW + 4 * H, NOW + 7 * DAY)  # retry in 4 h, same end
    assert validity(engine, office["customer"]) == ArchiveValidity.VALID
    [row] = audit_since(engine, mark)
    assert row["changes"]["due_start"] == [NOW.isoformat(), (NOW + 4 * H).isoformat()]
    assert row["changes"]["status"] == ["in_progress", "open"] and got.due_start == NOW + 4 * H


def test_a_retry_past_the_old_window_gets_a_day_to_be_done(engine, office):
    with session_scope(engine) as s:
        s.get(Callback, office["cb"]).due_end = NOW + H
    claimed(engine, office)
    got = record_call(engine, office["specialist"], office["cb"], NOT_REACHED, NOW)
    assert (got.due_start, got.due_end) == (NOW + 4 * H, NOW + 4 * H + DAY)


def test_the_last_allowed_unreached_attempt_closes_it_not_completed_and_marks_the_customer_unreachable_cb6_c3(
        engine, office):
    for n in range(3):
        claim(engine, office["specialist"], office["cb"], NOW + n * 5 * H)
        mark = audit_mark(engine)
        got = record_call(engine, office["specialist"], office["cb"], NOT_REACHED, NOW + n * 5 * H)
    stored = callback(engine, office["cb"])
    assert (stored["status"], stored["attempts_count"], got.status) == (CallbackStatus.NOT_COMPLETED, 3,
                                                                        CallbackStatus.NOT_COMPLETED)
    assert validity(engine, office["customer"]) == ArchiveValidity.UNREACHABLE
    rows = audit_since(engine, mark)
    assert [(r["entity"], r["action"]) for r in rows] == [("customer", "update"), ("callback", "transition")]
    assert rows[0]["changes"] == {"validity": ["valid", "unreachable"]}
    assert rows[1]["changes"]["status"] == ["in_progress", "not_completed"]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(CallAttempt.callback_id == office["cb"])) == 3


def test_a_customer_who_asked_for_another_time_is_not_unreachable_after_fewer_failed_tries_cb6_c3(engine, office):
    for n, outcome in enumerate((CallOutcome.CALL_LATER, CallOutcome.CALL_LATER, CallOutcome.NOT_REACHED,
                                 CallOutcome.NOT_REACHED)):
        at = NOW + n * DAY
        call = CallInput(Channel.PHONE, outcome, call_again_at=at + H if outcome == CallOutcome.CALL_LATER else None)
        claim(engine, office["specialist"], office["cb"], at)
        got = record_call(engine, office["specialist"], office["cb"], call, at)
    assert (got.status, got.attempts_count, got.customer_validity) == (CallbackStatus.OPEN, 4, ArchiveValidity.VALID)


def test_a_wrong_number_closes_the_callback_and_marks_the_record_invalid_without_deleting_it_cb6_c3(engine, office):
    claimed(engine, office)
    mark = audit_mark(engine)
    got = record_call(engine, office["specialist"], office["cb"], CallInput(Channel.PHONE, CallOutcome.WRONG_NUMBER),
                      NOW)
    assert (callback(engine, office["cb"])["status"], got.customer_validity) == (
        CallbackStatus.NOT_COMPLETED, ArchiveValidity.INVALID)
    with session_scope(engine) as s:
        customer = s.get(Customer, office["customer"])
        assert (customer.validity, customer.version) == (ArchiveValidity.INVALID, 2)
    rows = audit_since(engine, mark)
    assert {(r["entity"], r["entity_id"]) for r in rows} == {("customer", str(office["customer"])),
                                                             ("callback", str(office["cb"]))}
    assert [r["changes"] for r in rows if r["entity"] == "customer"] == [{"validity": ["valid", "invalid"]}]


def test_a_customer_asking_for_another_time_is_called_back_then_unclaimed_cb6(engine, office):
    claimed(engine, office)
    mark, later = audit_mark(engine), NOW + 2 * DAY + 3 * H
    call = CallInput(Channel.PHONE, CallOutcome.CALL_LATER, call_again_at=later, notes="In a meeting")
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    stored = callback(engine, office["cb"])
    assert (stored["status"], stored["claimed_by_id"], stored["due_start"], stored["due_end"]) == (
        CallbackStatus.OPEN, None, later, later + DAY)
    with session_scope(engine) as s:
        a = s.get(CallAttempt, got.attempt_id)
        assert (a.outcome, a.call_again_at, a.notes) == (CallOutcome.CALL_LATER, later, "In a meeting")
    [row] = audit_since(engine, mark)
    assert row["changes"]["due_end"] == [(NOW + 7 * DAY).isoformat(), (later + DAY).isoformat()]


NOT_REACHED_REFUSED = {
    "call later without a time": (CallInput(Channel.PHONE, CallOutcome.CALL_LATER), "calls.call_again_required"),
    "call later in the past": (CallInput(Channel.PHONE, CallOutcome.CALL_LATER, call_again_at=NOW - H),
                               "calls.call_again_past"),
    "satisfaction of nobody": (replace(NOT_REACHED, satisfaction=Satisfaction.SATISFIED), "calls.only_when_reached"),
    "a complaint from nobody": (replace(NOT_REACHED, wants_complaint=True, complaint_description="x"),
                                "calls.only_when_reached"),
    "unknown outcome": (CallInput(Channel.PHONE, "hung_up"), "calls.bad_choice"),
}


@pytest.mark.parametrize(("call", "key"), list(NOT_REACHED_REFUSED.values()), ids=list(NOT_REACHED_REFUSED))
def test_an_unreached_call_breaking_a_rule_is_refused_and_nothing_is_written_cb6(engine, office, call, key):
    claimed(engine, office)
    before, mark = snapshot(engine, office), audit_mark(engine)
    with pytest.raises(Invalid) as err:
        record_call(engine, office["specialist"], office["cb"], call, NOW)
    assert err.value.key == key
    assert snapshot(engine, office) == before and audit_since(engine, mark) == []


def test_every_message_key_the_calls_use_cases_raise_is_in_the_catalog():
    source = "".join(f.read_text() for f in sorted((Path(__file__).parents[2] / "core" / "callbacks").glob("*.py")))
    keys = set(re.findall(r'"(calls\.[a-z_.]+)"', source))
    assert len(keys) >= 15 and keys <= set(catalog("en")) and keys <= set(catalog("zh"))
    assert {f"calls.qa.{item}" for item in CB9_ITEMS} <= set(catalog("zh"))


def test_choices_given_as_their_stored_values_as_a_select_box_returns_them_are_accepted_cb5(engine, office):
    claimed(engine, office)
    call = CallInput("sms", "reached", satisfaction="neutral", score=3)
    got = record_call(engine, office["specialist"], office["cb"], call, NOW)
    with session_scope(engine) as s:
        a = s.get(CallAttempt, got.attempt_id)
        assert (a.channel, a.outcome, a.satisfaction, got.status) == (
            Channel.SMS, CallOutcome.REACHED, Satisfaction.NEUTRAL, CallbackStatus.COMPLETED)
