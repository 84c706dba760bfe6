"""Leads (L-1) and every dial to them (L-2) over the six months, per specialist.

Leads start from an incoming enquiry (CB-11), from a customer who wanted other products on a
callback (CB-7), or elsewhere (shows, referrals). Each is followed up at its class's interval
(A every 2 days, B weekly, C monthly) until a sale or a loss; now and then a specialist has fallen
behind lately, leaving the next follow-up overdue by days (never by months: the office is working).
"""

from __future__ import annotations

from datetime import UTC, datetime
from random import Random
from typing import TYPE_CHECKING

from core.leads.rules import next_follow_up
from db.enums import Channel, LeadClass, LeadResult, LeadStatus
from demo.clock import DAY, HOUR, MINUTE
from demo.people import SPECIALISTS

BEHIND = 14 * DAY  # a specialist may fall behind with a lead for days, not for months
if TYPE_CHECKING:
    from demo.build import Demo

LEAD_COLUMNS = ("id", "customer_id", "name", "phone", "lead_class", "status", "interest", "source",
                "specialist_id", "next_follow_up", "incoming_call_id", "callback_id", "created_at", "version")
CONTACT_COLUMNS = ("id", "lead_id", "user_id", "contacted_at", "channel", "result", "sale_amount_cents",
                   "new_class", "notes")
SALE_CHANCE = {"A": 0.12, "B": 0.05, "C": 0.02}
CLASSES = ((0.25, "A"), (0.65, "B"), (1.01, "C"))
R = LeadResult
RESULTS = ((0.3, R.NO_ANSWER.value), (0.74, R.TALKED.value), (0.87, R.APPOINTMENT.value),
           (1.01, R.RECOMMENDATION.value))
MAX_CONTACTS = 30


def write_leads(demo: Demo) -> None:
    demo.out.declare("leads", LEAD_COLUMNS)
    demo.out.declare("lead_contacts", CONTACT_COLUMNS)
    rng, every = demo.rng("leads"), intervals(demo)
    for lead_id, origin in enumerate(_origins(demo, rng), start=1):
        _lead(demo, rng, lead_id, origin, every)


def intervals(demo: Demo) -> dict[str, int]:
    """L-1: each class's follow-up interval in seconds, as core's rule gives it with the office's settings."""
    epoch = datetime.fromtimestamp(0, UTC)
    return {c.value: int((next_follow_up(c, epoch, demo.office) - epoch).total_seconds()) for c in LeadClass}


def _origins(demo: Demo, rng: Random) -> list[tuple]:
    """(created, customer_id, name, phone, incoming_call_id, callback_id, source) for every lead, by time."""
    people, pools, clock = demo.people, demo.pools, demo.clock
    sources, came = pools.text["lead_sources"], pools.text["lead_from"]
    origins = [(ts, None, name, phone, call_id, None, came["call"]) for ts, call_id, name, phone in demo.lead_calls]
    origins += [(ts, cid, people.name[cid], people.phone[cid], None, cb_id, came["callback"])
                for ts, cb_id, cid in demo.lead_callbacks]
    if len(origins) > demo.scale.leads:
        origins = rng.sample(origins, demo.scale.leads)
    for _ in range(demo.scale.leads - len(origins)):
        ts = clock.between(rng, clock.window_start(), clock.now - HOUR)
        origins.append((ts, None, pools.person(rng), pools.phone(rng), None, None, rng.choice(sources)))
    return sorted(origins, key=lambda o: (o[0], o[4] or 0, o[5] or 0))


def _lead(demo: Demo, rng: Random, lead_id: int, origin: tuple, every: dict[str, int]) -> None:
    created, cid, name, phone, call_id, cb_id, source = origin
    r = rng.random()
    lead_class = "ABC"[lead_id - 1] if lead_id <= 3 else next(c for p, c in CLASSES if r < p)
    specialist = demo.people.specialist[cid] if cid else SPECIALISTS[int(rng.random() * 4)]
    model = rng.choice(demo.pools.text["models"])
    contacts: list[tuple] = []
    status, lead_class, next_due = _follow_ups(demo, rng, lead_id, specialist, created, lead_class, model, every,
                                               contacts)
    demo.out.add("leads", (lead_id, cid, name, phone, lead_class, status, model[0], source, specialist,
                           next_due, call_id, cb_id, created, 1))
    for contact in contacts:  # after their lead: a chunk of contacts flushed next finds it written
        demo.out.add("lead_contacts", contact)


def _follow_ups(demo: Demo, rng: Random, lead_id: int, user: int, created: int, lead_class: str,
                model: tuple, every: dict[str, int], contacts: list[tuple]) -> tuple[str, str, int | None]:
    """L-1/L-2: dial at the class interval until a sale or a loss, each call's row appended to `contacts`;
    returns the status, the final class and the next follow-up (None once won or lost)."""
    clock, out = demo.clock, demo.out
    t = clock.forward(created + MINUTE + int(rng.random() * DAY))
    for _ in range(MAX_CONTACTS):
        behind = rng.random() < 0.06 and clock.now - t < BEHIND  # the specialist fell behind, lately
        if t > clock.now or behind:  # not yet due, or overdue by days
            return LeadStatus.OPEN.value, lead_class, max(t, created + MINUTE)
        result, amount, new_class = _result(rng, lead_class, model)
        contacts.append((out.next_id("lead_contacts"), lead_id, user, t, _channel(rng, result), result,
                         amount, new_class, _note(rng, demo) if result == R.TALKED.value else None))
        if result in (R.SALE.value, R.LOST.value):
            return (LeadStatus.WON if result == R.SALE.value else LeadStatus.LOST).value, lead_class, None
        lead_class = new_class or lead_class
        gap = every[lead_class] * (0.7 + 0.6 * rng.random())
        t = clock.forward(t + int(gap))
    return LeadStatus.OPEN.value, lead_class, t


def _result(rng: Random, lead_class: str, model: tuple) -> tuple[str, int | None, str | None]:
    r = rng.random()
    if r < SALE_CHANCE[lead_class]:
        _, _, low, high = model
        return R.SALE.value, rng.randrange(low, high + 1, 100) * 100, None
    if r < SALE_CHANCE[lead_class] + 0.04:
        return R.LOST.value, None, None
    r = rng.random()
    result = next(res for p, res in RESULTS if r < p)
    new_class = rng.choice("ABC") if result == R.TALKED.value and rng.random() < 0.1 else None
    return result, None, new_class if new_class != lead_class else None


def _channel(rng: Random, result: str) -> str:
    if result == R.APPOINTMENT.value and rng.random() < 0.3:
        return Channel.VISIT.value
    return Channel.WECHAT.value if rng.random() < 0.1 else Channel.PHONE.value


def _note(rng: Random, demo: Demo) -> str | None:
    return rng.choice(demo.pools.text["lead_notes"]) if rng.random() < 0.3 else None
