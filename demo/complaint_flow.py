"""A demo complaint's history walked along the flow table (core.complaints.flow.TRANSITIONS, CP-2) and its
columns written by the app's own step rules (core.complaints.steps.check_step), so every row and event is one
the app could have written. The "ours" path is the table's longest walk from received to closed, the "not
ours" path its shortest; a reopening is the table's move out of closed, then the rest of a path from where it
lands. Values are the app's (datetimes, enums) until `stored` turns them into the writer's (seconds, text)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum

from core.complaints.flow import TRANSITIONS, Move, Party
from core.complaints.rules import MoveInput
from core.complaints.steps import check_step
from db.enums import ComplaintStatus

C = ComplaintStatus


def walks(start: ComplaintStatus, end: ComplaintStatus) -> list[tuple[Move, ...]]:
    """Every walk from `start` to `end` along the table that visits no status twice."""
    found: list[tuple[Move, ...]] = []

    def go(status: ComplaintStatus, seen: frozenset, moves: tuple[Move, ...]) -> None:
        if status == end:
            found.append(moves)
            return
        for move, t in TRANSITIONS.items():
            if status in t.sources and t.target not in seen:
                go(t.target, seen | {t.target}, (*moves, move))

    go(start, frozenset({start}), ())
    return found


OURS_PATH = max(walks(C.RECEIVED, C.CLOSED), key=len)  # verify, ours, solve, reply, follow up, verify effect, close
NOT_OURS_PATH = min(walks(C.RECEIVED, C.CLOSED), key=len)  # verify, not ours (the explanation), close
REOPEN = next(m for m, t in TRANSITIONS.items() if C.CLOSED in t.sources)


def reached(moves) -> list[ComplaintStatus]:
    return [TRANSITIONS[m].target for m in moves]


def round_moves(ours: bool, first: bool) -> list[Move]:
    """One round: the whole path, or after a reopening the reopening and the path from where it lands."""
    moves = list(OURS_PATH if ours else NOT_OURS_PATH)
    if first:
        return moves
    return [REOPEN, *moves[reached(moves).index(TRANSITIONS[REOPEN].target) + 1:]]


def history(target: ComplaintStatus, ours: bool, reopened: int) -> list[Move]:
    """Every move after intake: `reopened` rounds that ended closed, then the current round up to `target`."""
    moves: list[Move] = []
    for n in range(reopened + 1):
        current = round_moves(ours, n == 0)
        statuses = reached(current)
        moves += current if n < reopened else current[: statuses.index(target) + 1] if target in statuses else []
    return moves


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


Ask = Callable[[Move, dict, datetime], MoveInput]


def replay(cp: dict, moves: list[Move], times: list[int], ask: Ask, who: Callable[[Move, dict], int]) -> list[tuple]:
    """Each move at its time, as core.complaints.services.apply_move writes it: the step's columns and the
    target status on `cp` (in place, the version bumped), and one event (seconds, user, from, to, move, note)."""
    events = []
    for move, ts in zip(moves, times, strict=True):
        changes, note = check_step(move, ask(move, cp, at(ts)), cp, at(ts))
        user = who(move, cp)
        if move == Move.VERIFY_EFFECT:
            changes["capa_verified_by_id"] = user
        target = TRANSITIONS[move].target
        events.append((ts, user, cp["status"], target, move, note))
        cp.update(changes, status=target, version=cp["version"] + 1)
    return events


def party_user(move: Move, cp: dict, users: dict[Party, int], pick: Callable[[list], object]) -> int:
    """One of the users the table allows the move (users: the handler and quality; the complaint's owners)."""
    mine = {Party.OWNER: cp.get("owner_id"), Party.CAPA_OWNER: cp.get("capa_owner_id")}
    allowed = sorted({(users | mine).get(p) for p in TRANSITIONS[move].parties} - {None})
    return pick(allowed)


def stored(value):
    """The writer's value: whole seconds for a time, the text of an enum."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value.value if isinstance(value, Enum) else value
