"""One demo work order's life (WO-3..WO-8): its moves and their times (demo.wo_timeline), finance's week
deciding whether an accepted paid order is settled yet (demo.wo_finance), and the acts done on the way —
the three signatures, the fee, a manager's special approval, the invoice — each at a time the flow allows,
the whole history checked against the app's gate (demo.wo_flow)."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from core.work_orders.flow import Act, Move
from demo.clock import DAY, HOUR, Clock, later
from demo.wo_finance import INVOICED_WAITING, Weeks, invoiced_at
from demo.wo_flow import history
from demo.wo_timeline import (
    ACCEPTED,
    CLOSED,
    COMPLETED,
    NEW,
    RETURNED,
    SETTLED,
    path_to,
    signatures,
    statuses,
    step_times,
)

SPECIAL = 0.04  # share of accepted orders a manager's special approval let through without the customer's signature
FINAL = (ACCEPTED, SETTLED, CLOSED)


@dataclass
class Life:
    status: str
    steps: list[tuple[int, Move | Act, str, str]]  # (time, move or act, from, to), checked, in time order
    at: dict[str, int] = field(default_factory=dict)  # first time the order reached each status (returned: last)
    detour: bool = False
    signed: tuple[int | None, int | None, int | None] = (None, None, None)  # technician, manager, customer
    approval: int | None = None
    batch: int | None = None  # the finance batch of a settled order

    def time_of(self, step: Move | Act) -> int | None:
        return next((ts for ts, s, _, _ in self.steps if s == step), None)


def live(rng: Random, clock: Clock, status: str, intake: int, paid: bool, reason: str, weeks: Weeks,
         dispatch_target: int) -> Life:
    """The order's history up to `status` (a paid order accepted in a week finance has not signed yet stays
    accepted; one in a signed week was settled at the sign-off)."""
    moves, detour, sent_back = path_to(rng, status, paid)
    times = step_times(rng, clock, intake, moves, reason, dispatch_target)
    batch = None
    if paid and Move.ACCEPT in moves:
        moves, times, batch = _finance(rng, clock, moves, times, weeks)
    reached = statuses(moves)
    life = Life(reached[-1] if reached else NEW, [], detour=detour, batch=batch)
    for ts, status_ in zip(times, reached, strict=True):
        life.at.setdefault(status_, ts)
    returns = [ts for move, ts in zip(moves, times, strict=True) if move == Move.RETURN]
    if returns:
        life.at[RETURNED] = returns[-1]
    acts = _acts(rng, clock, life, list(zip(moves, times, strict=True)), returns, sent_back, paid) \
        if COMPLETED in life.at else []
    life.steps = history([(ts, m) for m, ts in zip(moves, times, strict=True)] + acts, paid)
    return life


def _finance(rng: Random, clock: Clock, moves: list[Move], times: list[int], weeks: Weeks) -> tuple:
    """WO-8: cut the moves at the acceptance; settled at the sign-off of its week when that is signed, then
    perhaps closed a little later."""
    i = moves.index(Move.ACCEPT)
    closing = Move.CLOSE in moves
    moves, times = moves[: i + 1], times[: i + 1]
    batch, signed = weeks.of(times[i])
    if signed is None:
        return moves, times, None
    moves, times = [*moves, Move.SETTLE], [*times, signed]
    close = later(rng, signed, HOUR, 3 * DAY)
    if closing and close <= clock.now:
        moves, times = [*moves, Move.CLOSE], [*times, close]
    return moves, times, batch


def _acts(rng: Random, clock: Clock, life: Life, timed: list, returns: list[int], sent_back: bool,
          paid: bool) -> list[tuple[int, Act]]:
    """WO-5/WO-6 signatures (a sent-back order's customer signs between the send-back and the second
    return), the fee at completion, a special approval between the return and the acceptance, and the
    invoice before the week's sign-off (or, for some waiting orders, already)."""
    completed, accepted = life.at[COMPLETED], life.at.get(ACCEPTED)
    special = life.status in FINAL and not sent_back and rng.random() < SPECIAL
    life.signed = signatures(rng, ACCEPTED if sent_back else life.status, completed,
                             returns[0] if returns else None, clock.now, special or sent_back)
    if sent_back:
        back = next(ts for move, ts in timed if move == Move.SEND_BACK)
        life.signed = (*life.signed[:2], back + max(1, int((returns[1] - back) * (0.3 + 0.4 * rng.random()))))
    if special:
        life.approval = returns[-1] + max(1, int((accepted - returns[-1]) * (0.2 + 0.6 * rng.random())))
    tech, manager, customer = life.signed
    acts = [(tech, Act.SIGN_TECHNICIAN), (manager, Act.COUNTERSIGN), (customer, Act.SIGN_CUSTOMER),
            (life.approval, Act.APPROVE)]
    if paid:
        acts.append((completed, Act.FEE))
    if paid and accepted:
        settled = life.at.get(SETTLED)
        waiting = settled is None and rng.random() < INVOICED_WAITING
        acts.append((invoiced_at(rng, accepted, settled or (clock.now if waiting else None)), Act.INVOICE))
    return [(ts, act) for ts, act in acts if ts is not None]

