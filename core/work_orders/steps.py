"""What each move of the work order's flow (WO-4) asks the user for and writes on the order. Pure: the order
is a dict, time, the gate's context and the office's settings are arguments; every missing or broken field
is refused at once (FieldErrors), so the form marks each beside its field. The event's note is the move's
main text. The acceptance gate (WO-5, WO-6) refuses with the whole list of what is missing (Incomplete)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from core import inputs
from core.checks import choice, is_choice
from core.complaints.rules import is_specific
from core.errors import DomainError, Invalid, Refusals, refuse
from core.work_orders.flow import Context, Move
from core.work_orders.rules import TEXT_MAX, delay_due, missing
from db.enums import PendingReason

Step = tuple[dict, str | None]  # the order's changed columns, the event's note


@dataclass(frozen=True)
class MoveInput:
    """What a move's form gives; each move reads its own fields (steps.STEPS)."""

    technician_id: int | None = None
    pending_reason: PendingReason | str | None = None
    note: str | None = None
    service_started_at: datetime | None = None
    service_ended_at: datetime | None = None
    work_done: str | None = None
    delay_reason: str | None = None
    incomplete_reason: str | None = None


@dataclass(frozen=True)
class Mover:
    """Who makes the move, when, and what the gate knows: the pure steps' view of the use case."""

    actor_id: int
    now: datetime
    ctx: Context
    settings: object  # anything with get(key): core.office.settings.Office


class Incomplete(DomainError):
    """WO-5/WO-6: a returned order lacks what acceptance needs; `missing` lists the `wo.missing.<item>` keys
    in the order the desk checks them, and the page lists each in the user's language."""

    key = "wo.accept.incomplete"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(count=len(missing))
        self.missing = list(missing)


def _note(m: MoveInput) -> str | None:
    return inputs.text(m.note, "note", TEXT_MAX, inputs.Kind.TEXT)


def _text(value: str | None, field: str) -> str:
    return inputs.required(value, field, TEXT_MAX, inputs.Kind.TEXT, missing=f"wo.move.{field}_required")


def when(value: datetime | None, field: str, wo: dict, now: datetime) -> datetime:
    """A time the user gave: tz-aware, not before the order's intake, never in the future."""
    if value is None or value.tzinfo is None:
        raise Invalid(f"wo.move.{field}_required", field=field)
    if value > now:
        raise Invalid("wo.move.time_in_future", field=field)
    if value < wo["intake_at"]:
        raise Invalid("wo.move.time_before_intake", field=field)
    return value.astimezone(UTC)


def _dispatch(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """WO-3: a technician assigned (again, before they receive it); who dispatched and when."""
    if m.technician_id is None:
        check(refuse, "wo.move.technician_required", "technician_id")
    note = check(_note, m)
    return {"technician_id": m.technician_id, "dispatched_at": by.now, "dispatched_by_id": by.actor_id}, note


def _stamp(column: str) -> Callable[..., Step]:
    """A move that records when it happened (receipt, survey, closing) with an optional note."""
    def step(m: MoveInput, wo: dict, by: Mover, check) -> Step:
        return {column: by.now}, check(_note, m)
    return step


def _repair(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """WO-6: the actual service start, as given or now."""
    start = by.now if m.service_started_at is None else check(when, m.service_started_at, "service_started_at",
                                                              wo, by.now)
    return {"service_started_at": start}, check(_note, m)


def _pend(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """WO-4: pending with its reason, remembering where it waits from."""
    check(choice, "pending_reason", m.pending_reason, PendingReason, "wo.move.pending_reason_required")
    reason = PendingReason(m.pending_reason) if is_choice(m.pending_reason, PendingReason) else None
    return {"pending_reason": reason, "pending_from": wo["status"]}, check(_note, m)


def _resume(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    return {"pending_reason": None, "pending_from": None}, check(_note, m)


def _work_done(value: str | None) -> str:
    """WO-6: the work done, specific enough to check (the complaint's rule of a specific text)."""
    text = _text(value, "work_done")
    if not is_specific(text):
        raise Invalid("wo.move.work_done_vague", field="work_done")
    return text


def _complete(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """WO-6: the actual service start (kept when none is given) and end (start <= end <= now), the work done,
    an incompletion reason where it applies, and a delay reason when completion is past the target."""
    start = wo.get("service_started_at") if m.service_started_at is None else \
        check(when, m.service_started_at, "service_started_at", wo, by.now)
    if start is None and m.service_started_at is None:
        check(refuse, "wo.move.service_started_at_required", "service_started_at")
    end = check(when, m.service_ended_at, "service_ended_at", wo, by.now)
    if start is not None and end is not None and end < start:
        check(refuse, "wo.move.end_before_start", "service_ended_at")
    done = check(_work_done, m.work_done)
    incomplete = check(inputs.text, m.incomplete_reason, "incomplete_reason", TEXT_MAX, inputs.Kind.TEXT)
    delay = check(inputs.text, m.delay_reason, "delay_reason", TEXT_MAX, inputs.Kind.TEXT)
    if delay is None and delay_due(wo | {"completed_at": by.now}, by.settings):
        check(refuse, "wo.move.delay_reason_required", "delay_reason")
    return {"service_started_at": start, "service_ended_at": end, "work_done": done,
            "incomplete_reason": incomplete, "delay_reason": delay, "completed_at": by.now}, check(_note, m)


def _return(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """WO-6: returned to the service desk: when, and who returned it."""
    return {"returned_at": by.now, "return_signed_by_id": by.actor_id}, check(_note, m)


def _send_back(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """The desk sends a returned order back to the technician, saying what is missing."""
    note = check(inputs.required, m.note, "note", TEXT_MAX, inputs.Kind.TEXT, missing="wo.move.send_back_note_required")
    return {"returned_at": None, "return_signed_by_id": None}, note


def _accept(m: MoveInput, wo: dict, by: Mover, check) -> Step:
    """WO-5/WO-6: the gate; everything there (or waived by a special approval), else Incomplete."""
    lacks = missing(wo, by.ctx.technician_signed, by.ctx.customer_signed, by.settings)
    if lacks:
        raise Incomplete([f"wo.missing.{item}" for item in lacks])
    return {"accepted_at": by.now, "accepted_by_id": by.actor_id}, check(_note, m)


STEPS: dict[Move, Callable[..., Step]] = {
    Move.DISPATCH: _dispatch, Move.RECEIVE: _stamp("received_at"), Move.SURVEY: _stamp("survey_at"),
    Move.REPAIR: _repair, Move.PEND: _pend, Move.RESUME: _resume, Move.COMPLETE: _complete, Move.RETURN: _return,
    Move.SEND_BACK: _send_back, Move.ACCEPT: _accept, Move.SETTLE: _stamp("settled_at"),
    Move.CLOSE: _stamp("closed_at"),
}


def check_step(move: Move, data: MoveInput, wo: dict, by: Mover) -> Step:
    """The columns `move` writes on the order `wo`, and the event's note; Invalid/FieldErrors naming each
    missing or broken field, Incomplete for the acceptance gate."""
    with Refusals() as check:
        changes, note = STEPS[move](data, wo, by, check)
    return changes, note
