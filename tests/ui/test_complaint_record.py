"""The complaint record page's workflow (CP-2, CP-3, CP-5) driven by AppTest, role by role, against the small
demo office with the clock pinned: each step through the page's own form as the role the flow table allows,
what each role is offered next, refusals beside their fields that change nothing, the stale move, escalation,
notes and the returned goods form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from core.clock import office_day
from core.complaints import services
from core.complaints.flow import Act, Move
from core.complaints.rules import NewComplaint
from core.i18n import t
from core.office.settings import load_office
from core.scheduling.rules import day_end
from db.engine import make_engine, session_scope
from db.enums import (
    CallbackKind,
    CallbackStatus,
    Channel,
    ComplaintCause,
    ComplaintChannel,
    ComplaintStatus,
    Remedy,
    Responsibility,
    Role,
)
from db.models import CallAttempt, Callback, Complaint, ComplaintEvent, Customer, User
from tests.helpers import OFFICE_TZ, as_read, open_by_url

DESCRIPTION = "The pump hums loudly and stops after ten minutes"
LATER = date(2026, 6, 24)  # a week after the pinned demo day (tests.helpers.DEMO_TODAY)


@pytest.fixture
def db(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


def demo_user(engine, role: Role):
    with session_scope(engine) as s:
        return actor_of(s.scalars(select(User).where(User.username == DEMO_ACCOUNTS[role])).one())


def taken_in(engine, now, channel=ComplaintChannel.PHONE) -> int:
    """A complaint the specialist took in just now (the intake form is tested with the list page)."""
    with session_scope(engine) as s:
        customer = s.scalars(select(Customer.id).order_by(Customer.id).limit(1)).one()
    data = NewComplaint(customer_id=customer, channel=channel, description=DESCRIPTION)
    return services.take_in(engine, demo_user(engine, Role.SPECIALIST), data, load_office(engine), now)["id"]


def stored(engine, cid: int) -> dict:
    with session_scope(engine) as s:
        cp = s.get(Complaint, cid)
        events = s.scalar(select(func.count()).select_from(ComplaintEvent).where(ComplaintEvent.complaint_id == cid))
        return {"status": cp.status, "version": cp.version, "events": events, "cp": cp}


def record_page(open_page, cid: int, role: Role, lang: str = "en"):
    at = open_page("pages/complaints.py", lang, role)
    open_by_url(at, cid)
    assert not at.exception
    return at


def offered(at) -> list[str]:
    """The workflow moves the page offers: its move forms' submit buttons."""
    return [b.key.split(":cpm_")[1].split("-")[0] for b in at.button if (b.key or "").startswith("FormSubmitter:cpm_")]


def has_form(at, form: str) -> bool:
    return any((b.key or "").startswith(f"FormSubmitter:{form}-") for b in at.button)


def submit(at, form: str, label_key: str, lang: str = "en"):
    at.button(key=f"FormSubmitter:{form}-{t(label_key, lang)}").click().run()
    assert not at.exception
    return at


def move(at, name: str, lang: str = "en", **values):
    """Fill one move's form (`values` by field) and submit it."""
    for field, value in values.items():
        key = f"cpm_{name}_{field}"
        if field in ("verification_note", "explanation", "solution", "capa_action", "preventive_action",
                     "late_reason", "verification_evidence", "note"):
            at.text_area(key=key).input(value)
        elif field == "responsible_department":
            at.text_input(key=key).input(value)
        elif field in ("reply_deadline", "capa_due", "replied_at"):
            at.date_input(key=key).set_value(value)
        else:
            at.selectbox(key=key).set_value(value)
    return submit(at, f"cpm_{name}", f"cp.do.{name}", lang)


def errors(at) -> list[str]:
    return [as_read(e.value) for e in at.error]


def complete_complaint_call(engine, cid: int, now, score: int) -> None:
    """The CB-2 complaint call made, with its CB-9 checklist score (the Callbacks page's own tests drive it)."""
    caller = demo_user(engine, Role.SPECIALIST)
    with session_scope(engine) as s:
        cb = s.scalars(select(Callback).where(Callback.complaint_id == cid,
                                              Callback.kind == CallbackKind.COMPLAINT)).one()
        cb.status, cb.completed_at = CallbackStatus.COMPLETED, now
        s.add(CallAttempt(callback_id=cb.id, caller_id=caller.id, attempted_at=now, channel=Channel.PHONE,
                          outcome="reached", qa_score=score))


def without_quality_users(engine) -> None:
    """CP-2: while nobody is the office's quality inspector, the manager acts for quality (the demo names one)."""
    with session_scope(engine) as s:
        s.execute(update(User).values(quality=False))


def test_with_the_demos_quality_inspector_the_manager_is_not_offered_verification_cp2(open_page, db, now):
    cid = taken_in(db, now)
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.quality.is_(True), User.active)) == 1
        s.execute(update(Complaint).where(Complaint.id == cid).values(
            status=ComplaintStatus.FOLLOWED_UP, responsibility="ours", capa_action="Fix", preventive_action="Check"))
    assert "verify_effect" not in offered(record_page(open_page, cid, Role.MANAGER))


def test_the_ours_path_role_by_role_through_the_record_page_cp2(open_page, db, now):
    """CP-2 "ours": manager verifies (owner, promised date) and requests CAPA; the owner solves, replies and
    follows up after the complaint call (CB-2, CB-9 score shown); quality (the manager) verifies; the manager
    closes. Each role is offered exactly its next move."""
    without_quality_users(db)
    cid = taken_in(db, now)
    specialist = demo_user(db, Role.SPECIALIST)
    assert offered(record_page(open_page, cid, Role.SPECIALIST)) == []  # not the owner yet, not a handler
    at = record_page(open_page, cid, Role.MANAGER)
    assert offered(at) == ["verify"]
    assert at.date_input(key="cpm_verify_reply_deadline").value == date(2026, 6, 20)  # CP-5: received + 3 days
    move(at, "verify", owner_id=specialist.id)
    assert stored(db, cid)["status"] == ComplaintStatus.VERIFYING and stored(db, cid)["cp"].owner_id == specialist.id
    assert offered(at) == ["ours", "not_ours"]
    move(at, "ours", verification_note="Stock batch 12 has the same fault", cause=ComplaintCause.QUALITY,
         responsible_department="Production", capa_owner_id=specialist.id, capa_due=LATER)
    assert stored(db, cid)["status"] == ComplaintStatus.CAPA_REQUESTED
    assert offered(at) == ["solve"]  # the handler may solve too; here the owner does
    at = record_page(open_page, cid, Role.SPECIALIST)
    assert offered(at) == ["solve"]
    move(at, "solve", solution="Replaced the pump", capa_action="New bearing supplier",
         preventive_action="Incoming inspection of bearings")
    assert stored(db, cid)["status"] == ComplaintStatus.SOLUTION
    move(at, "reply", reply_channel=Channel.PHONE)
    assert stored(db, cid)["status"] == ComplaintStatus.REPLIED
    complete_complaint_call(db, cid, now, score=9)
    at = record_page(open_page, cid, Role.SPECIALIST)
    assert "9 / 11" in as_read(" ".join(m.value for m in at.markdown))
    move(at, "follow_up")
    assert stored(db, cid)["status"] == ComplaintStatus.FOLLOWED_UP
    assert offered(at) == []  # verifying effectiveness is quality's
    at = record_page(open_page, cid, Role.MANAGER)
    assert offered(at) == ["verify_effect"]
    move(at, "verify_effect", verification_evidence="No returns in 30 days")
    assert stored(db, cid)["status"] == ComplaintStatus.VERIFIED
    assert offered(at) == ["close"]
    move(at, "close")
    assert stored(db, cid)["status"] == ComplaintStatus.CLOSED
    assert offered(at) == ["reopen"]
    steps = list(at.dataframe[0].value[t("common.step", "en")])
    assert steps[0] == t("cp.done.take_in", "en") and steps[-1] == t("cp.done.close", "en")


def test_the_ours_path_skips_no_step_the_manager_may_not_close_before_verification_cp2(open_page, db, now):
    """CP-2: an "ours" complaint is never offered closing at "replied": the page offers only the table's path."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER)
    move(at, "verify", owner_id=demo_user(db, Role.MANAGER).id)
    move(at, "ours", verification_note="Stock batch 12 has the same fault", cause=ComplaintCause.QUALITY,
         responsible_department="Production", capa_owner_id=demo_user(db, Role.MANAGER).id, capa_due=LATER)
    move(at, "solve", solution="Replaced the pump", capa_action="New bearing supplier")
    move(at, "reply", reply_channel=Channel.EMAIL)
    assert stored(db, cid)["status"] == ComplaintStatus.REPLIED
    assert offered(at) == ["follow_up"]  # offered, and refused until the complaint call is done
    move(at, "follow_up")
    assert t("cp.move.needs_call", "en") in errors(at)
    assert stored(db, cid)["status"] == ComplaintStatus.REPLIED


def explained_not_ours(open_page, db, now):
    """A complaint the manager verified and found not ours, the explanation given: (its id, the record page)."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER)
    move(at, "verify", owner_id=demo_user(db, Role.SPECIALIST).id)
    move(at, "not_ours", verification_note="Inspection records are clean", cause=ComplaintCause.USAGE,
         explanation="The filter was never changed", reply_channel=Channel.PHONE)
    return cid, at


def test_the_not_ours_path_records_the_explanation_then_the_manager_closes_cp2(open_page, db, now):
    cid, at = explained_not_ours(open_page, db, now)
    cp = stored(db, cid)
    assert cp["status"] == ComplaintStatus.REPLIED and cp["cp"].responsibility == Responsibility.NOT_OURS
    assert offered(at) == ["close"]  # no follow-up: that step is for complaints found ours
    move(at, "close")
    assert stored(db, cid)["status"] == ComplaintStatus.CLOSED


def test_reopening_needs_its_reason_then_goes_back_to_verifying_and_counts_cp2(open_page, db, now):
    cid, at = explained_not_ours(open_page, db, now)
    move(at, "close")
    move(at, "reopen")
    assert t("cp.reopen_reason_required", "en") in errors(at)
    assert stored(db, cid)["status"] == ComplaintStatus.CLOSED
    move(at, "reopen", note="The customer called again: same noise")
    cp = stored(db, cid)["cp"]
    assert (cp.status, cp.reopen_count) == (ComplaintStatus.VERIFYING, 1)
    assert offered(at) == ["ours", "not_ours"]


def test_a_reply_after_the_promised_time_needs_its_reason_cp5(open_page, db, now):
    """CP-5: the reply is recorded late only with the reason, marked beside the late-reason field."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER)
    me = demo_user(db, Role.MANAGER).id
    move(at, "verify", owner_id=me)
    move(at, "ours", verification_note="Stock batch 12 has the same fault", cause=ComplaintCause.QUALITY,
         responsible_department="Production", capa_owner_id=me, capa_due=LATER)
    move(at, "solve", solution="Replaced the pump", capa_action="New bearing supplier")
    with session_scope(db) as s:
        s.get(Complaint, cid).reply_deadline = now - timedelta(hours=1)
    at = record_page(open_page, cid, Role.MANAGER)
    move(at, "reply", reply_channel=Channel.PHONE)
    assert errors(at) == [t("cp.late_reason_required", "en"), t("form.marked", "en").replace("{count}", "1")]
    assert stored(db, cid)["status"] == ComplaintStatus.SOLUTION
    move(at, "reply", late_reason="Waited for the supplier's report")
    cp = stored(db, cid)["cp"]
    assert (cp.status, cp.late_reason) == (ComplaintStatus.REPLIED, "Waited for the supplier's report")


def test_a_not_ours_explanation_after_the_promised_time_needs_its_reason_cp5(open_page, db, now):
    """CP-5: "not ours" is the reply to the customer too: given after the promised time without the reason, it
    is refused beside the late-reason field and changes nothing; with the reason it is recorded."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER)
    move(at, "verify", owner_id=demo_user(db, Role.SPECIALIST).id)
    with session_scope(db) as s:
        s.get(Complaint, cid).reply_deadline = now - timedelta(hours=1)
    at = record_page(open_page, cid, Role.MANAGER)
    before = stored(db, cid)
    decision = {"verification_note": "Inspection records are clean", "cause": ComplaintCause.USAGE,
                "explanation": "The filter was never changed", "reply_channel": Channel.PHONE}
    move(at, "not_ours", **decision)
    assert errors(at) == [t("cp.late_reason_required", "en"), t("form.marked", "en").replace("{count}", "1")]
    after = stored(db, cid)
    assert (after["status"], after["version"], after["events"]) == (ComplaintStatus.VERIFYING, before["version"],
                                                                    before["events"])
    move(at, "not_ours", late_reason="Waited for the lab's report")
    cp = stored(db, cid)["cp"]
    assert (cp.status, cp.late_reason) == (ComplaintStatus.REPLIED, "Waited for the lab's report")


@pytest.mark.parametrize(("days_ago", "sent"), [(0, "now"), (2, "end of that day")], ids=["today", "earlier"])
def test_a_reply_picked_for_today_is_now_and_for_an_earlier_day_the_end_of_that_office_day_cp5(
        open_page, db, now, days_ago, sent):
    """CP-5: the reply date picker: today sends the moment of recording; an earlier office day sends its last
    second (the promised deadline is the end of an office day, so a reply on that day is never late)."""
    cid = taken_in(db, now)
    with session_scope(db) as s:
        s.get(Complaint, cid).received_at = now - timedelta(days=5)
    at = record_page(open_page, cid, Role.MANAGER)
    me = demo_user(db, Role.MANAGER).id
    move(at, "verify", owner_id=me)
    move(at, "ours", verification_note="Stock batch 12 has the same fault", cause=ComplaintCause.QUALITY,
         responsible_department="Production", capa_owner_id=me, capa_due=LATER)
    move(at, "solve", solution="Replaced the pump", capa_action="New bearing supplier")
    day = office_day(now, OFFICE_TZ) - timedelta(days=days_ago)
    move(at, "reply", reply_channel=Channel.PHONE, replied_at=day)
    cp = stored(db, cid)["cp"]
    expected = now if sent == "now" else day_end(day, OFFICE_TZ)
    assert cp.status == ComplaintStatus.REPLIED
    assert cp.replied_at == expected and cp.late_reason is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_move_marks_every_field_and_changes_nothing_cp2(open_page, db, now, lang):
    """CP-2: each field the move needs is refused beside it, in the user's language; nothing is written."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER, lang)
    move(at, "verify", lang, owner_id=demo_user(db, Role.SPECIALIST).id)
    before = stored(db, cid)
    move(at, "ours", lang)
    shown = errors(at)
    for key in ("cp.verification_note_required", "cp.cause_required", "cp.responsible_department_required",
                "cp.capa_owner_id_required", "cp.capa_due_required"):
        assert t(key, lang) in shown
    assert t("form.marked", lang).replace("{count}", "5") in shown
    after = stored(db, cid)
    assert (after["status"], after["version"], after["events"]) == (before["status"], before["version"],
                                                                    before["events"])


def test_a_move_without_its_owner_is_refused_beside_the_owner_field_cp2(open_page, db, now):
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER)
    move(at, "verify")
    assert errors(at) == [t("cp.owner_id_required", "en"), t("form.marked", "en").replace("{count}", "1")]
    assert stored(db, cid)["status"] == ComplaintStatus.RECEIVED


def test_a_stale_move_names_who_moved_the_complaint_first_and_changes_nothing(open_page, db, now):
    """Compare-and-set: the page loaded version n; the director escalated meanwhile; the manager's move is
    refused naming the director, and the complaint stays where it was."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.MANAGER)
    director = demo_user(db, Role.DIRECTOR)
    services.escalate(db, director, cid, stored(db, cid)["version"], "Customer called the director", now)
    before = stored(db, cid)
    move(at, "verify", owner_id=demo_user(db, Role.SPECIALIST).id)
    assert any(e.startswith(f"{director.username} ") for e in errors(at))  # core names the username
    after = stored(db, cid)
    assert (after["status"], after["version"], after["events"]) == (ComplaintStatus.RECEIVED, before["version"],
                                                                    before["events"])
    submit(at, "cpm_verify", "cp.do.verify")  # the page now shows the escalated complaint: applied on it
    assert stored(db, cid)["status"] == ComplaintStatus.VERIFYING


@pytest.mark.parametrize("role, note", [(Role.DIRECTOR, False), (Role.ENGINEER, False), (Role.SPECIALIST, True)])
def test_a_role_without_a_part_in_the_step_sees_no_move_but_may_escalate_cp5(open_page, db, now, role, note):
    """CP-5: anyone who reads complaints may escalate; the director and an engineer who owns nothing are
    offered no move of the flow; notes are for those who take complaints in or handle them."""
    cid = taken_in(db, now)
    at = record_page(open_page, cid, role)
    assert offered(at) == []
    assert t("cp.nothing_to_do", "en") in [c.value for c in at.caption]
    assert has_form(at, "cpa_escalate")
    assert has_form(at, "cpa_note") is note
    assert not has_form(at, "cpg")


def test_escalating_needs_a_reason_then_marks_the_complaint_with_who_and_why_cp5(open_page, db, now):
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.DIRECTOR)
    submit(at, "cpa_escalate", "cp.do.escalate")
    assert t("cp.escalation_reason_required", "en") in errors(at)
    assert not stored(db, cid)["cp"].escalated
    at.text_area(key="cpa_escalate_reason").input("Customer called the director twice")
    submit(at, "cpa_escalate", "cp.do.escalate")
    cp = stored(db, cid)["cp"]
    assert cp.escalated and cp.escalated_by_id == demo_user(db, Role.DIRECTOR).id
    assert t("cp.escalated", "en") in as_read(at.warning[0].value)  # the status line
    assert not has_form(at, "cpa_escalate")  # escalated once
    steps = list(at.dataframe[0].value[t("common.step", "en")])
    assert steps[-1] == t("cp.done.escalate", "en")
    assert "Customer called the director twice" in list(at.dataframe[0].value[t("common.note", "en")])


def test_a_note_is_added_to_the_history_without_moving_the_complaint(open_page, db, now):
    cid = taken_in(db, now)
    at = record_page(open_page, cid, Role.SPECIALIST)
    at.text_area(key="cpa_note_note").input("Customer sent photos by WeChat")
    submit(at, "cpa_note", "cp.do.note")
    assert stored(db, cid)["status"] == ComplaintStatus.RECEIVED
    table = at.dataframe[0].value
    assert list(table[t("common.step", "en")])[-1] == t("cp.done.note", "en")
    assert list(table[t("common.note", "en")])[-1] == "Customer sent photos by WeChat"


def test_returned_goods_are_recorded_on_a_return_complaint_with_the_inspection_rule_cp3(open_page, db, now):
    """CP-3: inspection only once isolated and labelled; a small return is inspected in full."""
    cid = taken_in(db, now, ComplaintChannel.RETURN)
    at = record_page(open_page, cid, Role.MANAGER)
    at.number_input(key="cpg_return_quantity").set_value(3)
    at.number_input(key="cpg_inspected_quantity").set_value(3)
    submit(at, "cpg", "cp.do.goods")
    assert t("cp.goods_isolate_first", "en") in errors(at)
    assert stored(db, cid)["cp"].return_quantity is None
    at.checkbox(key="cpg_isolated_labelled").check()
    at.number_input(key="cpg_defects_found").set_value(1)
    at.text_area(key="cpg_inspection_result").input("One unit has a cracked housing")
    at.selectbox(key="cpg_remedy").set_value(Remedy.REPLACEMENT)
    at.selectbox(key="cpg_remedy_accepted").set_value(True)
    submit(at, "cpg", "cp.do.goods")
    cp = stored(db, cid)["cp"]
    assert (cp.return_quantity, cp.isolated_labelled, cp.inspection_full, cp.inspected_quantity,
            cp.defects_found, cp.remedy, cp.remedy_accepted) == (3, True, True, 3, 1, Remedy.REPLACEMENT, True)
    assert t("cp.full_inspection", "en") in [c.value for c in at.caption]
    assert cp.status == ComplaintStatus.RECEIVED  # goods do not move the flow


def test_the_returned_goods_form_is_only_on_a_return_complaint_cp3(open_page, db, now):
    at = record_page(open_page, taken_in(db, now), Role.MANAGER)
    assert not has_form(at, "cpg")



def test_the_record_page_of_a_demo_complaint_in_each_status_opens(open_page, db):
    with session_scope(db) as s:
        ids = [s.scalar(select(func.min(Complaint.id)).where(Complaint.status == status)) for status in ComplaintStatus]
    at = open_page("pages/complaints.py")
    for status, cid in zip(ComplaintStatus, ids, strict=True):
        if cid is not None:
            open_by_url(at, cid)
            assert not at.exception, status
            assert at.subheader, status


def test_a_promised_date_whose_default_is_past_is_offered_from_today_cp5(open_page, db, now):
    """A complaint received ten days ago, still unverified: received + 3 days is past; the form starts at today."""
    cid = taken_in(db, now)
    with session_scope(db) as s:
        s.get(Complaint, cid).received_at = now - timedelta(days=10)
    at = record_page(open_page, cid, Role.MANAGER)
    assert at.date_input(key="cpm_verify_reply_deadline").value == date(2026, 6, 17)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_step_and_action_has_its_label_in_each_language(lang):
    """The history names every event's step, the page every form's button: none falls back to its key."""
    for name in ["take_in", *Move, *Act]:
        assert t(f"cp.done.{name}", lang) != f"cp.done.{name}"
    for name in [*Move, Act.ESCALATE, Act.NOTE, Act.GOODS]:
        assert t(f"cp.do.{name}", lang) != f"cp.do.{name}"


def test_a_given_up_complaint_call_is_planned_again_from_the_record_cb2(open_page, db, now):
    """CB-2/CB-6: the complaint call was given up; the owner plans another from the record, once."""
    cid = taken_in(db, now)
    specialist = demo_user(db, Role.SPECIALIST)
    with session_scope(db) as s:
        s.execute(update(Complaint).where(Complaint.id == cid).values(owner_id=specialist.id,
                                                                      status=ComplaintStatus.VERIFYING))
        s.execute(update(Callback).where(Callback.complaint_id == cid).values(status=CallbackStatus.NOT_COMPLETED))
    at = record_page(open_page, cid, Role.SPECIALIST)
    at.button(key="cpa_plan_call").click().run()
    assert not at.exception
    with session_scope(db) as s:
        statuses = s.scalars(select(Callback.status).where(Callback.complaint_id == cid).order_by(Callback.id)).all()
    assert statuses == [CallbackStatus.NOT_COMPLETED, CallbackStatus.OPEN]
    assert not [b for b in at.button if b.key == "cpa_plan_call"]  # one is to be made now: not offered again
