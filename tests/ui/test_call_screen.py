"""The call screen as a specialist meets it: take a due callback from the queue, follow the script (CB-10)
and record the call (CB-5..CB-9); what the call produced is in the database, a refused call writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased
from streamlit.testing.v1 import AppTest

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from core.callbacks.script import prompts
from core.callbacks.services import claim
from core.clock import office_day
from core.fmt import fmt_datetime
from core.i18n import t
from core.phones import digits
from db.engine import make_engine, session_scope
from db.enums import ArchiveValidity, CallbackKind, CallbackLevel, CallbackStatus, CallOutcome, Role, Satisfaction
from db.models import CallAttempt, Callback, Complaint, Customer, User
from tests.factories import make_account, make_callback, make_complaint, make_customer
from tests.helpers import OFFICE_TZ, as_read, open_by_url
from tests.ui.marks import error_under
from ui.feedback import FLASH


def _rows(demo_url, stmt) -> list:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        rows = s.execute(stmt).all()
    engine.dispose()
    return rows


def _due_callback(demo_url, now: datetime, kind: CallbackKind | None = None) -> tuple[int, str]:
    """A due, open L1 callback assigned to specialist1 (id, customer phone): the first one nobody took yet,
    of a customer with no other open callback (so the customer's phone finds it alone in the queue). The
    pristine demo office of the pinned day has such callbacks; where it has none of the kind (a complaint
    callback, in the small office), one is made for a new customer."""
    me = select(User.id).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]).scalar_subquery()
    other = aliased(Callback)
    alone = ~exists().where(other.customer_id == Callback.customer_id, other.id != Callback.id,
                            other.status == CallbackStatus.OPEN)
    stmt = (select(Callback.id, Customer.phone).join(Customer, Customer.id == Callback.customer_id)
            .where(Callback.assignee_id == me, Callback.status == CallbackStatus.OPEN, alone,
                   Callback.level == CallbackLevel.L1, Callback.due_start <= now,
                   Callback.attempts_count == 0)
            .order_by(Callback.due_end, Callback.id))
    stmt = stmt.where(Callback.kind == kind) if kind else stmt.where(Callback.kind != CallbackKind.COMPLAINT)
    found = _rows(demo_url, stmt.limit(1))
    return tuple(found[0]) if found else _new_due_callback(demo_url, now, kind or CallbackKind.NEW_CUSTOMER)


def _new_due_callback(demo_url, now: datetime, kind: CallbackKind) -> tuple[int, str]:
    """A new customer of specialist1 with one open L1 callback of `kind`, due since yesterday (a complaint
    callback follows a complaint received two days ago)."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]))
        n = s.scalar(select(func.count()).select_from(Customer))
        customer = make_customer(s, code=f"T{n:07d}", phone=f"1990{n:07d}", specialist_id=me.id,
                                 created_at=now - timedelta(days=90), updated_at=now - timedelta(days=90))
        complaint = None
        if kind == CallbackKind.COMPLAINT:
            complaint = make_complaint(s, customer, me, number=f"CPT{n:07d}", received_at=now - timedelta(days=2),
                                       reply_deadline=now + timedelta(days=1), created_at=now - timedelta(days=2))
        cb = make_callback(s, customer, kind=kind, assignee_id=me.id, complaint_id=complaint.id if complaint else None,
                           due_start=now - timedelta(days=1), due_end=now + timedelta(days=6),
                           created_at=now - timedelta(days=1))
        found = cb.id, customer.phone
    engine.dispose()
    return found


def _take(open_page, demo_url, now: datetime, lang: str = "en",
          kind: CallbackKind | None = None) -> tuple[AppTest, int]:
    """From the Callbacks page: find the callback by its customer's phone, open it, "Take this call"."""
    cb_id, phone = _due_callback(demo_url, now, kind)
    at = open_page("pages/callbacks.py", lang, Role.SPECIALIST)
    at.multiselect(key="status").set_value([CallbackStatus.OPEN]).run()
    at.text_input(key="q").input(phone).run()
    open_by_url(at, cb_id)
    at.button(key="cb_take").click().run()
    assert not at.exception
    assert at.title[0].value == t("nav.call", lang)
    at.switch_page("pages/call.py")  # AppTest reruns the page it last switched to, not the script's
    return at, cb_id


def _save(at: AppTest, lang: str = "en") -> None:
    at.button(key="call_save").click().run()


def _callback(demo_url, cb_id: int):
    return _rows(demo_url, select(Callback.status, Callback.due_start, Callback.attempts_count,
                                  Callback.claimed_by_id).where(Callback.id == cb_id))[0]


def _attempts(demo_url, cb_id: int) -> list:
    return _rows(demo_url, select(CallAttempt.outcome, CallAttempt.dissatisfaction_reason, CallAttempt.complaint_id,
                                  CallAttempt.qa_score).where(CallAttempt.callback_id == cb_id))


def test_a_dissatisfied_customer_who_wants_to_complain_gets_a_complaint_linked_to_the_call(open_page, demo_url, now):
    """CB-7: a reached, dissatisfied call records the reason verbatim and opens a complaint (CP-1) that
    the call attempt links to; the callback is completed (CB-6)."""
    at, cb_id = _take(open_page, demo_url, now)
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    at.radio(key="call_satisfaction").set_value(Satisfaction.DISSATISFIED)
    at.radio(key="call_score").set_value(2)
    at.text_area(key="call_reason").input("师傅迟到两小时 <b>not bold</b>")
    at.checkbox(key="call_wants_complaint").check().run()  # the complaint text is asked for once ticked
    at.text_area(key="call_complaint").input("要求赔偿误工费")
    _save(at)
    assert not at.exception and not at.error
    assert at.title[0].value == t("nav.callbacks", "en")

    (attempt,) = _attempts(demo_url, cb_id)
    assert attempt.outcome == CallOutcome.REACHED
    assert attempt.dissatisfaction_reason == "师傅迟到两小时 <b>not bold</b>"
    assert attempt.complaint_id is not None
    (complaint,) = _rows(demo_url, select(Complaint.number, Complaint.description)
                         .where(Complaint.id == attempt.complaint_id))
    assert complaint.description == "要求赔偿误工费"
    assert complaint.number in as_read(at.session_state[FLASH])  # shown by the app's next run (ui.feedback.show_flash)
    assert _callback(demo_url, cb_id).status == CallbackStatus.COMPLETED


def test_a_call_that_did_not_reach_the_customer_schedules_a_retry(open_page, demo_url, now):
    """CB-6: not reached → the attempt is recorded and the callback goes back to the queue, due later."""
    at, cb_id = _take(open_page, demo_url, now)
    before = _callback(demo_url, cb_id)
    at.radio(key="call_outcome").set_value(CallOutcome.NOT_REACHED).run()
    _save(at)
    assert not at.exception and not at.error

    after = _callback(demo_url, cb_id)
    assert after.status == CallbackStatus.OPEN and after.claimed_by_id is None
    assert after.attempts_count == before.attempts_count + 1
    assert after.due_start > before.due_start and after.due_start > now
    assert [a.outcome for a in _attempts(demo_url, cb_id)] == [CallOutcome.NOT_REACHED]
    retry = t("callscreen.requeued", "en", when=fmt_datetime(after.due_start, "en", "Asia/Shanghai"))
    assert retry in as_read(at.session_state[FLASH])


def test_a_wrong_number_marks_the_record_invalid_and_asks_for_a_correction(open_page, demo_url, now):
    """CB-6 / C-3: a wrong number closes the call not completed, marks the customer's record invalid
    (corrected, never deleted) and tells the specialist where to correct it."""
    at, cb_id = _take(open_page, demo_url, now, "zh")
    at.radio(key="call_outcome").set_value(CallOutcome.WRONG_NUMBER).run()
    _save(at, "zh")
    assert not at.exception and not at.error
    assert _callback(demo_url, cb_id).status == CallbackStatus.NOT_COMPLETED
    validity = _rows(demo_url, select(Customer.validity).join(Callback, Callback.customer_id == Customer.id)
                     .where(Callback.id == cb_id))[0][0]
    assert validity == ArchiveValidity.INVALID
    assert t("callscreen.correct_contact", "zh") in at.session_state[FLASH]


def test_a_customer_who_asks_for_another_time_is_called_again_at_that_office_time(open_page, demo_url, now):
    """CB-6: call later records the customer's time, typed in the office time zone (Asia/Shanghai);
    a date without a time is refused with a translated message."""
    at, cb_id = _take(open_page, demo_url, now)
    at.radio(key="call_outcome").set_value(CallOutcome.CALL_LATER).run()
    tomorrow = office_day(now, OFFICE_TZ) + timedelta(days=1)
    at.date_input(key="call_again_date").set_value(tomorrow)
    _save(at)
    assert at.error[0].value == t("callscreen.date_and_time", "en")
    assert _attempts(demo_url, cb_id) == []

    at.time_input(key="call_again_time").set_value(time(10, 30))
    _save(at)
    assert not at.exception and not at.error
    after = _callback(demo_url, cb_id)
    assert after.status == CallbackStatus.OPEN
    assert after.due_start == datetime.combine(tomorrow, time(2, 30), tzinfo=UTC)


def test_a_dissatisfied_call_without_a_reason_is_refused_and_nothing_is_written(open_page, demo_url, now):
    """CB-7: dissatisfied needs the reason; the message is translated and the typed input stays."""
    at, cb_id = _take(open_page, demo_url, now, "zh")
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    at.radio(key="call_satisfaction").set_value(Satisfaction.DISSATISFIED)
    at.radio(key="call_score").set_value(1)
    at.text_area(key="call_questions").input("保修期多长？")
    _save(at, "zh")
    assert not at.exception
    assert at.error[0].value == t("calls.reason_required", "zh")
    assert at.text_area(key="call_questions").value == "保修期多长？"
    assert _attempts(demo_url, cb_id) == []
    assert _callback(demo_url, cb_id).status == CallbackStatus.IN_PROGRESS


def test_a_complaint_callback_records_the_quality_checklist_and_its_score(open_page, demo_url, now):
    """CB-9: eleven yes/no items on a complaint callback; the score counts the yeses."""
    at, cb_id = _take(open_page, demo_url, now, kind=CallbackKind.COMPLAINT)
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    at.radio(key="call_satisfaction").set_value(Satisfaction.SATISFIED)
    at.radio(key="call_score").set_value(5)
    for i, radio in enumerate(r for r in at.radio if r.key.startswith("call_qa_")):
        radio.set_value(i % 3 != 0)
    _save(at)
    assert not at.exception and not at.error
    (attempt,) = _attempts(demo_url, cb_id)
    assert attempt.qa_score == 7


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_call_screen_shows_the_callback_customer_and_script_in_each_language(open_page, demo_url, now, lang):
    """CB-10: the script's prompts for the callback's kind are on screen, translated."""
    at, cb_id = _take(open_page, demo_url, now, lang)
    (kind,) = _rows(demo_url, select(Callback.kind).where(Callback.id == cb_id))[0]
    labels = [c.label for c in at.checkbox]
    assert [t(key, lang) for key in prompts(kind)] == labels[:len(prompts(kind))]
    assert any(m.value == f"#### {t('callscreen.customer', lang)}" for m in at.markdown)
    at.button(key="call_release").click().run()
    assert not at.exception
    assert _callback(demo_url, cb_id).status == CallbackStatus.OPEN


def _release_all_of_specialist1(demo_url) -> None:
    from sqlalchemy import update

    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User.id).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]))
        s.execute(update(Callback).where(Callback.claimed_by_id == me, Callback.status == CallbackStatus.IN_PROGRESS)
                  .values(status=CallbackStatus.OPEN, claimed_by_id=None, claimed_at=None))
    engine.dispose()


def test_a_refresh_of_the_call_screen_resumes_the_call_i_hold(open_page, demo_url, now):
    """The claim lives in the database: a new browser session (a refresh) finds the held call again."""
    _release_all_of_specialist1(demo_url)
    _, cb_id = _take(open_page, demo_url, now)
    fresh = open_page("pages/call.py", "en", Role.SPECIALIST)  # a new session: nothing in session_state
    assert not fresh.exception
    assert t("callscreen.none", "en") not in [i.value for i in fresh.info]
    assert fresh.radio(key="call_outcome") is not None
    assert _callback(demo_url, cb_id).status == CallbackStatus.IN_PROGRESS


def test_without_a_claimed_call_the_screen_points_back_to_the_queue(open_page, demo_url):
    _release_all_of_specialist1(demo_url)
    at = open_page("pages/call.py", "zh", Role.SPECIALIST)
    assert not at.exception
    assert at.info[0].value == t("callscreen.none", "zh")
    at.button(key="call_back").click().run()
    assert at.title[0].value == t("nav.callbacks", "zh")



def test_the_loser_of_a_claim_race_is_told_who_took_it_over_a_fresh_card_without_take(open_page, demo_url, now):
    """Issue 9 (CB-1): a colleague claims the callback between the page's render and the specialist's click.
    The click is not swallowed: the specialist is told who holds it, in their language, and the card under
    the message is read after the claim: in progress, claimed by the colleague, "take" no longer offered."""
    cb_id, phone = _due_callback(demo_url, now)
    at = open_page("pages/callbacks.py", "zh", Role.SPECIALIST)
    at.multiselect(key="status").set_value([CallbackStatus.OPEN]).run()
    at.text_input(key="q").input(phone).run()
    open_by_url(at, cb_id)
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        rival = make_account(s, Role.SPECIALIST, username="rival", display_name="Rival Li")
    claim(engine, rival, cb_id, now)
    engine.dispose()
    at.button(key="cb_take").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("calls.already_claimed", "zh", who="Rival Li")]
    assert at.title[0].value == t("nav.callbacks", "zh")
    assert not [b for b in at.button if b.key == "cb_take"]
    assert _callback(demo_url, cb_id).claimed_by_id == rival.id
    assert t("enum.CallbackStatus.in_progress", "zh") in " ".join(m.value for m in at.markdown)


def _held(open_page, demo_url, now: datetime, lang: str = "en") -> tuple[AppTest, int, str]:
    """The call screen of a due L1 callback specialist1 has just claimed (straight through core.callbacks)."""
    _release_all_of_specialist1(demo_url)
    cb_id, phone = _due_callback(demo_url, now)
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = actor_of(s.scalar(select(User).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST])))
    claim(engine, me, cb_id, now)
    engine.dispose()
    return open_page("pages/call.py", lang, Role.SPECIALIST), cb_id, phone


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_error_of_a_call_is_shown_at_once_under_its_field_and_nothing_is_saved(open_page, demo_url, now, lang):
    """Issue 10: no score, a dissatisfied customer without a reason, a complaint without its text and a reply
    date without its time: four messages, each under its own field, in the user's language; nothing is
    written and what was typed stays on screen."""
    at, cb_id, _ = _held(open_page, demo_url, now, lang)
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    at.radio(key="call_satisfaction").set_value(Satisfaction.DISSATISFIED).run()
    assert at.text_area(key="call_reason").label == t("callscreen.reason", lang) + " *"  # required once dissatisfied
    at.text_area(key="call_questions").input("保修期多长？")
    at.checkbox(key="call_wants_complaint").check().run()
    at.date_input(key="call_promise_date").set_value(office_day(now, OFFICE_TZ) + timedelta(days=2))
    _save(at)
    assert not at.exception
    assert error_under(at, "call_score") == t("calls.score_required", lang)
    assert error_under(at, "call_reason") == t("calls.reason_required", lang)
    assert error_under(at, "call_complaint") == t("calls.complaint_description_required", lang)
    assert error_under(at, "call_promise_time") == t("callscreen.date_and_time", lang)
    assert error_under(at, "call_questions") is None
    assert as_read(at.error[-1].value) == t("form.marked", lang, count=4)
    assert _attempts(demo_url, cb_id) == []
    assert _callback(demo_url, cb_id).status == CallbackStatus.IN_PROGRESS
    assert at.text_area(key="call_questions").value == "保修期多长？"
    assert at.radio(key="call_satisfaction").value == Satisfaction.DISSATISFIED

    at.radio(key="call_score").set_value(2).run()  # a corrected field loses its message, the others keep theirs
    assert error_under(at, "call_score") is None
    assert error_under(at, "call_reason") == t("calls.reason_required", lang)


def test_the_complaint_text_is_asked_for_only_while_wants_to_complain_is_ticked(open_page, demo_url, now):
    at, _, _ = _held(open_page, demo_url, now)
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    assert "call_complaint" not in [a.key for a in at.text_area]
    at.text_area(key="call_notes").input("Called from the car")
    at.checkbox(key="call_wants_complaint").check().run()
    assert at.text_area(key="call_complaint").label == t("callscreen.complaint_description", "en") + " *"
    assert at.text_area(key="call_notes").value == "Called from the car"  # ticking loses nothing typed
    at.checkbox(key="call_wants_complaint").uncheck().run()
    assert "call_complaint" not in [a.key for a in at.text_area]
    assert not at.exception


def test_the_script_stands_beside_the_form_and_the_customers_phone_is_a_tap_to_call_link(open_page, demo_url, now):
    """Issue 10: script left, form right on a wide screen (Streamlit stacks the columns on a phone); the
    customer's number, shown grouped, dials its stored E.164 form (C-1)."""
    at, _, phone = _held(open_page, demo_url, now)
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    left, right = at.columns[0], at.columns[1]
    assert [c.key for c in left.checkbox][0] == "call_script_0"
    assert right.radio(key="call_outcome") is not None and right.button(key="call_save") is not None
    assert f"(tel:+{digits(phone)})" in " ".join(m.value for m in left.markdown)
