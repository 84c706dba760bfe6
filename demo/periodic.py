"""Periodic callbacks (CB-2): questionnaire, maintenance reminder, after-sales and expansion calls,
month by month, filling the callbacks up to the requested number.

Each (kind, month) slot visits customers along a fixed stride through all ids, so no customer
gets the same kind twice in a month and the source keys stay unique without remembering them.
The keys (`questionnaire:202611:customer:42`) are the demo's own: these are not campaigns
(core.scheduling.campaigns keys a named campaign with one window for all its customers, and plans only
questionnaire and maintenance calls), and nothing in the app looks them up.
"""

from __future__ import annotations

from datetime import date
from math import gcd
from random import Random
from typing import TYPE_CHECKING

from demo.callbacks import COMPLETED, Due

if TYPE_CHECKING:
    from demo.build import Demo

KINDS = (("questionnaire", 30), ("maintenance", 25), ("after_sales", 25), ("expansion", 20))
LEAD_KINDS = ("after_sales", "expansion")  # CB-7: wants other products → a lead
LEAD_SHARE = 0.3  # of the leads, how many began on such a call
AHEAD_DAYS = 20


def months(first: int, last: int) -> list[tuple[int, int]]:
    """(first day, last day) ordinals of each calendar month touching [first, last], clipped to it."""
    out, day = [], first
    while day <= last:
        d = date.fromordinal(day)
        following = date(d.year + d.month // 12, d.month % 12 + 1, 1).toordinal()
        out.append((day, min(following - 1, last)))
        day = following
    return out


def write_periodic(demo: Demo) -> None:
    """Fill up to `scale.callbacks`, shared among the kinds by weight and spread over the months;
    a few of each kind and month even when the derived callbacks already reach the number asked."""
    clock, n = demo.clock, demo.people.customers
    if n == 0:
        return
    slots = [(kind, weight, month) for kind, weight in KINDS
             for month in months(clock.start, clock.today + AHEAD_DAYS)]
    remaining = max(demo.scale.callbacks - demo.out.sinks["callbacks"].last_id, 2 * len(slots))
    rng = demo.rng("periodic")
    total_weight = sum(weight for _, weight, _ in slots)
    lead_calls = remaining * 0.45 * 0.8
    to_lead = min(1.0, LEAD_SHARE * demo.scale.leads / max(1.0, lead_calls))
    for kind, weight, month in slots:
        quota = min(n, round(remaining * weight / total_weight))
        stride, offset = _stride(rng, n), rng.randrange(n)
        period = date.fromordinal(month[0]).strftime("%Y%m")
        for k in range(quota):
            cid = 1 + (offset + k * stride) % n
            _periodic(demo, rng, kind, month, period, cid, to_lead)


def _stride(rng: Random, n: int) -> int:
    """A step coprime to n, so that k * step visits every customer once before repeating."""
    while True:
        step = rng.randrange(1, max(2, n))
        if gcd(step, n) == 1:
            return step


def _periodic(demo: Demo, rng: Random, kind: str, month: tuple[int, int], period: str, cid: int,
              to_lead: float) -> None:
    clock, people, text = demo.clock, demo.people, demo.pools.text
    day = month[0] + int(rng.random() * (month[1] - month[0] + 1))
    pid = people.first_product[cid] if kind == "maintenance" else None
    purpose = text["purpose"]["maintenance"].format(km=5000 * rng.randint(1, 12)) if pid else None
    cb_id, status, done = demo.calls.emit(rng, Due(
        cid, kind, clock.day_start(day), clock.day_end(day + 6), f"{kind}:{period}:customer:{cid}",
        clock.day_start(day - 7), product_id=pid, purpose=purpose,
    ))
    if kind in LEAD_KINDS and status == COMPLETED and rng.random() < to_lead:
        demo.lead_callbacks.append((done, cb_id, cid))
