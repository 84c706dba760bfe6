"""Repair work orders (WO-1..WO-10) with their event history, finance's weekly batches (WO-8)
and the after-repair callbacks they cause (WO-10, CB-2).

An order's status is drawn first, its intake time from how long orders usually stay in that
status; ids follow intake time, and numbers count per month (`WO202611-000123`).
"""

from __future__ import annotations

from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING

from core.scheduling.rules import after_repair_key
from db.enums import PendingReason, ServiceType
from demo.callbacks import Due
from demo.clock import DAY, HOUR, MINUTE
from demo.people import ENGINEERS, FINANCE, MANAGER, SPECIALISTS, VIP
from demo.pools import pick, weighted
from demo.recheck import monday
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
    path_to,
    pending_reason,
    signatures,
    step_times,
)

if TYPE_CHECKING:
    from demo.build import Demo

WO_COLUMNS = (
    "id", "number", "customer_id", "product_id", "contact_name", "phone", "address", "request",
    "read_back_confirmed", "service_type", "status", "pending_reason", "priority", "intake_by_id", "intake_at",
    "dispatched_at", "dispatched_by_id", "technician_id", "received_at", "survey_at", "service_started_at",
    "service_ended_at", "completed_at", "work_done", "delay_reason", "incomplete_reason", "technician_signed_at",
    "manager_countersigned_by_id", "manager_countersigned_at", "customer_signed_name", "customer_signed_at",
    "special_approval_by_id", "special_approval_note", "returned_at", "return_signed_by_id", "accepted_at",
    "fee_cents", "fee_collected_on_site", "invoice_no", "settled_at", "finance_batch_id", "closed_at",
    "created_at", "version",
)
EVENT_COLUMNS = ("id", "work_order_id", "at", "user_id", "from_status", "to_status", "pending_reason", "note")
BATCH_COLUMNS = ("id", "week_start", "signed_by_id", "signed_at")
# status, share, and how many days before now an order in that status was taken in
STATUSES = (
    (NEW, 1, 0, 0.9), (DISPATCHED, 2, 0, 1), (RECEIVED, 2, 0.05, 2), (SURVEY, 2, 0.2, 3), (IN_REPAIR, 3, 0.3, 5),
    (PENDING, 4, 1, 21), (COMPLETED, 3, 0.3, 3), (RETURNED, 2, 0.5, 5), (ACCEPTED, 4, 0.7, 12),
    (SETTLED, 5, 1.5, 20), (CLOSED, 71, 3, 182),
)
TYPES = ((0.3, "A"), (0.5, "B"), (0.9, "C"), (1.01, "D"))  # WO-2 paid, contract, warranty, internal
INTERNAL = ServiceType.INTERNAL.value  # WO-2 internal work: no customer to call after the repair


def write_work_orders(demo: Demo) -> None:
    """Orders in intake order, numbered per month, each with its events and after-repair callback."""
    for name, columns in (("finance_batches", BATCH_COLUMNS), ("work_orders", WO_COLUMNS),
                          ("work_order_events", EVENT_COLUMNS)):
        demo.out.declare(name, columns)
    batches = _write_batches(demo)
    rng = demo.rng("work_orders")
    per_month: dict[str, int] = {}
    codes = _headers(rng, demo, demo.scale.work_orders)
    pending = [i for i, code in enumerate(codes, start=1) if STATUSES[code & 15][0] == PENDING]
    reasons = dict(zip(reversed(pending), PendingReason, strict=False))  # the newest wait once for each reason
    for wo_id, code in enumerate(codes, start=1):
        intake, status = code >> 4, STATUSES[code & 15][0]
        month = demo.clock.month_of(intake)
        per_month[month] = per_month.get(month, 0) + 1
        _order(demo, rng, wo_id, f"WO{month}-{per_month[month]:06d}", intake, status, batches, reasons.get(wo_id))


def _write_batches(demo: Demo) -> dict[int, int]:
    """WO-8: one batch per week; finance signs it the next Monday morning (this week's is unsigned)."""
    clock, batches = demo.clock, {}
    for week in range(monday(clock.start), clock.today + 1, 7):
        signed = clock.day_start(week + 7) + 10 * HOUR
        signed = signed if signed <= clock.now else None
        batches[week] = demo.out.next_id("finance_batches")
        demo.out.add("finance_batches", (batches[week], week, FINANCE if signed else None, signed))
    return batches


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


def _order(demo: Demo, rng: Random, wo_id: int, number: str, intake: int, status: str, batches: dict,
           forced_reason: str | None = None) -> None:
    """WO-1 intake fields from the customer's record; each step's time present exactly when the
    status implies it; VIP customers and orders left overnight get priority (WO-3); `forced_reason` makes a
    pending order wait for that reason (WO-4), so every reason is present."""
    clock, people, text = demo.clock, demo.people, demo.pools.text
    pid = people.delivered_product(rng, clock.day_of(intake))
    cid = people.product_customer[pid]
    r = rng.random()
    stype = "A" if status == SETTLED else next(t for p, t in TYPES if r < p)
    reason = pending_reason(rng, (clock.now - intake) / DAY)  # drawn even when forced: the stream stays put
    reason = forced_reason or reason
    path, detour = path_to(rng, status, stype == "A")
    times = step_times(rng, clock, intake, path, reason, demo.setting("work_order.dispatch_target_minutes") * MINUTE)
    at: dict[str, int] = {}
    for step, ts in zip(path, times, strict=True):
        at.setdefault(step, ts)
    desk, tech = SPECIALISTS[int(rng.random() * 4)], ENGINEERS[int(rng.random() * 3)]
    contact = demo.pools.person(rng) if people.company[cid] else people.name[cid]
    sign = _signing(rng, demo, status, at, contact)
    fee, on_site, batch, invoice = _money(rng, clock, stype, at, batches, number)
    delay = pick(rng, text["delay"][reason]) if detour else None
    request, work_done = pick(rng, text["repairs"])  # the work done answers the request
    dispatched = at.get(DISPATCHED)
    priority = people.grade[cid] == VIP or (clock.day_of(dispatched or clock.now) > clock.day_of(intake))
    demo.out.add("work_orders", (
        wo_id, number, cid, pid, contact, people.phone[cid], people.address[cid],
        request, rng.random() < 0.96, stype, status, reason if status == PENDING else None,
        priority, desk, intake, dispatched, MANAGER if dispatched else None, tech if dispatched else None,
        at.get(RECEIVED), at.get(SURVEY), at.get(IN_REPAIR), _service_end(rng, path, times), at.get(COMPLETED),
        work_done if COMPLETED in at else None, delay if status != PENDING else None,
        delay if status == PENDING else None, *sign, at.get(RETURNED), desk if RETURNED in at else None,
        at.get(ACCEPTED), fee, on_site, invoice, at.get(SETTLED), batch, at.get(CLOSED), intake, 1,
    ))
    _events(demo, wo_id, intake, path, times, (desk, tech), reason, delay, sign[6])
    if COMPLETED in at and stype != INTERNAL:
        _after_repair(demo, rng, cid, pid, wo_id, at[COMPLETED])


def _signing(rng: Random, demo: Demo, status: str, at: dict, contact: str) -> tuple:
    """WO-5: technician_signed_at, countersigned by/at, customer name/at, special approval by/note."""
    if COMPLETED not in at:
        return None, None, None, None, None, None, None
    special = status in (ACCEPTED, SETTLED, CLOSED) and rng.random() < 0.04
    tech, manager, customer = signatures(rng, status, at[COMPLETED], at.get(RETURNED), demo.clock.now, special)
    note = pick(rng, demo.pools.text["special_approval"]) if special else None
    return (tech, MANAGER if manager else None, manager, contact if customer else None, customer,
            MANAGER if special else None, note)


def _money(rng: Random, clock, stype: str, at: dict, batches: dict, number: str) -> tuple:
    """WO-8: paid orders carry a fee once done; small fees are collected on site; settled orders
    are in the week's finance batch and invoiced."""
    if stype != "A" or COMPLETED not in at:
        return None, False, None, None
    fee = (80 + int(rng.random() * 2920)) * 100
    settled = at.get(SETTLED)
    batch = batches.get(monday(clock.day_of(settled))) if settled else None
    return fee, fee <= 30_000 and rng.random() < 0.7, batch, f"INV{number[2:]}" if settled else None


def _service_end(rng: Random, path: list[str], times: list[int]) -> int | None:
    """WO-6: the actual service ends during the last repair stretch, before completion is recorded."""
    if COMPLETED not in path:
        return None
    i = path.index(COMPLETED)
    completed, started = times[i], times[i - 1]
    return completed - int((completed - started) * 0.2 * rng.random())


def _events(demo: Demo, wo_id: int, intake: int, path: list[str], times: list[int], staff: tuple,
            reason: str, delay: str | None, approval: str | None) -> None:
    """WO-4: one event per step, who and when, from which status to which."""
    desk, tech = staff
    users = {DISPATCHED: MANAGER, RETURNED: desk, ACCEPTED: desk, SETTLED: FINANCE, CLOSED: MANAGER}
    out = demo.out
    out.add("work_order_events", (out.next_id("work_order_events"), wo_id, intake, desk, None, NEW, None, None))
    previous = NEW
    for step, ts in zip(path, times, strict=True):
        pending = step == PENDING
        note = delay if pending else approval if step == ACCEPTED else None
        out.add("work_order_events", (out.next_id("work_order_events"), wo_id, ts, users.get(step, tech),
                                      previous, step, reason if pending else None, note))
        previous = step


def _after_repair(demo: Demo, rng: Random, cid: int, pid: int, wo_id: int, completed: int) -> None:
    """WO-10 / CB-2: within `callback.after_repair_window_days` after completion."""
    day = demo.clock.day_of(completed)
    demo.calls.emit(rng, Due(
        cid, "after_repair", completed, demo.clock.day_end(day + demo.windows.after_repair_window_days),
        after_repair_key(wo_id), completed, product_id=pid, work_order_id=wo_id,
    ))

