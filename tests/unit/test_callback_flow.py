"""The callback's state machine (core.callbacks.flow, CB-1, CB-6): every move from every state, by the
claimer, by somebody else and by a role that does not work the level, answered by the one table."""

from __future__ import annotations

import pytest

from core.callbacks.flow import TRANSITIONS, AlreadyClaimed, Move, NotClaimed, can, check, outcome_move
from core.errors import DomainError, Forbidden
from core.permissions import Actor
from db.enums import CallbackLevel, CallbackStatus, CallOutcome, Role

ME = Actor(1, "specialist1", "杨静", Role.SPECIALIST)
OTHER = Actor(2, "specialist2", "王芳", Role.SPECIALIST)
MANAGER = Actor(3, "manager", "李强", Role.MANAGER)
S = CallbackStatus


def cb(status: CallbackStatus, holder: int | None = None, level: CallbackLevel = CallbackLevel.L1) -> dict:
    return {"status": status, "claimed_by_id": holder, "level": level}


CASES = [  # move, callback, actor, refused with (None: allowed)
    (Move.CLAIM, cb(S.OPEN), ME, None),
    (Move.CLAIM, cb(S.IN_PROGRESS, ME.id), ME, None),  # renewing your own claim
    (Move.CLAIM, cb(S.IN_PROGRESS, OTHER.id), ME, AlreadyClaimed),
    (Move.CLAIM, cb(S.COMPLETED, ME.id), ME, "calls.not_workable"),
    (Move.CLAIM, cb(S.NOT_COMPLETED), ME, "calls.not_workable"),
    (Move.CLAIM, cb(S.CANCELLED), ME, "calls.not_workable"),
    (Move.CLAIM, cb(S.OPEN, level=CallbackLevel.L2), ME, Forbidden),  # CB-1: L2 is the manager's
    (Move.CLAIM, cb(S.OPEN, level=CallbackLevel.L2), MANAGER, None),
    (Move.CLAIM, cb(S.OPEN, level=CallbackLevel.L3), MANAGER, Forbidden),  # CB-1: L3 is the director's
    (Move.RELEASE, cb(S.IN_PROGRESS, ME.id), ME, None),
    (Move.RELEASE, cb(S.IN_PROGRESS, OTHER.id), ME, NotClaimed),
    (Move.RELEASE, cb(S.OPEN), ME, NotClaimed),
    *[(move, cb(S.IN_PROGRESS, ME.id), ME, None) for move in (Move.COMPLETE, Move.REQUEUE, Move.GIVE_UP)],
    *[(move, cb(S.IN_PROGRESS, OTHER.id), ME, NotClaimed) for move in (Move.COMPLETE, Move.REQUEUE, Move.GIVE_UP)],
    *[(move, cb(status, ME.id), ME, NotClaimed) for move in (Move.COMPLETE, Move.REQUEUE, Move.GIVE_UP)
      for status in (S.OPEN, S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED)],
]


def _id(move, callback, actor, refused) -> str:
    answer = refused if isinstance(refused, str) else getattr(refused, "__name__", "allowed")
    return f"{move}-{callback['status']}-{callback['level']}-{actor.username}-{answer}"


@pytest.mark.parametrize(("move", "callback", "actor", "refused"), CASES, ids=[_id(*case) for case in CASES])
def test_the_gate_and_the_offered_buttons_answer_from_the_same_table(move, callback, actor, refused):
    assert can(move, callback, actor) is (refused is None)
    if refused is None:
        check(move, callback, actor)
        return
    with pytest.raises(DomainError) as err:
        check(move, callback, actor)
    if isinstance(refused, str):
        assert err.value.key == refused
    else:
        assert isinstance(err.value, refused)


def test_every_move_leaves_from_in_progress_and_only_a_claim_starts_from_open():
    assert all(S.IN_PROGRESS in t.sources for t in TRANSITIONS.values())
    assert [m for m, t in TRANSITIONS.items() if S.OPEN in t.sources] == [Move.CLAIM]


@pytest.mark.parametrize(("outcome", "unreached_before", "move"), [
    (CallOutcome.REACHED, 0, Move.COMPLETE),
    (CallOutcome.CALL_LATER, 5, Move.REQUEUE),
    (CallOutcome.NOT_REACHED, 0, Move.REQUEUE),
    (CallOutcome.NOT_REACHED, 1, Move.REQUEUE),
    (CallOutcome.NOT_REACHED, 2, Move.GIVE_UP),  # the third unreached try of three
    (CallOutcome.WRONG_NUMBER, 0, Move.GIVE_UP),
])
def test_an_attempts_outcome_makes_the_cb_6_move(outcome, unreached_before, move):
    assert outcome_move(outcome, unreached_before, max_attempts=3) == move
