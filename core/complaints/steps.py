"""What each move of the complaint flow (CP-2) asks the user for and writes on the complaint. Pure: the
complaint is a dict, time an argument; every missing or broken field is refused at once (FieldErrors), so
the form marks each beside its field. The event's note is the move's main text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from core import inputs
from core.checks import choice, is_choice
from core.complaints.flow import Move
from core.complaints.rules import DEPARTMENT_MAX, TEXT_MAX, MoveInput
from core.errors import Invalid, Refusals, refuse
from db.enums import Channel, ComplaintCause, ComplaintSeverity, Responsibility

Step = tuple[dict, str | None]  # the complaint's changed columns, the event's note


def _text(value: str | None, field: str) -> str:
    return inputs.required(value, field, TEXT_MAX, inputs.Kind.TEXT, missing=f"cp.{field}_required")


def _when(value: datetime | None, field: str, after: datetime, key: str) -> datetime:
    """A time that must be given and lie after `after` (a deadline in the future, a due date)."""
    if value is None or value.tzinfo is None:
        raise Invalid(f"cp.{field}_required", field=field)
    if value <= after:
        raise Invalid(key, field=field)
    return value.astimezone(UTC)


def _as(enum_cls, value):
    """The member for a valid stored value (a select box returns the value), None for a refused one."""
    return enum_cls(value) if is_choice(value, enum_cls) else None


def _person(value: int | None, field: str) -> int:
    if value is None:
        raise Invalid(f"cp.{field}_required", field=field)
    return value


def _verify(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    owner = check(_person, m.owner_id, "owner_id")
    severity = m.severity or cp["severity"]
    check(choice, "severity", severity, ComplaintSeverity, "cp.bad_choice")
    deadline = check(_when, m.reply_deadline, "reply_deadline", now, "cp.reply_deadline_past")
    first = cp.get("first_response_at") or now
    return {"owner_id": owner, "severity": _as(ComplaintSeverity, severity), "reply_deadline": deadline,
            "first_response_at": first}, None


def _decision(m: MoveInput, check) -> dict:
    note = check(_text, m.verification_note, "verification_note")
    check(choice, "cause", m.cause, ComplaintCause, "cp.cause_required")
    return {"verification_note": note, "cause": _as(ComplaintCause, m.cause)}


def _ours(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    changes = _decision(m, check) | {"responsibility": Responsibility.OURS}
    department = check(inputs.required, m.responsible_department, "responsible_department", DEPARTMENT_MAX,
                       missing="cp.responsible_department_required")
    owner = check(_person, m.capa_owner_id, "capa_owner_id")
    due = check(_when, m.capa_due, "capa_due", now, "cp.capa_due_past")
    return changes | {"responsible_department": department, "capa_owner_id": owner, "capa_due": due}, department


def _not_ours(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    changes = _decision(m, check) | {"responsibility": Responsibility.NOT_OURS}
    explanation = check(_text, m.explanation, "explanation")
    replied, _late = _replied(m, cp, now, check)
    return changes | replied | {"explanation": explanation}, explanation


def _solve(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    solution = check(_text, m.solution, "solution")
    corrective = check(_text, m.capa_action, "capa_action")
    preventive = check(inputs.text, m.preventive_action, "preventive_action", TEXT_MAX, inputs.Kind.TEXT)
    return {"solution": solution, "capa_action": corrective, "preventive_action": preventive,
            "solution_at": now}, solution


def _replied_at(at: datetime | None, cp: dict, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None or at > now:
        raise Invalid("cp.replied_in_future", field="replied_at")
    if at < cp.get("round_start", cp["received_at"]):  # a reopened round is answered after it began
        raise Invalid("cp.replied_before_received", field="replied_at")
    return at.astimezone(UTC)


def _reply(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    return _replied(m, cp, now, check)


def _replied(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    """CP-5: the customer answered (the reply, or the not-ours explanation): how, when (default now), by the
    promised time or with a reason why it came later."""
    check(choice, "reply_channel", m.reply_channel, Channel, "cp.reply_channel_required")
    at = check(_replied_at, m.replied_at, cp, now)
    late = check(inputs.text, m.late_reason, "late_reason", TEXT_MAX, inputs.Kind.TEXT)
    deadline = cp.get("reply_deadline")
    if at is not None and deadline is not None and at > deadline and late is None:
        check(refuse, "cp.late_reason_required", "late_reason")
    return {"reply_channel": _as(Channel, m.reply_channel), "replied_at": at, "late_reason": late}, late


def _note_only(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    return {}, check(inputs.text, m.note, "note", TEXT_MAX, inputs.Kind.TEXT)


def _verify_effect(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    evidence = check(_text, m.verification_evidence, "verification_evidence")
    return {"verification_evidence": evidence, "capa_verified_at": now}, evidence


def _close(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    return {"closed_at": now}, check(inputs.text, m.note, "note", TEXT_MAX, inputs.Kind.TEXT)


def _reopen(m: MoveInput, cp: dict, now: datetime, check) -> Step:
    """CP-2: a reopened complaint goes back to verifying and counts; this round's decision, reply,
    verification, closing and escalation start again (the events keep the earlier round; CP-5: an escalation
    of the last round is not this one's). The customer is promised a new reply (core.complaints.rules.
    reopened_promise unless the user set one)."""
    reason = check(inputs.required, m.note, "note", TEXT_MAX, inputs.Kind.TEXT, missing="cp.reopen_reason_required")
    deadline = check(_when, m.reply_deadline, "reply_deadline", now, "cp.reply_deadline_past")
    return {"reopen_count": cp["reopen_count"] + 1, "closed_at": None, "responsibility": Responsibility.UNDECIDED,
            "solution_at": None, "replied_at": None, "capa_verified_at": None, "capa_verified_by_id": None,
            "reply_deadline": deadline, "escalated": False, "escalated_at": None, "escalated_by_id": None,
            "escalation_reason": None}, reason


STEPS: dict[Move, Callable[..., Step]] = {
    Move.VERIFY: _verify, Move.OURS: _ours, Move.NOT_OURS: _not_ours, Move.SOLVE: _solve, Move.REPLY: _reply,
    Move.FOLLOW_UP: _note_only, Move.VERIFY_EFFECT: _verify_effect, Move.CLOSE: _close, Move.REOPEN: _reopen,
}


def check_step(move: Move, data: MoveInput, cp: dict, now: datetime) -> Step:
    """The columns `move` writes on the complaint `cp`, and the event's note; Invalid/FieldErrors naming each
    missing or broken field."""
    with Refusals() as check:
        changes, note = STEPS[move](data, cp, now, check)
    return changes, note
