"""Repair work orders (WO-1..WO-11) with their event history, drawn signatures, finance's weekly batches
(WO-8), the progress calls of orders that waited (WO-11) and the after-repair callbacks (WO-10, CB-2).

An order's status is drawn first, its intake time from how long orders usually stay in that status; its
life is then walked along the app's flow table (demo.wo_life, checked by demo.wo_flow): the moves with
their users, the signatures and other acts, and an acceptance only when the order as written passes the
acceptance checklist (core.work_orders.rules.missing) or a manager's special approval. Ids follow intake
time, and numbers count per month (`WO202611-000123`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING

from core.scheduling.rules import after_repair_key
from core.work_orders.flow import Act, Move
from core.work_orders.progress import WINDOW_DAYS, progress_key, purpose
from core.work_orders.rules import delay_due, missing
from db.enums import CallbackKind, PendingReason, ServiceType, SignatureKind
from demo.callbacks import Due
from demo.clock import DAY, MINUTE
from demo.people import ENGINEERS, MANAGER, SPECIALISTS, STAFF, VIP
from demo.pools import pick, weighted
from demo.wo_finance import Weeks, fee, invoice_no
from demo.wo_flow import STEPS, IllegalHistory, users
from demo.wo_life import Life, live
from demo.wo_signatures import SignatureWriter, kept_since
from demo.wo_timeline import (
    ACCEPTED,
    CLOSED,
    COMPLETED,
    DISPATCHED,
    IN_REPAIR,
    NEW,
    PENDING,
    RECEIVED,
    RETURNED,
    SETTLED,
    SURVEY,
    pending_reason,
)

if TYPE_CHECKING:
    from demo.build import Demo

WO_COLUMNS = (
    "id", "number", "customer_id", "product_id", "contact_name", "phone", "address", "request",
    "read_back_confirmed", "service_type", "status", "pending_reason", "pending_from", "priority", "intake_by_id",
    "intake_at", "dispatched_at", "dispatched_by_id", "technician_id", "received_at", "survey_at",
    "service_started_at", "service_ended_at", "completed_at", "work_done", "delay_reason", "incomplete_reason",
    "technician_signed_at", "manager_countersigned_by_id", "manager_countersigned_at", "customer_signed_name",
    "customer_signed_at", "special_approval_by_id", "special_approval_note", "special_approval_at", "returned_at",
    "return_signed_by_id", "accepted_at", "accepted_by_id", "fee_cents", "fee_collected_on_site", "invoice_no",
    "settled_at", "finance_batch_id", "closed_at", "created_at", "version",
)
EVENT_COLUMNS = ("id", "work_order_id", "at", "user_id", "from_status", "to_status", "pending_reason", "move", "note")
# status, share, and how many days before now an order in that status was taken in
STATUSES = (
    (NEW, 1, 0, 0.9), (DISPATCHED, 2, 0, 1), (RECEIVED, 2, 0.05, 2), (SURVEY, 2, 0.2, 3), (IN_REPAIR, 3, 0.3, 5),
    (PENDING, 4, 1, 21), (COMPLETED, 3, 0.3, 3), (RETURNED, 2, 0.5, 5), (ACCEPTED, 4, 0.7, 12),
    (SETTLED, 5, 1.5, 20), (CLOSED, 71, 3, 182),
)
TYPES = ((0.3, "A"), (0.5, "B"), (0.9, "C"), (1.01, "D"))  # WO-2 paid, contract, warranty, internal
INTERNAL = ServiceType.INTERNAL.value  # WO-2 internal work: no customer to call after the repair


def write_work_orders(demo: Demo) -> None:
    """Orders in intake order, numbered per month, each with its events, signatures and callbacks."""
    weeks = Weeks(demo)
    for name, columns in (("work_orders", WO_COLUMNS), ("work_order_events", EVENT_COLUMNS)):
        demo.out.declare(name, columns)
    signatures = SignatureWriter(demo, kept_since(demo.scale.work_orders, demo.clock.now))
    rng = demo.rng("work_orders")
    per_month: dict[str, int] = {}
    codes = _headers(rng, demo, demo.scale.work_orders)
    pending = [i for i, code in enumerate(codes, start=1) if STATUSES[code & 15][0] == PENDING]
    reasons = dict(zip(reversed(pending), PendingReason, strict=False))  # the newest wait once for each reason
    for wo_id, code in enumerate(codes, start=1):
        intake, status = code >> 4, STATUSES[code & 15][0]
        month = demo.clock.month_of(intake)
        per_month[month] = per_month.get(month, 0) + 1
        order = _Order(demo, rng, wo_id, f"WO{month}-{per_month[month]:06d}", intake)
        order.write(status, weeks, signatures, reasons.get(wo_id))


def write_progress_calls(demo: Demo) -> None:
    """The WO-11 progress calls the orders' waits put on the queue, written after the rest of the office
    from their own stream, so the periodic calls, leads and re-checks are drawn as without them."""
    rng = demo.rng("progress_calls")
    for due in demo.progress_calls:
        demo.calls.emit(rng, due)


def _headers(rng: Random, demo: Demo, n: int) -> list[int]:
    """Status and intake time of every order, packed as intake * 16 + status index, in time order.
    The first orders take each status once, so every status is present."""
    cumulative = list(accumulate(w for _, w, _, _ in STATUSES))
    codes = []
    for i in range(n):
        k = i if i < len(STATUSES) else weighted(rng, cumulative)
        codes.append(demo.clock.recent(rng, STATUSES[k][2], STATUSES[k][3]) * 16 + k)
    codes.sort()
    return codes


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


class _Order:
    """One order: WO-1 intake fields from the customer's record, its life, then its rows."""

    def __init__(self, demo: Demo, rng: Random, wo_id: int, number: str, intake: int) -> None:
        self.demo, self.rng, self.id, self.number, self.intake = demo, rng, wo_id, number, intake
        self.pid = demo.people.delivered_product(rng, demo.clock.day_of(intake))
        self.cid = demo.people.product_customer[self.pid]

    def write(self, status: str, weeks: Weeks, signatures: SignatureWriter, forced_reason: str | None) -> None:
        """Each step's time present exactly when the status implies it; VIP customers and orders left
        overnight get priority (WO-3); `forced_reason` makes a pending order wait for that reason (WO-4),
        so every reason is present."""
        demo, rng, clock, text = self.demo, self.rng, self.demo.clock, self.demo.pools.text
        r = rng.random()
        stype = "A" if status == SETTLED else next(t for p, t in TYPES if r < p)
        waiting = (clock.now - self.intake) / DAY if status == PENDING else 0.0
        reason = pending_reason(rng, waiting)  # drawn even when forced: the stream stays put
        reason = forced_reason or reason
        life = live(rng, clock, status, self.intake, stype == "A", reason, weeks,
                    demo.setting("work_order.dispatch_target_minutes") * MINUTE)
        desk, tech = SPECIALISTS[int(rng.random() * 4)], ENGINEERS[int(rng.random() * 3)]
        people = demo.people
        contact = demo.pools.person(rng) if people.company[self.cid] else people.name[self.cid]
        request, work_done = pick(rng, text["repairs"])  # the work done answers the request
        wait = pick(rng, text["delay"][reason]) if life.detour else None
        row = self._row(life, stype, reason, (desk, tech), contact, request, work_done)
        self._delay(row, wait)
        self._check(row, life)
        demo.out.add("work_orders", tuple(row.values()))
        self._events(life, desk, tech, reason, wait, row["special_approval_note"])
        self._signatures(signatures, life, tech, contact)
        if life.time_of(Move.PEND) is not None and stype != INTERNAL:  # WO-11: no customer to call
            self._progress_call(life)
        if COMPLETED in life.at and stype != INTERNAL:
            self._after_repair(life.at[COMPLETED])

    def _row(self, life: Life, stype: str, reason: str, staff: tuple, contact: str, request: str,
             work_done: str) -> dict:
        demo, rng, at, people = self.demo, self.rng, life.at, self.demo.people
        desk, tech = staff
        tech_at, manager_at, customer_at = life.signed
        dispatched, status = at.get(DISPATCHED), life.status
        fee_cents, on_site = fee(rng) if stype == "A" and COMPLETED in at else (None, False)
        priority = people.grade[self.cid] == VIP or (demo.clock.day_of(dispatched or demo.clock.now)
                                                     > demo.clock.day_of(self.intake))
        approval = life.approval is not None
        return dict(zip(WO_COLUMNS, (
            self.id, self.number, self.cid, self.pid, contact, people.phone[self.cid], people.address[self.cid],
            request, True, stype, status, reason if status == PENDING else None,
            life.steps[-1][2] if status == PENDING else None, priority, desk, self.intake, dispatched,
            MANAGER if dispatched else None, tech if dispatched else None, at.get(RECEIVED), at.get(SURVEY),
            at.get(IN_REPAIR), self._service_end(life), at.get(COMPLETED), work_done if COMPLETED in at else None,
            None, None, tech_at, MANAGER if manager_at else None, manager_at, contact if customer_at else None,
            customer_at, MANAGER if approval else None,
            pick(rng, demo.pools.text["special_approval"]) if approval else None, life.approval,
            at.get(RETURNED), tech if RETURNED in at else None, at.get(ACCEPTED), desk if ACCEPTED in at else None,
            fee_cents, on_site, invoice_no(self.number) if life.time_of(Act.INVOICE) else None, at.get(SETTLED),
            life.batch if SETTLED in at else None, at.get(CLOSED), self.intake, 1 + len(life.steps),
        ), strict=True))

    def _service_end(self, life: Life) -> int | None:
        """WO-6: the actual service ends during the last repair stretch, before completion is recorded."""
        completed = life.at.get(COMPLETED)
        if completed is None:
            return None
        started = max(ts for ts, step, _, to in life.steps if to == IN_REPAIR and ts < completed)
        return completed - int((completed - started) * 0.2 * self.rng.random())

    def _delay(self, row: dict, wait: str | None) -> None:
        """WO-6: a delay reason exactly where one is due: the wait, or what else held the repair up."""
        wo = {"completed_at": _dt(row["completed_at"]), "intake_at": _dt(self.intake)}
        if delay_due(wo, self.demo.office):
            row["delay_reason"] = wait or pick(self.rng, self.demo.pools.text["delay_other"])

    def _check(self, row: dict, life: Life) -> None:
        """WO-5/WO-6: an accepted order passes the acceptance checklist as written (or was approved)."""
        if ACCEPTED not in life.at:
            return
        wo = row | {"completed_at": _dt(row["completed_at"]), "intake_at": _dt(self.intake),
                    "service_type": ServiceType(row["service_type"])}
        lacks = missing(wo, life.signed[0] is not None, life.signed[2] is not None, self.demo.office)
        if lacks:
            raise IllegalHistory(f"{self.number} accepted without {lacks}")

    def _events(self, life: Life, desk: int, tech: int, reason: str, wait: str | None,
                approval_note: str | None) -> None:
        """WO-4: the intake, then one event per move and act, by the party the flow table allows it (its
        `move` column the Move or Act); a wait carries its reason, a send-back what was missing."""
        out = self.demo.out
        out.add("work_order_events", (out.next_id("work_order_events"), self.id, self.intake, desk, None, NEW,
                                      None, None, None))
        send_back = pick(self.rng, self.demo.pools.text["send_back"])
        notes = {Move.PEND: wait, Move.SEND_BACK: send_back, Act.APPROVE: approval_note}
        who = users(desk, tech)
        for ts, step, before, after in life.steps:
            value, party = STEPS[step]
            out.add("work_order_events", (out.next_id("work_order_events"), self.id, ts, who[party], before, after,
                                          reason if step == Move.PEND else None, value, notes.get(step)))

    def _signatures(self, signatures: SignatureWriter, life: Life, tech: int, contact: str) -> None:
        """WO-5: the technician's drawn on their own account, the customer's on the technician's device."""
        tech_at, _, customer_at = life.signed
        signatures.add(self.id, SignatureKind.TECHNICIAN, self.demo.pools.text["staff"][STAFF[tech - 1][0]], tech,
                       tech_at)
        signatures.add(self.id, SignatureKind.CUSTOMER, contact, tech, customer_at)

    def _progress_call(self, life: Life) -> None:
        """WO-11: the order's wait put a progress call on the customer's specialist's queue, by the end of
        the next office day, its purpose the order's number as the app writes it (written
        by `write_progress_calls`)."""
        clock, pended = self.demo.clock, life.time_of(Move.PEND)
        self.demo.progress_calls.append(Due(
            self.cid, CallbackKind.PROGRESS.value, pended, clock.day_end(clock.day_of(pended) + WINDOW_DAYS),
            progress_key(self.id, "pending:1"), pended, product_id=self.pid, work_order_id=self.id,
            purpose=purpose({"number": self.number}),
        ))

    def _after_repair(self, completed: int) -> None:
        """WO-10 / CB-2: within `callback.after_repair_window_days` after completion."""
        clock = self.demo.clock
        self.demo.progress_calls.append(Due(
            self.cid, "after_repair", completed,
            clock.day_end(clock.day_of(completed) + self.demo.windows.after_repair_window_days),
            after_repair_key(self.id), completed, product_id=self.pid, work_order_id=self.id,
        ))
