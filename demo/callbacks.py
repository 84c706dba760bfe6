"""Callbacks and their call attempts (CB-1..CB-9) for the demo office.

Every callback comes from an event with a unique `source_key` (CB-2) and a due window
[due_start, due_end]. Its status follows from where the window lies relative to `now`
(upcoming ones are open, past ones mostly done) and from the customer's archive validity
(C-3: wrong numbers end in wrong_number attempts). Attempts always agree with the status:
completed ⇒ a final reached attempt at completed_at; not_completed ⇒ only failed attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING

from core.callbacks.followups import promised_reply_key
from core.rechecks.rules import RECHECKER
from db.enums import CallbackStatus, CallOutcome, Channel
from demo.clock import DAY, HOUR, MINUTE, later
from demo.people import INVALID, SPECIALIST_QUALITY, UNREACHABLE, user_of
from demo.reached import reached_call

if TYPE_CHECKING:
    from demo.build import Demo

CALLBACK_COLUMNS = (
    "id", "customer_id", "kind", "level", "status", "due_start", "due_end", "assignee_id", "product_id",
    "work_order_id", "complaint_id", "sample_id", "source_key", "purpose", "attempts_count", "claimed_by_id",
    "claimed_at", "completed_at", "created_at", "version",
)
ATTEMPT_COLUMNS = (
    "id", "callback_id", "caller_id", "attempted_at", "channel", "outcome", "satisfaction", "score",
    "dissatisfaction_reason", "questions", "suggestions", "notes", "promised_reply_at", "call_again_at",
    "qa_checklist", "qa_score", "complaint_id", "problem_solved", "recorded_at",
)
LATE_RECORDED = 0.03  # C-5: the share of calls the demo's specialists record only the next day
SOLVED_SHARE = {"satisfied": 0.92, "neutral": 0.6, "dissatisfied": 0.25}  # CB-4 re-checks: problem solved?
S = CallbackStatus
OPEN, IN_PROGRESS, COMPLETED = S.OPEN.value, S.IN_PROGRESS.value, S.COMPLETED.value
NOT_COMPLETED, CANCELLED = S.NOT_COMPLETED.value, S.CANCELLED.value
PHONE = Channel.PHONE.value
REACHED, NOT_REACHED = CallOutcome.REACHED.value, CallOutcome.NOT_REACHED.value
WRONG_NUMBER, CALL_LATER = CallOutcome.WRONG_NUMBER.value, CallOutcome.CALL_LATER.value
LATE = 2 * DAY  # how far after its window a callback may still be completed
# A working office has a few callbacks overdue by days, hardly any by weeks, none by months: the share of
# past-window callbacks still open (or in progress), by how long ago their window ended.
STILL_OPEN = ((7 * DAY, 0.25), (30 * DAY, 0.05))
RECHECKERS = {level.value: user_of(role) for level, role in RECHECKER.items()}  # CB-1: who re-checks L2, L3


@dataclass(frozen=True)
class Due:
    """A callback the office owes: who, which kind and level (CB-1, CB-2), the window, and its source."""

    customer_id: int
    kind: str
    start: int
    end: int
    key: str
    created: int
    level: str = "L1"
    product_id: int | None = None
    work_order_id: int | None = None
    complaint_id: int | None = None
    sample_id: int | None = None
    purpose: str | None = None


class CallbackMaker:
    """Writes one callback with the attempts its status implies; returns (id, status, completed_at)."""

    def __init__(self, demo: Demo) -> None:
        demo.out.declare("callbacks", CALLBACK_COLUMNS)
        demo.out.declare("call_attempts", ATTEMPT_COLUMNS)
        self.demo = demo
        self.now = demo.clock.now
        self.retry = demo.setting("callback.retry_interval_hours") * HOUR  # CB-6: not reached, try again later
        self.max_attempts = demo.setting("callback.max_attempts")  # CB-6: then it is not completed

    def emit(self, rng: Random, due: Due, *, done_at: int | None = None,
             may_complete: bool = True) -> tuple[int, str, int | None]:
        out, people = self.demo.out, self.demo.people
        caller = _caller(due.level, people.specialist[due.customer_id])
        cb_id = out.next_id("callbacks")
        status = COMPLETED if done_at else self._status(rng, due, people.validity[due.customer_id], may_complete)
        plan = self._plan(rng, due, status, done_at, people.validity[due.customer_id])
        done = plan[-1][0] if status == COMPLETED else None
        claimed_by, claimed_at = self._claim(rng, due, status, plan, caller)
        out.add("callbacks", (  # before its attempts: a chunk of attempts flushed next finds its callback written
            cb_id, due.customer_id, due.kind, due.level, status, due.start, due.end, caller, due.product_id,
            due.work_order_id, due.complaint_id, due.sample_id, due.key, due.purpose, len(plan), claimed_by,
            claimed_at, done, min(due.created, due.start, self.now), 1,
        ))
        for ts, outcome in plan:
            self._attempt(rng, cb_id, caller, due, ts, outcome)
        return cb_id, status, done

    def _status(self, rng: Random, due: Due, validity: int, may_complete: bool) -> str:
        if due.start > self.now:
            return OPEN
        r = rng.random()
        if not may_complete or self.now - due.start < 10 * MINUTE:
            return IN_PROGRESS if r < 0.15 else OPEN
        if due.end >= self.now:
            return COMPLETED if r < 0.4 else IN_PROGRESS if r < 0.5 else OPEN
        if (validity == INVALID and r < 0.85) or (validity == UNREACHABLE and r < 0.7):
            return NOT_COMPLETED
        r = rng.random()
        still_open = next((share for age, share in STILL_OPEN if self.now - due.end <= age), 0.0)
        if r < still_open:
            return OPEN if r < 0.8 * still_open else IN_PROGRESS
        r = (r - still_open) / (1 - still_open)  # the rest of the draw, spread over the closed outcomes
        return COMPLETED if r < 0.92 else NOT_COMPLETED if r < 0.97 else CANCELLED

    def _plan(self, rng: Random, due: Due, status: str, done_at: int | None, validity: int) -> list:
        """The attempts as (time, outcome), in time order (CB-6)."""
        if status == COMPLETED:
            final = done_at or self._reached_at(rng, due)
            return _spread(rng, due.start, final, _fails(rng), self.retry) + [(final, REACHED)]
        limit = min(due.end, self.now)
        if status == NOT_COMPLETED:
            if validity == INVALID or rng.random() < 0.25:
                final = self.demo.clock.between(rng, due.start, limit)
                return _spread(rng, due.start, final, rng.random() < 0.3, self.retry,
                               may_defer=False) + [(final, WRONG_NUMBER)]
            return _spread(rng, due.start, limit + 1, self.max_attempts, self.retry, may_defer=False)
        if status in (OPEN, IN_PROGRESS) and due.start < self.now and rng.random() < 0.35:
            return _spread(rng, due.start, limit + 1, 1 + (rng.random() < 0.3), self.retry)
        return []

    def _reached_at(self, rng: Random, due: Due) -> int:
        """Completed inside the window, or (8%) a little after it; never after now."""
        if due.end < self.now and rng.random() < 0.08:
            return later(rng, due.end, MINUTE, min(LATE, self.now - due.end))
        return self.demo.clock.between(rng, due.start + 1, min(due.end, self.now))

    def _claim(self, rng: Random, due: Due, status: str, plan: list, caller: int) -> tuple:
        if status == IN_PROGRESS:  # claimed a little while ago, after any earlier tries
            last = plan[-1][0] if plan else due.start
            return caller, max(last, self.now - int(rng.random() * 3 * HOUR) - MINUTE)
        if status in (COMPLETED, NOT_COMPLETED):
            return caller, max(due.start, plan[0][0] - int(rng.random() * 15 * MINUTE))
        return None, None

    def _attempt(self, rng: Random, cb_id: int, caller: int, due: Due, ts: int, outcome: str) -> None:
        out = self.demo.out
        attempt_id = out.next_id("call_attempts")
        if outcome != REACHED:
            again = later(rng, ts, 2 * HOUR, DAY) if outcome == CALL_LATER else None
            out.add("call_attempts", (attempt_id, cb_id, caller, ts, PHONE, outcome, None, None, None, None,
                                      None, None, None, again, None, None, None, None, self._recorded(attempt_id, ts)))
            return
        call = reached_call(rng, self.demo.pools.text, due.kind, SPECIALIST_QUALITY.get(caller, 0.9))
        promised = self._promise(rng, due, call.questions, ts, attempt_id)
        out.add("call_attempts", (
            attempt_id, cb_id, caller, ts, call.channel, outcome, call.satisfaction, call.score, call.reason,
            call.questions, call.suggestions, call.notes, promised, None, call.qa, call.qa_score, None,
            _solved(attempt_id, call.satisfaction) if due.level != "L1" else None, self._recorded(attempt_id, ts),
        ))

    def _recorded(self, attempt_id: int, ts: int) -> int:
        """C-5: most calls are recorded minutes after they are made; a few only the next morning (late)."""
        r = Random(attempt_id * 7919)  # its own stream: the office's other rows stay as they were
        late = r.random() < LATE_RECORDED
        return min(self.now, ts + (DAY - 6 * HOUR if late else int(r.random() * 10 * MINUTE)))

    def _promise(self, rng: Random, due: Due, question: str | None, ts: int, attempt_id: int) -> int | None:
        """CB-8: an unanswered question gets a promised reply time, itself a due item."""
        if not question or due.kind == "promised_reply" or rng.random() > 0.25:
            return None
        promised = self.demo.clock.snap(later(rng, ts, DAY, 3 * DAY))
        purpose = self.demo.pools.text["purpose"]["promised_reply"].format(q=question)
        self.emit(rng, Due(due.customer_id, "promised_reply", ts + 1, max(promised, ts + HOUR),
                           promised_reply_key(attempt_id), ts, product_id=due.product_id,
                           purpose=purpose))
        return promised


def _solved(attempt_id: int, satisfaction: str) -> bool:
    """CB-4: whether the re-checked customer's problem was solved, likelier the happier they are (its own
    random stream, so the rest of the office is drawn as before)."""
    return Random(attempt_id).random() < SOLVED_SHARE[satisfaction]


def _caller(level: str, specialist: int) -> int:
    """CB-1: L1 calls are made by the customer's specialist, L2 by the manager, L3 by the director."""
    return specialist if level == "L1" else RECHECKERS[level]


def _fails(rng: Random) -> int:
    r = rng.random()
    return 0 if r < 0.7 else 1 if r < 0.92 else 2


def _spread(rng: Random, start: int, end: int, n: int, retry: int, may_defer: bool = True) -> list:
    """n failed attempts in [start, end), at most `retry` seconds apart: not reached, or (if `may_defer`)
    the customer asked for another time (CB-6)."""
    if n <= 0 or end - start < 2 * n:
        return []
    gap = min(retry, (end - start) // (n + 1))
    times = [end - (n - i) * gap - int(rng.random() * gap // 4) for i in range(n)]
    defer = 0.2 if may_defer else 0.0
    return [(t, CALL_LATER if rng.random() < defer else NOT_REACHED)
            for t in times]
