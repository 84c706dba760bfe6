"""The complaint's workflow (CP-1, CP-2, CP-5) as the use cases run it, on SQLite and PostgreSQL: intake with
its complaint call (CB-2), the "ours" and "not ours" paths by role, each move's own refusals, reopening, the
stale move, escalation and the duplicate guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.complaints import services
from core.complaints.flow import Move
from core.complaints.rules import MoveInput, NewComplaint
from core.errors import Forbidden, Invalid, StaleEdit
from core.office.settings import load_office
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackStatus,
    Channel,
    ComplaintCause,
    ComplaintChannel,
    ComplaintStatus,
    Responsibility,
    Role,
)
from db.models import AuditEntry, Callback, Complaint, ComplaintEvent
from tests.factories import NOW, make_account, make_customer, make_product

DESCRIPTION = "The pump hums loudly and stops after ten minutes"


@pytest.fixture
def office_people(engine):
    with session_scope(engine) as s:
        customer = make_customer(s)
        product = make_product(s, customer)
        people = {"specialist": make_account(s, Role.SPECIALIST, display_name="Sam Spec"),
                  "other": make_account(s, Role.SPECIALIST, display_name="Olga Other"),
                  "manager": make_account(s, Role.MANAGER, display_name="Mia Manager"),
                  "engineer": make_account(s, Role.ENGINEER, display_name="Eli Engineer"),
                  "finance": make_account(s, Role.FINANCE, display_name="Fay Finance")}
        floor = s.scalar(select(func.max(AuditEntry.id))) or 0  # the audit log is append-only: count from here
        return {"customer": customer.id, "product": product.id, "audit_floor": floor, **people}


def take_in(engine, p, **kw) -> dict:
    data = NewComplaint(customer_id=p["customer"], channel=ComplaintChannel.PHONE, description=DESCRIPTION,
                        product_id=p["product"])
    data = NewComplaint(**{**data.__dict__, **kw})
    return services.take_in(engine, p["specialist"], data, load_office(engine), NOW)


def state(engine, cid: int, floor: int = 0) -> dict:
    with session_scope(engine) as s:
        cp = s.get(Complaint, cid)
        events = s.scalar(select(func.count()).select_from(ComplaintEvent).where(ComplaintEvent.complaint_id == cid))
        audits = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "complaint",
                                                                            AuditEntry.entity_id == str(cid),
                                                                            AuditEntry.id > floor))
        return {"status": cp.status, "version": cp.version, "events": events, "audits": audits, "cp": cp}


def move(engine, actor, cid, mv, at=NOW, **kw):
    return services.apply_move(engine, actor, cid, state(engine, cid)["version"], mv, MoveInput(**kw), at)


def verify(engine, p, cid) -> None:
    """The manager verifies: the specialist owns it, a reply promised in two days."""
    move(engine, p["manager"], cid, Move.VERIFY, owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(days=2))


def request_capa(engine, p, cid) -> None:
    """Found ours: quality's corrective action, owned by the specialist, due in two days."""
    move(engine, p["manager"], cid, Move.OURS, verification_note="Checked", cause=ComplaintCause.QUALITY,
         responsible_department="QA", capa_owner_id=p["specialist"].id, capa_due=NOW + timedelta(days=2))


def complete_complaint_call(engine, cid):
    with session_scope(engine) as s:
        cb = s.scalars(select(Callback).where(Callback.complaint_id == cid,
                                              Callback.kind == CallbackKind.COMPLAINT)).one()
        cb.status = CallbackStatus.COMPLETED


def test_intake_saves_received_with_deadlines_and_plans_the_complaint_call_cp1_cb2(engine, office_people):
    made = take_in(engine, office_people)
    st = state(engine, made["id"], office_people["audit_floor"])
    cp = st["cp"]
    assert cp.status == ComplaintStatus.RECEIVED and cp.received_by_id == office_people["specialist"].id
    assert made["number"].startswith("CP202611-")
    # CP-5: a normal complaint, the setting's 3 days: by the end of Monday 23 November, office time
    assert cp.reply_deadline == datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC)
    assert cp.first_response_due == NOW + timedelta(days=3)  # CP-5: received on a Friday, due on Monday
    with session_scope(engine) as s:
        calls = s.scalars(select(Callback).where(Callback.complaint_id == cp.id)).all()
    assert [c.kind for c in calls] == [CallbackKind.COMPLAINT]  # CB-2 at once
    assert st["events"] == 1 and st["audits"] == 1


@pytest.mark.parametrize("kw, key", [
    pytest.param({"description": "Broken"}, "cp.description_vague", id="one-word"),
    pytest.param({"description": "坏了"}, "cp.description_vague", id="two-chinese-chars"),
    pytest.param({"channel": "fax"}, "cp.channel_required", id="unknown-channel"),
    pytest.param({"received_at": NOW + timedelta(minutes=5)}, "cp.received_in_future", id="future"),
    pytest.param({"received_at": NOW - timedelta(days=1)}, "cp.received_before_today", id="yesterday"),
    pytest.param({"defect_rate_pct": "120"}, "cp.bad_rate", id="rate-over-100"),
    pytest.param({"defect_quantity": 0}, "cp.bad_quantity", id="zero-quantity"),
])
def test_bad_intake_is_refused_and_writes_nothing_cp1(engine, office_people, kw, key):
    with pytest.raises(Invalid) as err:
        take_in(engine, office_people, **kw)
    assert err.value.key == key
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_product_of_another_customer_is_refused(engine, office_people):
    with session_scope(engine) as s:
        stranger = make_product(s, make_customer(s))
    with pytest.raises(Invalid) as err:
        take_in(engine, office_people, product_id=stranger.id)
    assert err.value.key == "cp.product_not_customers"


def test_the_ours_path_by_role_from_intake_to_closed_cp2(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    later = NOW + timedelta(days=5)
    move(engine, p["manager"], cid, Move.VERIFY, owner_id=p["specialist"].id, reply_deadline=later)
    move(engine, p["manager"], cid, Move.OURS, verification_note="Stock batch 12 has the same fault",
         cause=ComplaintCause.QUALITY, responsible_department="Production", capa_owner_id=p["engineer"].id,
         capa_due=later)
    with pytest.raises(Forbidden):  # another specialist is neither owner nor CAPA owner
        move(engine, p["other"], cid, Move.SOLVE, solution="Replaced the pump", capa_action="New bearing")
    move(engine, p["engineer"], cid, Move.SOLVE, solution="Replaced the pump", capa_action="New bearing supplier",
         preventive_action="Incoming inspection of bearings")
    move(engine, p["specialist"], cid, Move.REPLY, reply_channel=Channel.PHONE)
    with pytest.raises(Exception) as err:  # the complaint call (CB-2) is not done yet
        move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    assert err.value.key == "cp.move.needs_call"
    complete_complaint_call(engine, cid)
    move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    move(engine, p["manager"], cid, Move.VERIFY_EFFECT, verification_evidence="No returns in 30 days")
    move(engine, p["manager"], cid, Move.CLOSE)
    st = state(engine, cid, p["audit_floor"])
    assert st["status"] == ComplaintStatus.CLOSED and st["cp"].responsibility == Responsibility.OURS
    assert st["cp"].capa_verified_by_id == p["manager"].id
    assert st["events"] == 8 and st["audits"] == 8  # intake and seven moves, each with its event and audit row


def test_the_not_ours_path_records_the_explanation_then_closes_cp2(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    verify(engine, p, cid)
    move(engine, p["manager"], cid, Move.NOT_OURS, verification_note="Inspection records clean",
         cause=ComplaintCause.USAGE, explanation="The filter was never changed", reply_channel=Channel.PHONE)
    with pytest.raises(Exception) as err:
        move(engine, p["manager"], cid, Move.FOLLOW_UP)
    assert err.value.key == "cp.move.ours_only"
    move(engine, p["manager"], cid, Move.CLOSE)
    assert state(engine, cid)["cp"].explanation == "The filter was never changed"


def test_verifying_effect_without_both_actions_names_what_is_missing(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    verify(engine, p, cid)
    move(engine, p["manager"], cid, Move.OURS, verification_note="Checked", cause=ComplaintCause.SERVICE,
         responsible_department="Service", capa_owner_id=p["specialist"].id, capa_due=NOW + timedelta(days=2))
    move(engine, p["specialist"], cid, Move.SOLVE, solution="Apologised and re-trained", capa_action="Training")
    move(engine, p["specialist"], cid, Move.REPLY, reply_channel=Channel.PHONE)
    complete_complaint_call(engine, cid)
    move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    before = state(engine, cid)
    with pytest.raises(Exception) as err:
        move(engine, p["manager"], cid, Move.VERIFY_EFFECT, verification_evidence="Seen")
    assert err.value.key == "cp.move.needs_capa"
    after = state(engine, cid)
    assert (after["version"], after["events"], after["audits"]) == (before["version"], before["events"],
                                                                      before["audits"])


def test_a_quality_user_verifies_and_the_manager_then_may_not(engine, office_people):
    """CP-2: verification is quality's; while nobody is quality the manager acts for quality."""
    p = office_people
    with session_scope(engine) as s:
        inspector = make_account(s, Role.ENGINEER, display_name="Quinn Quality", quality=True)
    cid = take_in(engine, p)["id"]
    move(engine, inspector, cid, Move.VERIFY, owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(days=2))
    request_capa(engine, p, cid)
    move(engine, p["specialist"], cid, Move.SOLVE, solution="Swapped", capa_action="Fix", preventive_action="Check")
    move(engine, p["specialist"], cid, Move.REPLY, reply_channel=Channel.PHONE)
    complete_complaint_call(engine, cid)
    move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    with pytest.raises(Forbidden):
        move(engine, p["manager"], cid, Move.VERIFY_EFFECT, verification_evidence="Seen")
    move(engine, inspector, cid, Move.VERIFY_EFFECT, verification_evidence="Seen")


def test_a_late_reply_needs_a_reason_cp5(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    move(engine, p["manager"], cid, Move.VERIFY, owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(hours=2))
    request_capa(engine, p, cid)
    move(engine, p["specialist"], cid, Move.SOLVE, solution="Swapped", capa_action="Fix")
    late = NOW + timedelta(days=1)
    with pytest.raises(Invalid) as err:
        move(engine, p["specialist"], cid, Move.REPLY, at=late, reply_channel=Channel.PHONE)
    assert err.value.key == "cp.late_reason_required"
    move(engine, p["specialist"], cid, Move.REPLY, at=late, reply_channel=Channel.PHONE, late_reason="Parts late")


def test_reopening_goes_back_to_verifying_and_counts_cp2(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    verify(engine, p, cid)
    move(engine, p["manager"], cid, Move.NOT_OURS, verification_note="Clean", cause=ComplaintCause.USAGE,
         explanation="Misuse", reply_channel=Channel.EMAIL)
    move(engine, p["manager"], cid, Move.CLOSE)
    complete_complaint_call(engine, cid)  # the first round's call made: the new round gets its own
    with pytest.raises(Invalid):
        move(engine, p["manager"], cid, Move.REOPEN)
    move(engine, p["manager"], cid, Move.REOPEN, note="Customer called again, same noise")
    cp = state(engine, cid)["cp"]
    assert (cp.status, cp.reopen_count, cp.closed_at, cp.responsibility) == (
        ComplaintStatus.VERIFYING, 1, None, Responsibility.UNDECIDED)
    # CP-5: a new promise, the severity's 3 days from the reopening (Friday 20th): by the end of Monday 23rd
    assert cp.reply_deadline == datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC)
    with session_scope(engine) as s:  # CB-2: the new round's own complaint call
        keys = s.scalars(select(Callback.source_key).where(Callback.complaint_id == cid).order_by(Callback.id)).all()
    assert keys == [f"complaint:complaint:{cid}", f"complaint:complaint:{cid}:1"]


def test_a_stale_move_is_refused_and_names_who_moved_first(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    version = state(engine, cid)["version"]
    services.apply_move(engine, p["manager"], cid, version, Move.VERIFY,
                        MoveInput(owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(days=2)), NOW)
    with pytest.raises(StaleEdit) as err:
        services.apply_move(engine, p["manager"], cid, version, Move.VERIFY,
                            MoveInput(owner_id=p["other"].id, reply_deadline=NOW + timedelta(days=2)), NOW)
    assert err.value.params["who"] == p["manager"].username
    assert state(engine, cid)["cp"].owner_id == p["specialist"].id


def test_anyone_who_reads_complaints_escalates_once_with_a_reason_cp5(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    with pytest.raises(Invalid):
        services.escalate(engine, p["engineer"], cid, 1, " ", NOW)
    services.escalate(engine, p["engineer"], cid, 1, "Customer threatens to cancel the contract", NOW)
    cp = state(engine, cid)["cp"]
    assert cp.escalated and cp.escalated_by_id == p["engineer"].id and cp.status == ComplaintStatus.RECEIVED
    with pytest.raises(Exception) as err:
        services.escalate(engine, p["engineer"], cid, 2, "Again", NOW)
    assert err.value.key == "cp.already_escalated"
    with pytest.raises(Forbidden):
        services.escalate(engine, p["finance"], cid, 2, "Why not", NOW)


def test_the_duplicate_guard_lists_the_open_complaint_and_a_note_joins_it_cp1(engine, office_people):
    p = office_people
    first = take_in(engine, p)
    dupes = services.open_duplicates(engine, p["specialist"], p["customer"], p["product"])
    assert [d["id"] for d in dupes] == [first["id"]]
    services.add_note(engine, p["specialist"], first["id"], "Called again: now it also leaks", NOW)
    assert state(engine, first["id"])["events"] == 2
    assert services.open_duplicates(engine, p["specialist"], p["customer"], None) == []


def test_a_stale_move_names_who_moved_it_not_who_added_a_note_since(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    version = state(engine, cid)["version"]
    services.apply_move(engine, p["manager"], cid, version, Move.VERIFY,
                        MoveInput(owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(days=2)), NOW)
    services.add_note(engine, p["other"], cid, "The customer called again", NOW)
    with pytest.raises(StaleEdit) as err:
        services.apply_move(engine, p["manager"], cid, version, Move.VERIFY,
                            MoveInput(owner_id=p["other"].id, reply_deadline=NOW + timedelta(days=2)), NOW)
    assert err.value.params["who"] == p["manager"].username


def test_a_not_ours_explanation_after_the_promise_needs_a_reason_cp5(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    move(engine, p["manager"], cid, Move.VERIFY, owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(hours=1))
    decided = {"verification_note": "Clean", "cause": ComplaintCause.USAGE, "explanation": "Misuse",
               "reply_channel": Channel.PHONE}
    later = NOW + timedelta(days=1)
    with pytest.raises(Invalid) as err:
        move(engine, p["manager"], cid, Move.NOT_OURS, at=later, **decided)
    assert err.value.key == "cp.late_reason_required"
    move(engine, p["manager"], cid, Move.NOT_OURS, at=later, late_reason="Waited for the lab", **decided)
    assert state(engine, cid)["cp"].late_reason == "Waited for the lab"


def test_reopening_starts_a_new_round_without_the_old_escalation_or_call_cp2_cp5(engine, office_people):
    """A reopened complaint is not escalated by the last round's escalation, and its follow-up waits for the
    new round's complaint call, not the first one's."""
    p = office_people
    cid = take_in(engine, p)["id"]
    services.escalate(engine, p["specialist"], cid, 1, "Angry customer", NOW)
    verify(engine, p, cid)
    request_capa(engine, p, cid)
    move(engine, p["specialist"], cid, Move.SOLVE, solution="Swapped", capa_action="Fix", preventive_action="Check")
    move(engine, p["specialist"], cid, Move.REPLY, reply_channel=Channel.PHONE)
    complete_complaint_call(engine, cid)
    move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    move(engine, p["manager"], cid, Move.VERIFY_EFFECT, verification_evidence="Seen")
    move(engine, p["manager"], cid, Move.CLOSE)
    move(engine, p["manager"], cid, Move.REOPEN, note="Same noise again")
    cp = state(engine, cid)["cp"]
    assert not cp.escalated and cp.escalation_reason is None
    request_capa(engine, p, cid)
    move(engine, p["specialist"], cid, Move.SOLVE, solution="Swapped", capa_action="Fix", preventive_action="Check")
    move(engine, p["specialist"], cid, Move.REPLY, reply_channel=Channel.PHONE)
    with pytest.raises(Exception) as err:
        move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    assert err.value.key == "cp.move.needs_call"


def test_a_given_up_complaint_call_lets_the_follow_up_be_recorded_and_another_may_be_planned_cb2(
        engine, office_people):
    """CB-6: a complaint call given up after its tries is finished: the complaint is not stuck; before that,
    the owner may plan another call only when none is to be made."""
    p = office_people
    cid = take_in(engine, p)["id"]
    verify(engine, p, cid)
    with pytest.raises(Exception) as err:  # the intake's call is still to be made
        services.plan_complaint_call(engine, p["specialist"], cid, NOW)
    assert err.value.key == "cp.call_planned"
    with session_scope(engine) as s:
        s.scalars(select(Callback).where(Callback.complaint_id == cid)).one().status = CallbackStatus.NOT_COMPLETED
    services.plan_complaint_call(engine, p["specialist"], cid, NOW)
    with session_scope(engine) as s:
        calls = s.scalars(select(Callback).where(Callback.complaint_id == cid).order_by(Callback.id)).all()
        assert [c.status for c in calls] == [CallbackStatus.NOT_COMPLETED, CallbackStatus.OPEN]
        calls[-1].status = CallbackStatus.NOT_COMPLETED
    request_capa(engine, p, cid)
    move(engine, p["specialist"], cid, Move.SOLVE, solution="Swapped", capa_action="Fix")
    move(engine, p["specialist"], cid, Move.REPLY, reply_channel=Channel.PHONE)
    move(engine, p["specialist"], cid, Move.FOLLOW_UP)
    assert state(engine, cid)["status"] == ComplaintStatus.FOLLOWED_UP


@pytest.mark.parametrize("channel", list(ComplaintChannel))
def test_every_channel_is_taken_in_with_its_complaint_call_cp1(engine, office_people, channel):
    cid = take_in(engine, office_people, channel=channel)["id"]
    with session_scope(engine) as s:
        assert s.get(Complaint, cid).channel == channel
        assert s.scalars(select(Callback.kind).where(Callback.complaint_id == cid)).all() == [CallbackKind.COMPLAINT]


def test_a_planned_call_is_not_a_move_a_stale_move_names_who_moved_cp2(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    with session_scope(engine) as s:
        s.scalars(select(Callback).where(Callback.complaint_id == cid)).one().status = CallbackStatus.NOT_COMPLETED
    services.escalate(engine, p["engineer"], cid, 1, "Customer threatens to cancel", NOW)
    services.plan_complaint_call(engine, p["manager"], cid, NOW)
    with pytest.raises(StaleEdit) as err:
        services.apply_move(engine, p["manager"], cid, 1, Move.VERIFY,
                            MoveInput(owner_id=p["specialist"].id, reply_deadline=NOW + timedelta(days=2)), NOW)
    assert err.value.params["who"] == p["engineer"].username


def test_a_reopened_round_is_not_answered_before_it_began_cp5(engine, office_people):
    p = office_people
    cid = take_in(engine, p)["id"]
    verify(engine, p, cid)
    decided = {"verification_note": "Clean", "cause": ComplaintCause.USAGE, "explanation": "Misuse",
               "reply_channel": Channel.PHONE}
    move(engine, p["manager"], cid, Move.NOT_OURS, **decided)
    move(engine, p["manager"], cid, Move.CLOSE)
    reopened = NOW + timedelta(days=5)
    move(engine, p["manager"], cid, Move.REOPEN, at=reopened, note="It happened again")
    with pytest.raises(Invalid) as err:
        move(engine, p["manager"], cid, Move.NOT_OURS, at=reopened + timedelta(hours=1),
             replied_at=NOW + timedelta(days=1), **decided)
    assert err.value.key == "cp.replied_before_received"
    with session_scope(engine) as s:  # CB-2: the first round's call, still to be made, is the new round's
        [call] = s.scalars(select(Callback).where(Callback.complaint_id == cid)).all()
        assert (call.status, call.due_start) == (CallbackStatus.OPEN, reopened)
