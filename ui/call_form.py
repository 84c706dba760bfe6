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

from core.callbacks.rules import CB9_ITEMS, INTEREST_MAX, CallInput, check_call
from core.callbacks.services import CallResult
from core.errors import Invalid, Refusals
from core.i18n import enum_label
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, CallOutcome, Channel, Satisfaction
from ui.context import lang, office, tr
from ui.feedback import MARK, FieldMarks, required_legend
from ui.text import Markdown, joined, phrase
from ui.widgets import cell_formats

FORM = "call_record"


def _radio(label_key: str, options: list, key: str, index: int | None = None) -> object:
    """A required choice among an enum's members, in the user's language."""
    lg = lang()  # captured now: format_func may be called outside the script run
    return st.radio(tr(label_key) + tr(MARK), options, index=index, key=key, horizontal=True,
                    format_func=lambda m: enum_label(m, lg))


def outcome_choice(marks: FieldMarks) -> CallOutcome | None:
    """CB-6, chosen first: the form below shows what that outcome records."""
    outcome = _radio("callscreen.outcome", list(CallOutcome), "call_outcome")
    marks.under("outcome", "call_outcome")
    return outcome


def _moment(field: str, day: date | None, at: time | None) -> datetime | None:
    """A date and time typed in the office's time zone, as UTC; neither typed: None."""
    if day is None and at is None:
        return None
    if day is None or at is None:
        raise Invalid("callscreen.date_and_time", field=field)
    return datetime.combine(day, at, tzinfo=ZoneInfo(office().timezone)).astimezone(UTC)


def _when(field: str, label_key: str, key: str, marks: FieldMarks, must: bool = False) -> Callable[[], datetime | None]:
    st.caption(tr(label_key) + (tr(MARK) if must else ""))
    left, right = st.columns(2)
    day = left.date_input(tr(f"{label_key}_date"), value=None, key=f"{key}_date", format="YYYY-MM-DD")
    at = right.time_input(tr(f"{label_key}_time"), value=None, key=f"{key}_time", step=900)
    marks.under(field, f"{key}_date", f"{key}_time")
    return lambda: _moment(field, day, at)


def _checklist(marks: FieldMarks) -> dict | None:
    """CB-9: yes or no per item; none answered means no checklist, a partial one is refused by core."""
    st.caption(tr("callscreen.checklist"))
    yes_no = {True: tr("common.yes"), False: tr("common.no")}
    answers = {item: st.radio(tr(f"calls.qa.{item}"), [True, False], index=None, horizontal=True,
                              key=f"call_qa_{item}", format_func=yes_no.get) for item in CB9_ITEMS}
    marks.under("qa_checklist", *(f"call_qa_{item}" for item in CB9_ITEMS))
    return None if all(v is None for v in answers.values()) else answers


def _text(field: str, label_key: str, key: str, marks: FieldMarks, must: bool = False) -> str:
    typed = st.text_area(tr(label_key) + (tr(MARK) if must else ""), key=key)
    marks.under(field, key)
    return typed


def _ticked_text(field: str, label_key: str, key: str, marks: FieldMarks) -> tuple[bool, str | None]:
    """A follow-up the customer asks for (`wants_complaint`, `wants_products`): its text is asked for only
    once it is ticked (CB-7)."""
    wanted = st.checkbox(tr(f"callscreen.{field}"), key=f"call_{field}")
    marks.under(field, f"call_{field}")
    if not wanted:
        return False, None
    if field == "wants_products":
        typed = st.text_input(tr(label_key) + tr(MARK), key=key, max_chars=INTEREST_MAX)
        marks.under("product_interest", key)
        return True, typed
    return True, _text("complaint_description", label_key, key, marks, must=True)


def _reached(kind: CallbackKind, level: CallbackLevel, marks: FieldMarks) -> tuple[dict, Callable]:
    """CB-7 and CB-8: what a conversation produced, and the promised reply's moment (read at save); verbatim
    texts are passed on exactly as typed."""
    recheck = level != CallbackLevel.L1  # CB-4: the customer's view of the specialist's service
    typed = {"satisfaction": _radio("callscreen.service_view" if recheck else "callscreen.satisfaction",
                                    list(Satisfaction), "call_satisfaction")}
    marks.under("satisfaction", "call_satisfaction")
    typed["score"] = st.radio(tr("callscreen.score") + tr(MARK), [1, 2, 3, 4, 5], index=None, horizontal=True,
                              key="call_score")
    marks.under("score", "call_score")
    typed["dissatisfaction_reason"] = _text("dissatisfaction_reason", "callscreen.reason", "call_reason", marks,
                                            must=typed["satisfaction"] == Satisfaction.DISSATISFIED)
    typed["questions"] = _text("questions", "callscreen.questions", "call_questions", marks)
    typed["suggestions"] = _text("suggestions", "callscreen.suggestions", "call_suggestions", marks)
    promised = _when("promised_reply_at", "callscreen.promise", "call_promise", marks)
    typed["wants_complaint"], typed["complaint_description"] = _ticked_text(
        "wants_complaint", "callscreen.complaint_description", "call_complaint", marks)
    typed["wants_products"], typed["product_interest"] = _ticked_text(
        "wants_products", "callscreen.interest", "call_interest", marks)
    if recheck:  # CB-4: and whether their problem was solved
        typed["problem_solved"] = st.radio(tr("callscreen.problem_solved") + tr(MARK), [True, False], index=None,
                                           horizontal=True, key="call_problem_solved",
                                           format_func={True: tr("common.yes"), False: tr("common.no")}.get)
        marks.under("problem_solved", "call_problem_solved")
    if kind == CallbackKind.COMPLAINT or recheck:
        typed["qa_checklist"] = _checklist(marks)
    return typed, promised


def call_form(kind: CallbackKind, level: CallbackLevel, outcome: CallOutcome,
              marks: FieldMarks) -> Callable[[datetime], CallInput] | None:
    """The form for this outcome, without st.form: a tick shows the text it asks for at once, and every value
    is kept as it is typed. On save, a function building the CallInput at `now` that checks it first, every
    rule at once with the half-typed dates and times (Invalid, so it runs inside FieldMarks.attempt)."""
    channel = _radio("callscreen.channel", list(Channel), "call_channel", index=0)
    marks.under("channel", "call_channel")
    typed, promised = _reached(kind, level, marks) if outcome == CallOutcome.REACHED else ({}, lambda: None)
    again = _when("call_again_at", "callscreen.call_again", "call_again", marks, must=True) \
        if outcome == CallOutcome.CALL_LATER else (lambda: None)
    notes = _text("notes", "callscreen.notes", "call_notes", marks)
    required_legend()
    if not st.button(tr("callscreen.save"), type="primary", key="call_save"):
        return None

    def build(now: datetime) -> CallInput:
        with Refusals() as check:
            call = CallInput(channel=channel, outcome=outcome, notes=notes, promised_reply_at=check(promised),
                             call_again_at=check(again), **typed)
            check(check_call, call, kind, level, now)
        return call

    return build


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
