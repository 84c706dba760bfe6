"""What one call attempt records, and the rules it must satisfy before anything is written:
channel (CB-5), outcome (CB-6), satisfaction, score and the customer's own words (CB-7), a promised
reply (CB-8), the complaint callback's quality checklist (CB-9), and the follow-ups a reached call
hands on (CB-7: complaint → CP-1, products → lead L-1). Pure functions: time is an argument."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core import inputs
from core.checks import blank_to_none, choice, whole_number
from core.errors import Invalid, Refusals, refuse
from db.enums import CallbackKind, CallbackLevel, CallOutcome, Channel, Satisfaction
from db.models import CallAttempt, Complaint, Lead

# CB-9, in the order of DOMAIN.md (the same keys the demo office records).
CB9_ITEMS = (
    "greeted_first", "warm", "asked_repair_quality", "asked_service", "told_answer_time", "apologised",
    "handled_within_day", "told_next_maintenance", "invited_inspection", "agreed_appointment", "thanked",
)
INTEREST_MAX = inputs.limit_of(Lead.interest)
# The customer's own words, kept verbatim (several lines allowed), each held to its column.
TEXTS = {"dissatisfaction_reason": CallAttempt.dissatisfaction_reason, "questions": CallAttempt.questions,
         "suggestions": CallAttempt.suggestions, "notes": CallAttempt.notes,
         "complaint_description": Complaint.description}


@dataclass(frozen=True)
class CallInput:
    """One attempt as the specialist typed it. Questions, suggestions and reasons are kept verbatim
    (CB-7 "original record"); only an all-blank text counts as nothing."""

    channel: Channel
    outcome: CallOutcome
    satisfaction: Satisfaction | None = None
    score: int | None = None
    dissatisfaction_reason: str | None = None
    questions: str | None = None
    suggestions: str | None = None
    notes: str | None = None
    promised_reply_at: datetime | None = None
    call_again_at: datetime | None = None
    wants_complaint: bool = False
    complaint_description: str | None = None
    wants_products: bool = False
    product_interest: str | None = None
    qa_checklist: Mapping[str, bool] | None = None
    problem_solved: bool | None = None  # CB-4: L2/L3 re-checks only


def qa_score(checklist: Mapping[str, bool] | None) -> int | None:
    """CB-9: one point per item answered yes; None when no checklist was filled in."""
    return None if checklist is None else sum(1 for item in CB9_ITEMS if checklist[item])


def check_call(call: CallInput, kind: CallbackKind, level: CallbackLevel, now: datetime) -> None:
    """Raise Invalid (catalog key, offending field) for every broken rule at once (core.errors.FieldErrors
    when several fields are refused); return None when fine."""
    with Refusals() as check:
        check(_check_choice, "channel", call.channel, Channel)
        check(_check_choice, "outcome", call.outcome, CallOutcome)
        _check_texts(call, check)
        if call.outcome == CallOutcome.REACHED:
            _check_reached(call, now, check)
            check(_check_problem_solved, call.problem_solved, level)
        else:
            _check_only_when_reached(call, check)
        if call.outcome == CallOutcome.CALL_LATER:
            check(_check_future, "call_again_at", call.call_again_at, "calls.call_again_required",
                  "calls.call_again_past", now)
        elif call.call_again_at is not None:
            check(refuse, "calls.call_again_only_call_later", "call_again_at")
        check(_check_checklist, call.qa_checklist, kind, level)


def _check_texts(call: CallInput, check) -> None:
    """The input policy (core.inputs) on every text of the call."""
    for field, column in TEXTS.items():
        check(inputs.text, getattr(call, field), field, inputs.limit_of(column), inputs.Kind.TEXT)
    check(inputs.text, call.product_interest, "product_interest", INTEREST_MAX, inputs.Kind.LINE,
          too_long="calls.interest_too_long")


def _check_choice(field: str, value: object, enum_cls) -> None:
    choice(field, value, enum_cls, "calls.bad_choice")


def _check_reached(call: CallInput, now: datetime, check) -> None:
    """CB-7: satisfaction and a 1-5 score; dissatisfied needs the reason; follow-ups need their text."""
    check(_satisfaction, call.satisfaction)
    check(_score, call.score)
    if call.satisfaction == Satisfaction.DISSATISFIED and not blank_to_none(call.dissatisfaction_reason):
        check(refuse, "calls.reason_required", "dissatisfaction_reason")
    if call.promised_reply_at is not None:  # CB-8
        if not blank_to_none(call.questions):
            check(refuse, "calls.promise_needs_question", "questions")
        check(_check_future, "promised_reply_at", call.promised_reply_at, "calls.promise_past", "calls.promise_past",
              now)
    if call.wants_complaint and not blank_to_none(call.complaint_description):
        check(refuse, "calls.complaint_description_required", "complaint_description")
    if call.wants_products:
        check(_interest, call.product_interest)


def _satisfaction(value: Satisfaction | None) -> None:
    if value is None:
        raise Invalid("calls.satisfaction_required", field="satisfaction")
    _check_choice("satisfaction", value, Satisfaction)


def _score(value: int | None) -> None:
    if value is None:
        raise Invalid("calls.score_required", field="score")
    whole_number(value, "score", 1, 5, "calls.bad_score")


def _interest(value: str | None) -> None:
    if not blank_to_none(value):
        raise Invalid("calls.interest_required", field="product_interest")
    if len(value.strip()) > INTEREST_MAX:
        raise Invalid("calls.interest_too_long", field="product_interest")


def _check_only_when_reached(call: CallInput, check) -> None:
    """Nobody was talked to: nothing a conversation would have produced may be recorded."""
    given = {"satisfaction": call.satisfaction is not None, "score": call.score is not None,
             "dissatisfaction_reason": bool(blank_to_none(call.dissatisfaction_reason)),
             "promised_reply_at": call.promised_reply_at is not None,
             "wants_complaint": call.wants_complaint, "wants_products": call.wants_products,
             "qa_checklist": call.qa_checklist is not None, "problem_solved": call.problem_solved is not None}
    for field, present in given.items():
        if present:
            check(refuse, "calls.only_when_reached", field)


def _check_problem_solved(solved: bool | None, level: CallbackLevel) -> None:
    """CB-4: a reached L2/L3 re-check asks whether the customer's problem was solved (yes or no); an L1
    call does not record it (its satisfaction is about the call's own subject)."""
    if level == CallbackLevel.L1:
        if solved is not None:
            raise Invalid("calls.problem_solved_only_recheck", field="problem_solved")
    elif not isinstance(solved, bool):
        raise Invalid("calls.problem_solved_required", field="problem_solved")


def _check_future(field: str, value: datetime | None, missing_key: str, past_key: str, now: datetime) -> None:
    if value is None:
        raise Invalid(missing_key, field=field)
    if value.tzinfo is None or value <= now:
        raise Invalid(past_key, field=field)


def _check_checklist(checklist: Mapping[str, bool] | None, kind: CallbackKind, level: CallbackLevel) -> None:
    """CB-9: for complaint callbacks (and the L2/L3 re-checks); all eleven items, each yes or no."""
    if checklist is None:
        return
    if kind != CallbackKind.COMPLAINT and level == CallbackLevel.L1:
        raise Invalid("calls.checklist_not_applicable", field="qa_checklist")
    if set(checklist) != set(CB9_ITEMS) or not all(isinstance(v, bool) for v in checklist.values()):
        raise Invalid("calls.checklist_incomplete", field="qa_checklist")
