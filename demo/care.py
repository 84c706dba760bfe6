"""Callbacks that follow from the customer archive (CB-2): the first call the day after an order
takes effect, the new-customer call within 7 days of delivery, birthday and holiday care. Windows,
keys and the grades cared for are core.scheduling's (the office's settings)."""

from __future__ import annotations

from datetime import date
from random import Random
from typing import TYPE_CHECKING

from core.scheduling.rules import birthday_in, birthday_key, first_call_key, holiday_key, new_customer_key
from demo.callbacks import Due
from demo.people import GRADES

if TYPE_CHECKING:
    from demo.build import Demo

AHEAD_DAYS = 14  # care calls already planned this far ahead of today


class ProductCalls:
    """Derives a product's callbacks as soon as the product is written."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.first_delay = demo.windows.first_call_delay_days
        self.new_customer_days = demo.windows.new_customer_window_days

    def __call__(self, rng: Random, pid: int) -> None:
        demo = self.demo
        clock, people = demo.clock, demo.people
        cid, delivery = people.product_customer[pid], people.product_delivery[pid]
        effective = people.product_effective[pid]
        if effective and effective + self.first_delay >= clock.start:
            due = effective + self.first_delay
            demo.calls.emit(rng, Due(cid, "first", clock.day_start(due), clock.day_end(due),
                                     first_call_key(pid), clock.office(rng, effective), product_id=pid))
        if delivery and delivery >= clock.start - 1:
            self._new_customer(rng, cid, pid, delivery)

    def _new_customer(self, rng: Random, cid: int, pid: int, delivery: int) -> None:
        """CB-2 within 7 days after delivery (CB-4 samples are drawn afterwards, by demo.recheck)."""
        demo, clock = self.demo, self.demo.clock
        demo.calls.emit(rng, Due(
            cid, "new_customer", clock.day_start(delivery + 1), clock.day_end(delivery + self.new_customer_days),
            new_customer_key(pid), clock.office(rng, delivery), product_id=pid,
        ))


def write_care(demo: Demo) -> None:
    """Birthday and holiday care (CB-2) for the grades the office cares for (C-2: key and VIP customers)."""
    rng, clock, people, w = demo.rng("care"), demo.clock, demo.people, demo.windows
    cared = {i for i, grade in enumerate(GRADES) if grade in w.care_grades}
    lead = w.holiday_lead_days
    holidays = holiday_days(demo.pools.text["holidays"], clock.start + lead, clock.today + AHEAD_DAYS)
    template = demo.pools.text["purpose"]["holiday"]
    for cid in range(1, people.customers + 1):
        if people.grade[cid] not in cared:
            continue
        if people.birthday[cid]:
            _birthday(demo, rng, cid)
        for day, name in holidays:
            demo.calls.emit(rng, Due(cid, "holiday", clock.day_start(day - lead), clock.day_end(day - 1),
                                     holiday_key(date.fromordinal(day), cid),
                                     clock.day_start(day - 10), purpose=template.format(name=name)))


def _birthday(demo: Demo, rng: Random, cid: int) -> None:
    clock = demo.clock
    born = date.fromordinal(demo.people.birthday[cid])
    for year in (date.fromordinal(clock.today).year - 1, date.fromordinal(clock.today).year):
        day = birthday_in(born, year).toordinal()
        if clock.start + 1 <= day <= clock.today + AHEAD_DAYS:
            demo.calls.emit(rng, Due(cid, "birthday", clock.day_start(day), clock.day_end(day),
                                     birthday_key(year, cid), clock.day_start(day - 7),
                                     purpose=demo.pools.text["purpose"]["birthday"]))


def holiday_days(holidays: dict, first: int, last: int) -> list[tuple[int, str]]:
    """The office's holidays (month, day) → name that fall in [first, last], as (ordinal, name)."""
    years = range(date.fromordinal(first).year, date.fromordinal(last).year + 1)
    days = [(date(y, m, d).toordinal(), name) for y in years for (m, d), name in holidays.items()]
    return sorted((day, name) for day, name in days if first <= day <= last)
