"""Working the queue (CB-1, CB-5..CB-9, C-3): claim a callback, release it, record a call.

A claim is one compare-and-set UPDATE (open → in progress, or your own claim renewed), so of two
specialists reaching for the same callback exactly one wins and the other learns who holds it, on
SQLite and PostgreSQL alike. Recording a call is allowed to the claimer only and is again one
compare-and-set on the callback's version; the attempt, the callback's transition and every follow-up
(core.callbacks.followups) are written and audited in one transaction, or nothing is."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import DomainError
from core.office.settings import Office
from core.permissions import Action
from db.enums import CallbackLevel, CallbackStatus, CallOutcome

OPEN, IN_PROGRESS = CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS
LEVEL_ACTION = {CallbackLevel.L1: Action.WORK_CALLBACK, CallbackLevel.L2: Action.RECHECK_L2,
                CallbackLevel.L3: Action.RECHECK_L3}  # CB-1


class AlreadyClaimed(DomainError):
    """Somebody else is working this callback; params: who (display name), since (claimed at)."""

    key = "calls.already_claimed"


class NotClaimed(DomainError):
    """Only the specialist who claimed a callback may record a call on it or release it."""

    key = "calls.not_claimed"


def next_state(cb: dict, outcome: CallOutcome, call_again_at: datetime | None, office: Office,
               now: datetime) -> dict:
    """CB-6, the callback after one more attempt. Reached: called and completed. Wrong number: called not
    completed. Not reached: back to the queue `callback.retry_interval_hours` later (due by the old end, or
    a day after the retry when that is later) until `callback.max_attempts`, then called not completed.
    Call later: back to the queue for the day after the customer's time. Only unreached tries count
    towards the limit (`cb["unreached"]`: those before this one); a customer who asked for another time was
    reached. Completed and not-completed callbacks keep their claimer (who worked it); callbacks back in the
    queue are unclaimed."""
    attempts = cb["attempts_count"] + 1
    kept = {"attempts_count": attempts, "due_start": cb["due_start"], "due_end": cb["due_end"],
            "claimed_by_id": cb["claimed_by_id"], "claimed_at": cb["claimed_at"], "completed_at": None}
    if outcome == CallOutcome.REACHED:
        return kept | {"status": CallbackStatus.COMPLETED, "completed_at": now}
    if outcome == CallOutcome.CALL_LATER:
        return _requeued(kept, call_again_at, call_again_at + timedelta(days=1))
    if outcome == CallOutcome.NOT_REACHED and cb["unreached"] + 1 < int(office.get("callback.max_attempts")):
        retry = now + timedelta(hours=int(office.get("callback.retry_interval_hours")))
        return _requeued(kept, retry, max(cb["due_end"], retry + timedelta(days=1)))
    return kept | {"status": CallbackStatus.NOT_COMPLETED}


def _requeued(kept: dict, start: datetime, end: datetime) -> dict:
    return kept | {"status": OPEN, "due_start": start, "due_end": end, "claimed_by_id": None, "claimed_at": None}
