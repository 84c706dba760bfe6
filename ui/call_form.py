"""The recording form of the call screen: channel (CB-5), outcome (CB-6), what a reached call records
(CB-7 satisfaction, score, the customer's words; CB-8 a promised reply; the complaint and lead
follow-ups), the time to call again, and the CB-9 checklist of complaint callbacks and re-checks.
The form only collects: core.callbacks.services.record_call checks every rule and writes, or refuses and writes
nothing (the typed input stays on screen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

from core.callbacks.rules import CB9_ITEMS, INTEREST_MAX, CallInput
from core.callbacks.services import CallResult
from core.errors import Invalid
from core.i18n import enum_label
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, CallOutcome, Channel, Satisfaction
from ui.context import lang, office, tr
from ui.text import Markdown, joined, phrase
from ui.widgets import cell_formats

FORM = "call_record"


def _radio(label_key: str, options: list, key: str, index: int | None = None) -> object:
    lg = lang()  # captured now: format_func may be called outside the script run
    return st.radio(tr(label_key), options, index=index, key=key, horizontal=True,
                    format_func=lambda m: enum_label(m, lg))


def outcome_choice() -> CallOutcome | None:
    """CB-6, chosen outside the form so the form shows what that outcome records."""
    return _radio("callscreen.outcome", list(CallOutcome), "call_outcome")


def _moment(day: date | None, at: time | None) -> datetime | None:
    """A date and time typed in the office's time zone, as UTC; neither typed: None."""
    if day is None and at is None:
        return None
    if day is None or at is None:
        raise Invalid("callscreen.date_and_time")
    return datetime.combine(day, at, tzinfo=ZoneInfo(office().timezone)).astimezone(UTC)


def _when(label_key: str, key: str) -> Callable[[], datetime | None]:
    st.caption(tr(label_key))
    left, right = st.columns(2)
    day = left.date_input(tr(f"{label_key}_date"), value=None, key=f"{key}_date", format="YYYY-MM-DD")
    at = right.time_input(tr(f"{label_key}_time"), value=None, key=f"{key}_time", step=900)
    return lambda: _moment(day, at)


def _checklist() -> dict | None:
    """CB-9: yes or no per item; none answered means no checklist, a partial one is refused by core."""
    st.caption(tr("callscreen.checklist"))
    yes_no = {True: tr("common.yes"), False: tr("common.no")}
    answers = {item: st.radio(tr(f"calls.qa.{item}"), [True, False], index=None, horizontal=True,
                              key=f"call_qa_{item}", format_func=yes_no.get) for item in CB9_ITEMS}
    return None if all(v is None for v in answers.values()) else answers


def _reached(kind: CallbackKind, level: CallbackLevel) -> Callable[[], dict]:
    """CB-7 and CB-8: what a conversation produced; verbatim texts are passed on exactly as typed."""
    recheck = level != CallbackLevel.L1  # CB-4: the customer's view of the specialist's service
    typed = {
        "satisfaction": _radio("callscreen.service_view" if recheck else "callscreen.satisfaction",
                               list(Satisfaction), "call_satisfaction"),
        "score": st.radio(tr("callscreen.score"), [1, 2, 3, 4, 5], index=None, horizontal=True, key="call_score"),
        "dissatisfaction_reason": st.text_area(tr("callscreen.reason"), key="call_reason"),
        "questions": st.text_area(tr("callscreen.questions"), key="call_questions"),
        "suggestions": st.text_area(tr("callscreen.suggestions"), key="call_suggestions"),
    }
    promised = _when("callscreen.promise", "call_promise")
    typed["wants_complaint"] = st.checkbox(tr("callscreen.wants_complaint"), key="call_wants_complaint")
    typed["complaint_description"] = st.text_area(tr("callscreen.complaint_description"), key="call_complaint")
    typed["wants_products"] = st.checkbox(tr("callscreen.wants_products"), key="call_wants_products")
    typed["product_interest"] = st.text_input(tr("callscreen.interest"), key="call_interest",
                                              max_chars=INTEREST_MAX)
    if recheck:  # CB-4: and whether their problem was solved
        typed["problem_solved"] = st.radio(tr("callscreen.problem_solved"), [True, False], index=None,
                                           horizontal=True, key="call_problem_solved",
                                           format_func={True: tr("common.yes"), False: tr("common.no")}.get)
    if kind == CallbackKind.COMPLAINT or recheck:
        typed["qa_checklist"] = _checklist()
    return lambda: typed | {"promised_reply_at": promised()}


def call_form(kind: CallbackKind, level: CallbackLevel, outcome: CallOutcome) -> Callable[[], CallInput] | None:
    """The form for this outcome; on submit, a function building the CallInput (it raises Invalid for a
    half-typed date and time, so it runs inside ui.feedback.attempt like the use case)."""
    with st.form(FORM):
        channel = _radio("callscreen.channel", list(Channel), "call_channel", index=0)
        reached = _reached(kind, level) if outcome == CallOutcome.REACHED else (lambda: {})
        again = _when("callscreen.call_again", "call_again") if outcome == CallOutcome.CALL_LATER else None
        notes = st.text_area(tr("callscreen.notes"), key="call_notes")
        submitted = st.form_submit_button(tr("callscreen.save"), type="primary")
    if not submitted:
        return None
    return lambda: CallInput(channel=channel, outcome=outcome, notes=notes, **reached(),
                             call_again_at=again() if again else None)


def result_message(result: CallResult, call: CallInput) -> Markdown:
    """What the call produced, in one message: recorded, and any complaint, promise, lead or retry."""
    when = cell_formats()["datetime"]
    parts = [phrase("callscreen.recorded")]
    if result.complaint_number:
        parts.append(phrase("callscreen.complaint_opened", number=result.complaint_number))
    if result.promised_reply_id:
        parts.append(phrase("callscreen.promised", when=when(call.promised_reply_at)))
    if result.lead_id:
        parts.append(phrase("callscreen.lead"))
    if result.status == CallbackStatus.OPEN:
        parts.append(phrase("callscreen.requeued", when=when(result.due_start)))
    if call.outcome == CallOutcome.WRONG_NUMBER:
        parts.append(phrase("callscreen.correct_contact"))  # C-3: the record is invalid until corrected
    return joined(parts)
