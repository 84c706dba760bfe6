"""Incoming calls (CB-11) of the demo office: each category, some missed. A missed or unresolved
call from a customer becomes a same-day call-back (CB-2); an enquiry may become a lead (L-1)."""

from __future__ import annotations

from random import Random
from typing import TYPE_CHECKING

from core.scheduling.rules import missed_call_key
from db.enums import IncomingCategory
from demo.callbacks import Due
from demo.clock import DAY, HOUR
from demo.people import SPECIALISTS

if TYPE_CHECKING:
    from demo.build import Demo

COLUMNS = ("id", "received_at", "caller_name", "phone", "customer_id", "category", "need", "heard_from",
           "answered", "resolved", "taken_by_id")
EXISTING, NEW_ENQUIRY, RETURNING = (IncomingCategory.EXISTING_PROBLEM.value, IncomingCategory.NEW_ENQUIRY.value,
                                    IncomingCategory.RETURNING_PROSPECT.value)
CATEGORIES = ((0.5, EXISTING), (0.85, NEW_ENQUIRY), (1.01, RETURNING))
LEAD_SHARE = 0.35  # of the leads, how many began as an incoming enquiry


def incoming_count(customers: int) -> int:
    return max(30, customers // 2)


def write_incoming(demo: Demo) -> None:
    """Calls in time order over the six months; the first three take one category each."""
    demo.out.declare("incoming_calls", COLUMNS)
    rng, clock = demo.rng("incoming"), demo.clock
    n = incoming_count(demo.scale.customers)
    times = sorted(clock.between(rng, clock.window_start(), clock.now) for _ in range(n))
    to_lead = min(1.0, LEAD_SHARE * demo.scale.leads / (n * 0.5))
    for call_id, ts in enumerate(times, start=1):
        r = rng.random()
        category = (EXISTING, NEW_ENQUIRY, RETURNING)[call_id - 1] if call_id <= 3 else \
            next(c for p, c in CATEGORIES if r < p)
        if category == EXISTING:
            _customer_call(demo, rng, call_id, ts)
        else:
            _prospect_call(demo, rng, call_id, ts, category, to_lead)


def _missed(rng: Random, demo: Demo, ts: int) -> bool:
    """More calls go unanswered over lunch and at the edges of the day."""
    hour = (ts + demo.clock.offset) % DAY // HOUR
    return rng.random() < (0.3 if hour in (12, 17) else 0.1)


def _customer_call(demo: Demo, rng: Random, call_id: int, ts: int) -> None:
    people, clock = demo.people, demo.clock
    cid = people.product_customer[people.delivered_product(rng, clock.day_of(ts))]
    answered = not _missed(rng, demo, ts)
    resolved = answered and rng.random() < 0.8
    demo.out.add("incoming_calls", (call_id, ts, people.name[cid], people.phone[cid], cid, EXISTING,
                                    rng.choice(demo.pools.text["incoming"][EXISTING]), None, answered, resolved,
                                    people.specialist[cid] if answered else None))
    if not resolved:  # CB-11 / CB-2: the window the sweep plans, from the call to the end of the office day
        end = clock.day_end(clock.day_of(ts) + demo.windows.missed_call_window_days)
        demo.calls.emit(rng, Due(cid, "missed_call", ts, end, missed_call_key(call_id), ts))


def _prospect_call(demo: Demo, rng: Random, call_id: int, ts: int, category: str, to_lead: float) -> None:
    """A caller who is not (yet) a customer; a callback needs a customer, so the follow-up is a lead."""
    pools = demo.pools
    name, phone = pools.person(rng), pools.phone(rng)
    answered = not _missed(rng, demo, ts)
    demo.out.add("incoming_calls", (
        call_id, ts, name, phone, None, category, rng.choice(pools.text["incoming"][category]),
        rng.choice(pools.text["heard_from"]), answered, answered and rng.random() < 0.65,
        SPECIALISTS[int(rng.random() * 4)] if answered else None,
    ))
    if rng.random() < to_lead:
        demo.lead_calls.append((ts, call_id, name, phone))
