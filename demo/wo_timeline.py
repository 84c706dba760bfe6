"""The life of one demo work order (WO-3, WO-4, WO-5): which steps it went through, when, and
who signed. Pure functions of a seeded Random and the clock, so they are easy to check."""

from __future__ import annotations

from functools import cache
from random import Random

from core.work_orders.flow import TRANSITIONS, Move
from db.enums import PendingReason, WorkOrderStatus
from demo.clock import DAY, HOUR, MINUTE, OPEN_AT, Clock

S = WorkOrderStatus
NEW, DISPATCHED, RECEIVED, SURVEY = S.NEW.value, S.DISPATCHED.value, S.RECEIVED.value, S.SURVEY.value
IN_REPAIR, PENDING, COMPLETED, RETURNED = S.IN_REPAIR.value, S.PENDING.value, S.COMPLETED.value, S.RETURNED.value
ACCEPTED, SETTLED, CLOSED = S.ACCEPTED.value, S.SETTLED.value, S.CLOSED.value
DONE = (COMPLETED, RETURNED, ACCEPTED, SETTLED, CLOSED)
GAPS = {
    RECEIVED: (MINUTE, 20 * MINUTE), SURVEY: (30 * MINUTE, DAY), IN_REPAIR: (10 * MINUTE, 1.5 * DAY),
    PENDING: (10 * MINUTE, DAY), COMPLETED: (30 * MINUTE, 8 * HOUR), RETURNED: (HOUR, 2 * DAY),
    ACCEPTED: (10 * MINUTE, DAY), SETTLED: (HOUR, 6 * DAY), CLOSED: (HOUR, 3 * DAY),
}
RESUME = {  # how long each pending reason holds the repair up (WO-7)
    PendingReason.PARTS.value: (2 * DAY, 20 * DAY),
    PendingReason.CUSTOMER_ABSENT.value: (DAY, 5 * DAY),
    PendingReason.APPROVAL.value: (DAY, 7 * DAY),
}
MOVE_GAPS = {Move.SEND_BACK: (10 * MINUTE, 4 * HOUR)}  # the desk looks at a returned order soon
SENT_BACK = 0.08  # share of accepted orders the desk first sent back for what was missing (WO-5)
REASONS = ((0.6, PendingReason.PARTS.value), (0.85, PendingReason.CUSTOMER_ABSENT.value),
           (1.01, PendingReason.APPROVAL.value))


def pending_reason(rng: Random, waiting_days: float = 0.0) -> str:
    """Waiting for parts is the usual reason (WO-4), and the only one that lasts longer than the others
    hold a repair up (RESUME): an order still waiting after `waiting_days` waits for parts."""
    r = rng.random()
    reason = next(reason for threshold, reason in REASONS if r < threshold)
    return reason if waiting_days * DAY <= RESUME[reason][1] else PendingReason.PARTS.value


def path_to(rng: Random, target: str, paid: bool) -> tuple[list[Move], bool, bool]:
    """The moves after intake up to the first that reaches `target` (WO-4): some finished orders waited
    once on the way (at the survey or during the repair, and resumed where they were), some accepted ones
    were first sent back by the desk and returned again (WO-5). Returns the moves, whether the order went
    pending and whether it was sent back."""
    if target == NEW:
        return [], False, False
    detour = target == PENDING or (target in DONE and rng.random() < 0.15)
    at_survey = rng.random() < 0.4
    sent_back = target in (ACCEPTED, SETTLED, CLOSED) and rng.random() < SENT_BACK
    wait = [Move.PEND, Move.RESUME] if detour else []
    moves = [Move.DISPATCH, Move.RECEIVE, Move.SURVEY, *(wait if at_survey else []), Move.REPAIR,
             *([] if at_survey else wait), Move.COMPLETE, Move.RETURN,
             *([Move.SEND_BACK, Move.RETURN] if sent_back else []), Move.ACCEPT,
             *([Move.SETTLE] if paid else []), Move.CLOSE]
    reached = statuses(moves)
    return moves[: reached.index(target) + 1], detour, sent_back


def statuses(moves) -> tuple[str, ...]:
    """The status each move reaches, along the flow table (resume: back where the order waited from)."""
    return _reached(tuple(moves))


@cache
def _reached(moves: tuple[Move, ...]) -> tuple[str, ...]:
    out, status, waited_from = [], NEW, None
    for move in moves:
        if move == Move.PEND:
            waited_from = status
        status = waited_from if move == Move.RESUME else TRANSITIONS[move].target.value
        out.append(status)
    return tuple(out)


def dispatch_gap(rng: Random, clock: Clock, intake: int, target: int) -> int:
    """WO-3: most orders reach engineering within the `target` seconds (setting
    `work_order.dispatch_target_minutes`), some later, a few next morning."""
    r = rng.random()
    if r < 0.75:
        return MINUTE + int(rng.random() * (target - MINUTE))
    if r < 0.92:
        return target + 1 + int(rng.random() * 25 * MINUTE)
    if r < 0.98:
        return 30 * MINUTE + int(rng.random() * 3.5 * HOUR)
    morning = clock.day_start(clock.day_of(intake) + 1) + OPEN_AT
    return max(MINUTE, morning + int(rng.random() * HOUR) - intake)


def step_times(rng: Random, clock: Clock, intake: int, moves: list[Move], reason: str,
               dispatch_target: int) -> list[int]:
    """A time for each of `moves`, in order, all before now (squeezed when the order is young);
    `dispatch_target` is WO-3's target in seconds."""
    gaps = []
    for move, status in zip(moves, statuses(moves), strict=True):
        if move == Move.DISPATCH:
            gaps.append(dispatch_gap(rng, clock, intake, dispatch_target))
            continue
        low, high = RESUME[reason] if move == Move.RESUME else MOVE_GAPS.get(move) or GAPS[status]
        gaps.append(int(low + rng.random() * (high - low)))
    budget = clock.now - intake - MINUTE
    total = sum(gaps)
    if total > budget:
        gaps = [max(1, g * budget // total) for g in gaps]
    times, t = [], intake
    for g in gaps:
        t += g
        times.append(t)
    return times


def signatures(rng: Random, status: str, completed: int, returned: int | None, now: int,
               special: bool) -> tuple[int | None, int | None, int | None]:
    """WO-5/WO-6: the technician signs, the department manager countersigns, then the customer
    signs, all between completion and the return. Accepted orders have all three, unless a
    special approval (`special`) stands in for the customer's signature. Returns the three times."""
    span = (returned or now) - completed
    tech = completed + max(1, int(span * (0.02 + 0.08 * rng.random())))
    manager = completed + max(2, int(span * (0.15 + 0.25 * rng.random())))
    customer = completed + max(3, int(span * (0.45 + 0.35 * rng.random())))
    if status == COMPLETED:  # signatures still being collected
        if rng.random() < 0.1:
            return None, None, None
        return (tech, manager, customer) if rng.random() < 0.6 else (tech, None, None)
    if status == RETURNED and rng.random() < 0.2:
        return tech, manager, None  # waits at the desk for the customer's signature
    return tech, manager, (None if special else customer)
