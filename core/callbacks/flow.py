"""The callback's state machine (CB-1, CB-6): its states are `db.enums.CallbackStatus`, its moves one
table, and one gate. Like core.permissions, the table is the rule: use cases check a move with `check`
(a claim, which must say who holds the callback, with `refusal` after its compare-and-set) and build
their compare-and-set UPDATE from the same row, so a race is refused too; pages ask `can` which
buttons to offer.

  claim     open → in progress, or your own claim renewed          whoever works calls at the level
  release   in progress → open, unclaimed                           the claimer
  complete  in progress → called and completed (reached)            the claimer
  requeue   in progress → open (not reached with tries left, or the customer asked for another time)
  give_up   in progress → called not completed (wrong number, or not reached the last allowed time)

Who works calls at a level is CB-1: specialists L1, the service manager L2, the director L3
(LEVEL_ACTION, read through the permission table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.errors import DomainError
from core.office.settings import Office
from core.permissions import Action, Actor, allowed, require
from db.enums import CallbackLevel, CallbackStatus, CallOutcome

OPEN, IN_PROGRESS = CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS
COMPLETED, NOT_COMPLETED = CallbackStatus.COMPLETED, CallbackStatus.NOT_COMPLETED
LEVEL_ACTION = {CallbackLevel.L1: Action.WORK_CALLBACK, CallbackLevel.L2: Action.RECHECK_L2,
                CallbackLevel.L3: Action.RECHECK_L3}  # CB-1
LEVEL_VIEW = {CallbackLevel.L1: Action.VIEW_CALLBACKS, CallbackLevel.L2: Action.VIEW_RECHECKS,
              CallbackLevel.L3: Action.VIEW_RECHECKS}  # who may read a level's callbacks and their calls


class Move(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    COMPLETE = "complete"
    REQUEUE = "requeue"
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[CallbackStatus]
    target: CallbackStatus
    claimer_only: bool  # only the person holding the callback may make the move


TRANSITIONS: dict[Move, Transition] = {
    # Anyone working the level claims an open callback; a held one only its holder (renewing the claim).
    Move.CLAIM: Transition(frozenset({OPEN, IN_PROGRESS}), IN_PROGRESS, claimer_only=False),
    Move.RELEASE: Transition(frozenset({IN_PROGRESS}), OPEN, claimer_only=True),
    Move.COMPLETE: Transition(frozenset({IN_PROGRESS}), COMPLETED, claimer_only=True),
    Move.REQUEUE: Transition(frozenset({IN_PROGRESS}), OPEN, claimer_only=True),
    Move.GIVE_UP: Transition(frozenset({IN_PROGRESS}), NOT_COMPLETED, claimer_only=True),
}


class AlreadyClaimed(DomainError):
    """Somebody else is working this callback; params: who (display name), since (claimed at)."""

    key = "calls.already_claimed"


class NotClaimed(DomainError):
    """Only the specialist who claimed a callback may record a call on it or release it."""

    key = "calls.not_claimed"


def may_work(actor: Actor | None, level: CallbackLevel) -> bool:
    """CB-1: the actor works calls, and calls of this level."""
    return actor is not None and allowed(actor.role, Action.WORK_CALLBACK) and allowed(actor.role, LEVEL_ACTION[level])


def visible_levels(actor: Actor | None) -> tuple[CallbackLevel, ...]:
    """The levels whose callbacks, calls and history the actor may read (LEVEL_VIEW)."""
    return tuple(lv for lv in CallbackLevel if actor is not None and allowed(actor.role, LEVEL_VIEW[lv]))


def require_view(actor: Actor | None, level: CallbackLevel) -> Actor:
    """Reading one callback: the callbacks at all, then its level's own (a re-check's results); Forbidden else."""
    require(actor, Action.VIEW_CALLBACKS)
    return require(actor, LEVEL_VIEW[level])


def require_level(actor: Actor | None, level: CallbackLevel) -> Actor:
    """The permission half of the gate: anyone working calls, then the level's own (CB-1); Forbidden else."""
    require(actor, Action.WORK_CALLBACK)
    return require(actor, LEVEL_ACTION[level])


def refusal(move: Move, cb: dict, actor: Actor) -> DomainError | None:
    """Why `move` is not open on the callback `cb` (status, claimed_by_id) for `actor`, or None when it is.
    A claim on a callback somebody else holds is AlreadyClaimed (the caller adds who and since); a claim
    on a finished one is `calls.not_workable`; every other move off a callback the actor does not hold is
    NotClaimed."""
    t = TRANSITIONS[move]
    held = cb["status"] == IN_PROGRESS
    mine = held and cb["claimed_by_id"] == actor.id
    if move == Move.CLAIM:
        if cb["status"] not in t.sources:
            return DomainError("calls.not_workable", status=CallbackStatus(cb["status"]).value)
        return AlreadyClaimed() if held and not mine else None
    if cb["status"] not in t.sources or (t.claimer_only and not mine):
        return NotClaimed()
    return None


def check(move: Move, cb: dict, actor: Actor) -> None:
    """The gate: permission for the callback's level, then the move's own rule; raises, or returns."""
    require_level(actor, cb["level"])
    refused = refusal(move, cb, actor)
    if refused is not None:
        raise refused


def can(move: Move, cb: dict, actor: Actor | None) -> bool:
    """What a page offers: would `check` let this actor make this move now?"""
    return may_work(actor, cb["level"]) and refusal(move, cb, actor) is None


def outcome_move(outcome: CallOutcome, unreached_before: int, max_attempts: int) -> Move:
    """CB-6: which move one more attempt makes. Reached: complete. Call later: requeue. Not reached:
    requeue until `max_attempts` unreached tries, then give up. Wrong number: give up."""
    if outcome == CallOutcome.REACHED:
        return Move.COMPLETE
    if outcome == CallOutcome.CALL_LATER:
        return Move.REQUEUE
    if outcome == CallOutcome.NOT_REACHED and unreached_before + 1 < max_attempts:
        return Move.REQUEUE
    return Move.GIVE_UP


def next_state(cb: dict, outcome: CallOutcome, call_again_at: datetime | None, office: Office,
               now: datetime) -> dict:
    """CB-6, the callback after one more attempt. Reached: called and completed. Wrong number: called not
    completed. Not reached: back to the queue `callback.retry_interval_hours` later (due by the old end, or
    a day after the retry when that is later) until `callback.max_attempts`, then called not completed.
    Call later: back to the queue for the day after the customer's time. Only unreached tries count
    towards the limit (`cb["unreached"]`: those before this one); a customer who asked for another time was
    reached. Completed and not-completed callbacks keep their claimer (who worked it); callbacks back in the
    queue are unclaimed."""
    move = outcome_move(outcome, cb["unreached"], int(office.get("callback.max_attempts")))
    kept = {"attempts_count": cb["attempts_count"] + 1, "due_start": cb["due_start"], "due_end": cb["due_end"],
            "claimed_by_id": cb["claimed_by_id"], "claimed_at": cb["claimed_at"], "completed_at": None,
            "status": TRANSITIONS[move].target}
    if move == Move.COMPLETE:
        return kept | {"completed_at": now}
    if move == Move.REQUEUE and outcome == CallOutcome.CALL_LATER:
        return _requeued(kept, call_again_at, call_again_at + timedelta(days=1))
    if move == Move.REQUEUE:
        retry = now + timedelta(hours=int(office.get("callback.retry_interval_hours")))
        return _requeued(kept, retry, max(cb["due_end"], retry + timedelta(days=1)))
    return kept


def _requeued(kept: dict, start: datetime, end: datetime) -> dict:
    return kept | {"due_start": start, "due_end": end, "claimed_by_id": None, "claimed_at": None}


def can_claim(cb: dict, actor: Actor | None) -> bool:
    """The queue offers "Take this call" (CB-1)."""
    return can(Move.CLAIM, cb, actor)


def holds(cb: dict, actor: Actor | None) -> bool:
    """The actor holds this callback: the call screen records its outcome or gives it back."""
    return can(Move.RELEASE, cb, actor)
