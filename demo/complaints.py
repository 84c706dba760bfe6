"""Complaints (CP-1..CP-5) with one event per step, and the complaint callbacks they cause (CB-2).

CP-2's workflow: received → verifying → responsibility decided; ours → CAPA requested →
solution → replied → followed up → verified → closed; not ours → explained (replied) → closed.
A closed complaint may be reopened (back to verifying); the stage timestamps then describe
the current round, the events keep every round. Numbers count per month (`CP202611-00042`).
"""

from __future__ import annotations

from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING

from core.scheduling.rules import complaint_call_key
from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus, Remedy, Responsibility
from demo.callbacks import Due
from demo.clock import DAY, HOUR, MINUTE
from demo.people import DIRECTOR, ENGINEERS, MANAGER, SPECIALISTS
from demo.pools import weighted

if TYPE_CHECKING:
    from demo.build import Demo

C = ComplaintStatus
RECEIVED, VERIFYING, CAPA, SOLUTION = C.RECEIVED.value, C.VERIFYING.value, C.CAPA_REQUESTED.value, C.SOLUTION.value
REPLIED, FOLLOWED_UP, VERIFIED, CLOSED = C.REPLIED.value, C.FOLLOWED_UP.value, C.VERIFIED.value, C.CLOSED.value
OURS_PATH = (VERIFYING, CAPA, SOLUTION, REPLIED, FOLLOWED_UP, VERIFIED, CLOSED)
NOT_OURS_PATH = (VERIFYING, REPLIED, CLOSED)
GAPS = {VERIFYING: (30 * MINUTE, 12 * HOUR), CAPA: (0.2 * DAY, DAY), SOLUTION: (0.3 * DAY, 1.5 * DAY),
        REPLIED: (0.1 * DAY, 0.7 * DAY), FOLLOWED_UP: (0.5 * DAY, 2.5 * DAY), VERIFIED: (2 * DAY, 10 * DAY),
        CLOSED: (0.1 * DAY, 2 * DAY)}
REOPEN_GAP = (3 * DAY, 25 * DAY)
# status, share, how many days before now a complaint in that status was received
STATUSES = ((RECEIVED, 4, 0, 1), (VERIFYING, 6, 0.1, 3), (CAPA, 6, 0.5, 8), (SOLUTION, 6, 1, 10),
            (REPLIED, 8, 1.5, 8), (FOLLOWED_UP, 8, 2.5, 15), (VERIFIED, 8, 5, 30), (CLOSED, 54, 7, 182))
CHANNELS = tuple(c.value for c in ComplaintChannel)
CHANNEL_WEIGHTS = (25, 45, 15, 15)
CAUSES = tuple(c.value for c in ComplaintCause)
CAUSE_WEIGHTS = {"ours": (35, 12, 25, 12, 3, 13), "not_ours": (0, 5, 15, 5, 50, 25)}
REMEDIES = tuple(r.value for r in Remedy)
COLUMNS = (
    "id", "number", "customer_id", "product_id", "order_no", "product_desc", "channel", "description",
    "defect_quantity", "defect_rate_pct", "received_by_id", "received_at", "status", "responsibility", "cause",
    "owner_id", "responsible_department", "capa_action", "capa_verified_at", "capa_verified_by_id",
    "reply_deadline", "first_response_at", "replied_at", "closed_at", "escalated", "reopen_count",
    "return_quantity", "inspection_full", "inspection_result", "remedy", "created_at", "version",
)
EVENT_COLUMNS = ("id", "complaint_id", "at", "user_id", "from_status", "to_status", "note")
STEP_USERS = {VERIFYING: MANAGER, CAPA: MANAGER, SOLUTION: ENGINEERS[0], VERIFIED: DIRECTOR, CLOSED: MANAGER}


def write_complaints(demo: Demo) -> None:
    """Every status and (first four) every channel present; ids and numbers follow receipt time."""
    demo.out.declare("complaints", COLUMNS)
    demo.out.declare("complaint_events", EVENT_COLUMNS)
    rng = demo.rng("complaints")
    cumulative = list(accumulate(w for _, w, _, _ in STATUSES))
    codes = []
    for i in range(demo.scale.complaints):
        k = i if i < len(STATUSES) else weighted(rng, cumulative)
        codes.append(demo.clock.recent(rng, STATUSES[k][2], STATUSES[k][3]) * 16 + k)
    per_month: dict[str, int] = {}
    for complaint_id, code in enumerate(sorted(codes), start=1):
        received = code >> 4
        month = demo.clock.month_of(received)
        per_month[month] = per_month.get(month, 0) + 1
        channel = CHANNELS[complaint_id - 1] if complaint_id <= len(CHANNELS) else \
            rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        _complaint(demo, rng, complaint_id, f"CP{month}-{per_month[month]:05d}", received,
                   STATUSES[code & 15][0], channel)


def rounds(rng: Random, target: str) -> tuple[list[str], bool, int]:
    """The steps after RECEIVED up to `target`, whether the complaint was ours, and how often it
    was reopened (each reopening goes CLOSED → VERIFYING)."""
    ours = not (target in (REPLIED, CLOSED) and rng.random() < 0.35)
    path = OURS_PATH if ours else NOT_OURS_PATH
    reopened = int(target != RECEIVED and rng.random() < 0.06)
    reopened += int(reopened and rng.random() < 0.15)
    current = list(path[: path.index(target) + 1]) if target != RECEIVED else []
    return list(path) * reopened + current, ours, reopened


def _times(rng: Random, demo: Demo, received: int, steps: list[str]) -> list[int]:
    """A time for each step, in order and before now (squeezed for a young complaint)."""
    gaps = []
    for i, step in enumerate(steps):
        low, high = REOPEN_GAP if i and steps[i - 1] == CLOSED else GAPS[step]
        gaps.append(int(low + rng.random() * (high - low)))
    budget, total = demo.clock.now - received - MINUTE, sum(gaps)
    if total > budget:
        gaps = [max(1, g * budget // total) for g in gaps]
    times, t = [], received
    for g in gaps:
        t += g
        times.append(t)
    return times


def _complaint(demo: Demo, rng: Random, complaint_id: int, number: str, received: int, status: str,
               channel: str) -> None:
    """CP-1 intake; CP-2 responsibility and the stage times of the current round, reply deadline =
    received + `complaint.reply_deadline_days`; CP-5 overdue complaints are more often escalated."""
    clock, people, text = demo.clock, demo.people, demo.pools.text
    pid = people.delivered_product(rng, clock.day_of(received))
    cid = people.product_customer[pid]
    steps, ours, reopened = rounds(rng, status)
    times = _times(rng, demo, received, steps)
    last = _current_round(steps, times)
    decided = status not in (RECEIVED, VERIFYING)
    cause = rng.choices(CAUSES, CAUSE_WEIGHTS["ours" if ours else "not_ours"])[0]
    responsibility = (Responsibility.OURS if ours else Responsibility.NOT_OURS).value if decided else \
        Responsibility.UNDECIDED.value
    deadline = received + demo.setting("complaint.reply_deadline_days") * DAY
    owner = people.specialist[cid]
    capa = CAPA in last
    overdue = REPLIED not in last and clock.now > deadline
    defects, goods = _returned_goods(rng, text, channel, decided, ours)
    demo.out.add("complaints", (
        complaint_id, number, cid, pid, people.order_no(pid), people.product_label[pid], channel,
        rng.choice(text["complaint"][cause]), *defects,
        SPECIALISTS[int(rng.random() * 4)], received, status, responsibility, cause if decided else None, owner,
        rng.choice(text["departments"]) if capa else None, rng.choice(text["capa"]) if capa else None,
        last.get(VERIFIED), DIRECTOR if VERIFIED in last else None, deadline, times[0] if times else None,
        last.get(REPLIED), last.get(CLOSED), rng.random() < (0.5 if overdue else 0.06), reopened, *goods,
        received, 1,
    ))
    _events(demo, complaint_id, received, steps, times, owner)
    _follow_up(demo, rng, cid, pid, complaint_id, received, steps, times, ours)


def _current_round(steps: list[str], times: list[int]) -> dict[str, int]:
    """Step → time within the latest round (after the last reopening)."""
    start = max((i + 1 for i, s in enumerate(steps[:-1]) if s == CLOSED), default=0)
    return dict(zip(steps[start:], times[start:], strict=True))


def _returned_goods(rng: Random, text: dict, channel: str, decided: bool, ours: bool) -> tuple[tuple, tuple]:
    """CP-1 defect quantity and rate; CP-3 returned goods: quality inspects all of a small return,
    a sample of a batch, and a remedy is offered once the complaint is found ours."""
    if channel != ComplaintChannel.RETURN.value:
        return (None, None), (None, None, None, None)
    quantity = rng.randint(1, 60)
    defects = rng.randint(1, quantity)
    remedy = rng.choices(REMEDIES, (45, 30, 15, 10))[0] if decided and ours else None
    inspection = rng.choice(text["inspection"]) if decided else None
    return (defects, f"{defects * 100 / quantity:.1f}%"), (quantity, quantity <= 5, inspection, remedy)


def _events(demo: Demo, complaint_id: int, received: int, steps: list[str], times: list[int], owner: int) -> None:
    """CP-2: every step keeps who and when; a reopening is CLOSED → VERIFYING with a note."""
    out, text = demo.out, demo.pools.text
    out.add("complaint_events", (out.next_id("complaint_events"), complaint_id, received, owner, None, RECEIVED, None))
    previous = RECEIVED
    for step, ts in zip(steps, times, strict=True):
        note = text["reopen"] if previous == CLOSED else text["not_ours"] if step == REPLIED and \
            previous == VERIFYING else None
        out.add("complaint_events", (out.next_id("complaint_events"), complaint_id, ts,
                                     STEP_USERS.get(step, owner), previous, step, note))
        previous = step


def _follow_up(demo: Demo, rng: Random, cid: int, pid: int, complaint_id: int, received: int,
               steps: list[str], times: list[int], ours: bool) -> None:
    """CB-2: the complaint callback within a week; it is done when the complaint is followed up
    (ours), or a day or two after the explanation (not ours). CB-4: L2 samples complaint customers."""
    clock = demo.clock
    at = dict(zip(reversed(steps), reversed(times), strict=True))  # first time of each step
    done = at.get(FOLLOWED_UP)
    if not ours and REPLIED in at:
        done = at[REPLIED] + int((0.5 + 1.5 * rng.random()) * DAY)
        done = done if done <= clock.now else None
    day = clock.day_of(received)
    end = clock.day_end(day + demo.windows.complaint_window_days)
    demo.calls.emit(rng, Due(cid, "complaint", received, end, complaint_call_key(complaint_id), received,
                             product_id=pid, complaint_id=complaint_id), done_at=done, may_complete=False)
