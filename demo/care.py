"""Callbacks that follow from the customer archive (CB-2): the first call the day after an order
takes effect, the new-customer call within 7 days of delivery, birthday and holiday care."""

from __future__ import annotations

from datetime import date
from random import Random
from typing import TYPE_CHECKING

from demo.callbacks import COMPLETED, Due
from demo.people import NORMAL

if TYPE_CHECKING:
    from demo.build import Demo

FIRST_DELAY_DAYS = 1  # callback.first_call_delay_days
NEW_CUSTOMER_DAYS = 7  # callback.new_customer_window_days
AHEAD_DAYS = 14  # care calls already planned this far ahead of today


class ProductCalls:
    """Derives a product's callbacks as soon as the product is written."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo

    def __call__(self, rng: Random, pid: int) -> None:
        demo = self.demo
        clock, people = demo.clock, demo.people
        cid, delivery = people.product_customer[pid], people.product_delivery[pid]
        effective = people.product_effective[pid]
        if effective and effective + FIRST_DELAY_DAYS >= clock.start:
            due = effective + FIRST_DELAY_DAYS
            demo.calls.emit(rng, Due(cid, "first", clock.day_start(due), clock.day_end(due),
                                     f"first:product:{pid}", clock.office(rng, effective), product_id=pid))
        if delivery and delivery >= clock.start - 1:
            self._new_customer(rng, cid, pid, delivery)

    def _new_customer(self, rng: Random, cid: int, pid: int, delivery: int) -> None:
        """CB-2 within 7 days after delivery; CB-4 samples delivered customers (L2) and new ones (L3)."""
        demo, clock = self.demo, self.demo.clock
        key = f"product:{pid}"
        _, status, _ = demo.calls.emit(rng, Due(
            cid, "new_customer", clock.day_start(delivery + 1), clock.day_end(delivery + NEW_CUSTOMER_DAYS),
            f"new_customer:{key}", clock.office(rng, delivery), product_id=pid,
        ))
        demo.recheck.consider(rng, "L2", cid, delivery, key, product_id=pid)
        if status == COMPLETED:
            demo.recheck.consider(rng, "L3", cid, delivery, key, product_id=pid)


def write_care(demo: Demo) -> None:
    """Birthday and holiday care (CB-2) for key and VIP customers (C-2: key customers get priority)."""
    rng, clock, people = demo.rng("care"), demo.clock, demo.people
    holidays = holiday_days(demo.pools.text["holidays"], clock.start + 3, clock.today + AHEAD_DAYS)
    template = demo.pools.text["purpose"]["holiday"]
    for cid in range(1, people.customers + 1):
        if people.grade[cid] == NORMAL:
            continue
        if people.birthday[cid]:
            _birthday(demo, rng, cid)
        for day, name in holidays:
            demo.calls.emit(rng, Due(cid, "holiday", clock.day_start(day - 3), clock.day_end(day - 1),
                                     f"holiday:{date.fromordinal(day).isoformat()}:customer:{cid}",
                                     clock.day_start(day - 10), purpose=template.format(name=name)))


def _birthday(demo: Demo, rng: Random, cid: int) -> None:
    clock = demo.clock
    born = date.fromordinal(demo.people.birthday[cid])
    for year in (date.fromordinal(clock.today).year - 1, date.fromordinal(clock.today).year):
        day = _anniversary(born, year)
        if clock.start + 1 <= day <= clock.today + AHEAD_DAYS:
            demo.calls.emit(rng, Due(cid, "birthday", clock.day_start(day), clock.day_end(day),
                                     f"birthday:{year}:customer:{cid}", clock.day_start(day - 7),
                                     purpose=demo.pools.text["purpose"]["birthday"]))


def _anniversary(born: date, year: int) -> int:
    day = 28 if (born.month, born.day) == (2, 29) else born.day
    return date(year, born.month, day).toordinal()


def holiday_days(holidays: dict, first: int, last: int) -> list[tuple[int, str]]:
    """The office's holidays (month, day) → name that fall in [first, last], as (ordinal, name)."""
    years = range(date.fromordinal(first).year, date.fromordinal(last).year + 1)
    days = [(date(y, m, d).toordinal(), name) for y in years for (m, d), name in holidays.items()]
    return sorted((day, name) for day, name in days if first <= day <= last)
