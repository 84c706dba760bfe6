"""Complaints (CP-1..CP-5) with one event per move, and the complaint callbacks they cause (CB-2).

Each history is a walk along core.complaints.flow.TRANSITIONS (demo.complaint_flow): received → verify →
ours → CAPA → solution → reply → follow-up → verified → closed, or not ours → explained (replied) → closed;
a closed complaint may be reopened (back to verifying). The columns are those the app's own steps write, by
the parties the table allows; the quality engineer verifies (CP-2). A return of goods is isolated and
inspected (CP-3), late replies give a reason and overdue complaints are more often escalated (CP-5). Numbers
count per month (`CP202611-00042`); some customers and product models complain again within the month."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING

from core.complaints.flow import TRANSITIONS, Act, Move, Party
from core.complaints.goods import ReturnedGoods, check_goods
from core.complaints.rules import MoveInput, default_reply_deadline, first_response_due, reopened_promise
from core.scheduling.care import Holidays
from core.scheduling.rules import complaint_call_key
from db.enums import Channel, ComplaintCause, ComplaintChannel, ComplaintSeverity, ComplaintStatus, Remedy
from demo.callbacks import Due
from demo.clock import DAY, HOUR, MINUTE
from demo.complaint_flow import REOPEN, at, history, party_user, replay, stored
from demo.people import DIRECTOR, ENGINEERS, MANAGER, QUALITY, SPECIALISTS
from demo.pools import weighted

if TYPE_CHECKING:
    from demo.build import Demo

C = ComplaintStatus
RECEIVED, VERIFYING, CAPA, SOLUTION = C.RECEIVED.value, C.VERIFYING.value, C.CAPA_REQUESTED.value, C.SOLUTION.value
REPLIED, FOLLOWED_UP, VERIFIED, CLOSED = C.REPLIED.value, C.FOLLOWED_UP.value, C.VERIFIED.value, C.CLOSED.value
GAPS = {VERIFYING: (30 * MINUTE, 12 * HOUR), CAPA: (0.2 * DAY, DAY), SOLUTION: (0.3 * DAY, 1.5 * DAY),
        REPLIED: (0.1 * DAY, 0.7 * DAY), FOLLOWED_UP: (0.5 * DAY, 2.5 * DAY), VERIFIED: (2 * DAY, 10 * DAY),
        CLOSED: (0.1 * DAY, 2 * DAY)}
REOPEN_GAP = (3 * DAY, 25 * DAY)
# status, share, how many days before now a complaint in that status was received
STATUSES = ((RECEIVED, 4, 0, 3), (VERIFYING, 6, 0.1, 3), (CAPA, 6, 0.5, 8), (SOLUTION, 6, 1, 10),
            (REPLIED, 8, 1.5, 8), (FOLLOWED_UP, 8, 2.5, 15), (VERIFIED, 8, 5, 30), (CLOSED, 54, 7, 182))
CHANNELS = tuple(c.value for c in ComplaintChannel)
CHANNEL_WEIGHTS = (25, 45, 15, 15)
CAUSES = tuple(c.value for c in ComplaintCause)
CAUSE_WEIGHTS = {"ours": (35, 12, 25, 12, 3, 13), "not_ours": (0, 5, 15, 5, 50, 25)}
SEVERITIES, SEVERITY_WEIGHTS = tuple(ComplaintSeverity), (15, 70, 15)
REPLY_CHANNELS, REPLY_WEIGHTS = (Channel.PHONE, Channel.EMAIL, Channel.WECHAT, Channel.VISIT), (60, 15, 15, 10)
REMEDIES = tuple(Remedy)
REPEAT_DAYS, REPEAT_SHARE = 30, 0.25  # CP-4: a recent complaint's product complains again
COLUMNS = (
    "id", "number", "customer_id", "product_id", "order_no", "product_desc", "channel", "description",
    "defect_quantity", "defect_rate_pct", "received_by_id", "received_at", "severity", "status", "responsibility",
    "cause", "owner_id", "verification_note", "explanation", "responsible_department", "capa_owner_id", "capa_due",
    "capa_action", "preventive_action", "solution", "solution_at", "reply_channel", "late_reason",
    "verification_evidence", "capa_verified_at", "capa_verified_by_id", "reply_deadline", "first_response_due",
    "first_response_at", "replied_at", "closed_at", "escalated", "escalated_at", "escalated_by_id",
    "escalation_reason", "reopen_count", "return_quantity", "isolated_labelled", "inspection_full",
    "inspected_quantity", "defects_found", "inspection_result", "remedy", "remedy_accepted", "created_at", "version",
)
EVENT_COLUMNS = ("id", "complaint_id", "at", "user_id", "from_status", "to_status", "move", "note")
HANDLERS = {Party.HANDLER: MANAGER, Party.QUALITY: QUALITY}


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
    recent: list[int] = []  # products complained about in the last REPEAT_DAYS
    for complaint_id, code in enumerate(sorted(codes), start=1):
        received = code >> 4
        month = demo.clock.month_of(received)
        per_month[month] = per_month.get(month, 0) + 1
        channel = CHANNELS[complaint_id - 1] if complaint_id <= len(CHANNELS) else \
            rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        pid = _product(demo, rng, received, recent)
        _complaint(demo, rng, (complaint_id, f"CP{month}-{per_month[month]:05d}", received, pid),
                   STATUSES[code & 15][0], channel)


def _product(demo: Demo, rng: Random, received: int, recent: list[int]) -> int:
    """The product complained about: now and then one complained about within the last weeks (the log's
    summary then shows customers and models with repeated complaints)."""
    fresh = received >= demo.clock.now - REPEAT_DAYS * DAY
    if fresh and recent and rng.random() < REPEAT_SHARE:
        return rng.choice(recent)
    pid = demo.people.delivered_product(rng, demo.clock.day_of(received))
    if fresh:
        recent.append(pid)
    return pid


def rounds(rng: Random, target: str) -> tuple[list[Move], bool, int]:
    """The moves after intake up to `target` (walked along the flow table), whether the complaint was ours,
    and how often it was reopened."""
    ours = not (target in (REPLIED, CLOSED) and rng.random() < 0.35)
    reopened = int(target != RECEIVED and rng.random() < 0.06)
    reopened += int(reopened and rng.random() < 0.15)
    return history(C(target), ours, reopened), ours, reopened


def _times(rng: Random, demo: Demo, received: int, moves: list[Move]) -> list[int]:
    """A time for each move, in order and before now (squeezed for a young complaint)."""
    gaps = []
    for move in moves:
        low, high = REOPEN_GAP if move == REOPEN else GAPS[_target(move)]
        gaps.append(int(low + rng.random() * (high - low)))
    budget, total = demo.clock.now - received - MINUTE, sum(gaps)
    if total > budget:
        gaps = [max(1, g * budget // total) for g in gaps]
    times, t = [], received
    for g in gaps:
        t += g
        times.append(t)
    return times


def _target(move: Move) -> str:
    return TRANSITIONS[move].target.value


def _intake(demo: Demo, rng: Random, ident: tuple, channel: str, cause: str) -> dict:
    """CP-1 as take_in saves it: received, the promised reply by severity and the first response due (CP-5)."""
    complaint_id, number, received, pid = ident
    people, office = demo.people, demo.office
    severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
    when = at(received)
    return {
        "id": complaint_id, "number": number, "customer_id": people.product_customer[pid], "product_id": pid,
        "order_no": people.order_no(pid), "product_desc": people.product_label[pid], "channel": channel,
        "description": rng.choice(demo.pools.text["complaint"][cause]), "received_by_id": rng.choice(SPECIALISTS),
        "received_at": when, "severity": severity, "status": C.RECEIVED, "responsibility": "undecided",
        "reply_deadline": default_reply_deadline(when, severity, office, office.timezone),
        "first_response_due": first_response_due(when, office.timezone,
                                                  demo.setting("complaint.first_response_working_days"),
                                                  Holidays.parse(str(office.get("callback.holidays")))),
        "escalated": False, "reopen_count": 0, "created_at": when, "version": 1,
    } | (_defects(rng) if channel == ComplaintChannel.RETURN.value else {})


def _defects(rng: Random) -> dict:
    """CP-1 on a return: how many units come back (`returning`, recorded with the goods, CP-3), how many the
    customer reports defective and the rate, as intake stores it ("2.5")."""
    quantity = rng.randint(1, 60)
    reported = rng.randint(1, quantity)
    rate = format(Decimal(f"{reported * 100 / quantity:.1f}").normalize(), "f")
    return {"returning": quantity, "defect_quantity": reported, "defect_rate_pct": rate}


class _Asked:
    """What each move is given (the forms' fields), drawn from the office's phrases."""

    def __init__(self, rng: Random, text: dict, cause: str, owner: int, capa_owner: int, office) -> None:
        self.rng, self.text, self.cause, self.owner, self.capa_owner = rng, text, cause, owner, capa_owner
        self.settings, self.tz = office, office.timezone

    def __call__(self, move: Move, cp: dict, now: datetime) -> MoveInput:
        pick, text = self.rng.choice, self.text
        channel = self.rng.choices(REPLY_CHANNELS, REPLY_WEIGHTS)[0]
        decided = {"verification_note": pick(text["verification"]), "cause": self.cause}
        late = pick(text["late"]) if now > cp["reply_deadline"] else None  # CP-5: a late answer says why
        return {
            Move.VERIFY: lambda: MoveInput(owner_id=self.owner,
                                           reply_deadline=max(cp["reply_deadline"], now + timedelta(hours=1))),
            Move.OURS: lambda: MoveInput(**decided, responsible_department=pick(text["departments"]),
                                         capa_owner_id=self.capa_owner,
                                         capa_due=now + timedelta(days=self.rng.randint(3, 10))),
            Move.NOT_OURS: lambda: MoveInput(**decided, explanation=text["not_ours"], reply_channel=channel,
                                             late_reason=late),
            Move.SOLVE: lambda: MoveInput(solution=pick(text["solution"]), capa_action=pick(text["capa"]),
                                          preventive_action=pick(text["preventive"])),
            Move.REPLY: lambda: MoveInput(reply_channel=channel, late_reason=late),
            Move.VERIFY_EFFECT: lambda: MoveInput(verification_evidence=pick(text["effect"])),
            Move.REOPEN: lambda: MoveInput(note=text["reopen"],
                                           reply_deadline=reopened_promise(cp, now, self.settings, self.tz)),
        }.get(move, MoveInput)()


def _complaint(demo: Demo, rng: Random, ident: tuple, status: str, channel: str) -> None:
    """CP-1 intake, then the moves of CP-2 by the parties the table allows with what each asks for; CP-3
    goods on a return, CP-5 escalation (more often when overdue); the rows as the app would hold them."""
    moves, ours, reopened = rounds(rng, status)
    cause = rng.choices(CAUSES, CAUSE_WEIGHTS["ours" if ours else "not_ours"])[0]
    cp = _intake(demo, rng, ident, channel, cause)
    times = _times(rng, demo, ident[2], moves)
    owner = ENGINEERS[0] if rng.random() < 0.2 else demo.people.specialist[cp["customer_id"]]
    capa_owner = owner if cause == ComplaintCause.SERVICE.value else rng.choice(ENGINEERS[:2])
    asked = _Asked(rng, demo.pools.text, cause, owner, capa_owner, demo.office)
    events = [(ident[2], cp["received_by_id"], None, C.RECEIVED, "take_in", None)]
    events += replay(cp, moves, times, asked, lambda m, c: party_user(m, c, HANDLERS, rng.choice))
    acts = _goods(demo, rng, cp, moves, events) + _escalation(demo, rng, cp, moves, events)
    for after, event in sorted(acts, key=lambda a: (a[0], a[1][0]), reverse=True):  # each after its event, in time
        events.insert(after + 1, event)
    demo.out.add("complaints", tuple(stored(cp.get(c)) for c in COLUMNS))
    out = demo.out
    for ts, user, source, target, move, note in events:
        out.add("complaint_events", (out.next_id("complaint_events"), cp["id"], ts, user, stored(source),
                                     stored(target), stored(move), note))
    _follow_up(demo, rng, cp, events, ours)


def _gap(rng: Random, demo: Demo, events: list[tuple], after: int) -> int:
    """A moment after event `after` and not after the next one (or now)."""
    start = events[after][0]
    end = events[after + 1][0] if after + 1 < len(events) else demo.clock.now
    return start + int(rng.random() * max(0, end - start))


def _goods(demo: Demo, rng: Random, cp: dict, moves: list[Move], events: list[tuple]) -> list[tuple]:
    """CP-3 on a return: quality records the goods once verifying (with the remedy once found ours): isolated
    and labelled, all inspected up to the setting's quantity, a sample of a batch; the app's own check."""
    if cp["channel"] != ComplaintChannel.RETURN.value or not moves:
        return []
    quantity = cp["returning"]
    ours = Move.OURS in moves
    after = moves.index(Move.OURS if ours else Move.VERIFY) + 1
    sample = quantity if quantity <= demo.setting("complaint.full_inspection_max") else max(2, quantity // 5)
    remedy = rng.choices(REMEDIES, (45, 30, 15, 10))[0] if ours else None
    goods = check_goods(ReturnedGoods(
        return_quantity=quantity, isolated_labelled=True, inspected_quantity=sample,
        defects_found=rng.randint(int(ours), sample), inspection_result=rng.choice(demo.pools.text["inspection"]),
        remedy=remedy, remedy_accepted=rng.choices((True, False, None), (70, 15, 15))[0] if remedy else None),
        demo.office)
    return [_act(demo, rng, cp, events, after, Act.GOODS, QUALITY, goods, goods["inspection_result"])]


def _escalation(demo: Demo, rng: Random, cp: dict, moves: list[Move], events: list[tuple]) -> list[tuple]:
    """CP-5: anyone who reads complaints escalates an open one, once, in its latest round; the overdue more
    often."""
    now = at(demo.clock.now)
    late = cp["status"] != C.CLOSED and (
        (cp.get("first_response_at") is None and cp["first_response_due"] < now)
        or (cp.get("replied_at") is None and cp["reply_deadline"] < now))
    if rng.random() >= (0.5 if late else 0.06):
        return []
    start = max((i + 1 for i, m in enumerate(moves) if m == REOPEN), default=0)
    open_after = [i for i in range(start, len(events)) if events[i][3] != C.CLOSED]
    if not open_after:
        return []
    who = rng.choice((MANAGER, DIRECTOR, cp.get("owner_id") or MANAGER, rng.choice(SPECIALISTS)))
    reason = rng.choice(demo.pools.text["escalation"])
    after = rng.choice(open_after)
    changes = {"escalated": True, "escalated_by_id": who, "escalation_reason": reason}
    return [_act(demo, rng, cp, events, after, Act.ESCALATE, who, changes, reason)]


def _act(demo: Demo, rng: Random, cp: dict, events: list[tuple], after: int, act: Act, user: int, changes: dict,
         note: str | None) -> tuple[int, tuple]:
    """An act that leaves the status as it is, after event `after`: its columns, a version, its event."""
    ts = _gap(rng, demo, events, after)
    status = events[after][3]
    cp.update(changes, version=cp["version"] + 1)
    if act == Act.ESCALATE:
        cp["escalated_at"] = at(ts)
    return after, (ts, user, status, status, act, note)


def _follow_up(demo: Demo, rng: Random, cp: dict, events: list[tuple], ours: bool) -> None:
    """CB-2: one complaint callback a round (from receipt, then from each reopening, as the app plans them),
    within a week; it is done when that round is followed up (ours), or a day or two after the explanation (not
    ours). CB-4: L2 samples complaint customers."""
    clock = demo.clock
    starts = [events[0][0]] + [ev[0] for ev in events if ev[4] == REOPEN.value]
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else clock.now + 1
        moves = {ev[4]: ev[0] for ev in reversed(events) if start <= ev[0] < stop}  # each move's first time
        done = moves.get(Move.FOLLOW_UP.value)
        if not ours and Move.NOT_OURS.value in moves:
            done = moves[Move.NOT_OURS.value] + int((0.5 + 1.5 * rng.random()) * DAY)
            done = min(done, stop - 1) if done <= clock.now or stop <= clock.now else None
        end = clock.day_end(clock.day_of(start) + demo.windows.complaint_window_days)
        demo.calls.emit(rng, Due(cp["customer_id"], "complaint", start, end, complaint_call_key(cp["id"], n), start,
                                 product_id=cp["product_id"], complaint_id=cp["id"]), done_at=done, may_complete=False)
