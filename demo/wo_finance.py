"""Finance's weeks for the demo's work orders (WO-8): a paid order reaches finance in the week it was accepted
(core.work_orders.rules.finance_week); finance signs a week off on the Tuesday after it, which settles the
week's accepted paid orders, each invoiced first. The current week, and on Mondays the last one too, are
still unsigned, with accepted paid orders waiting in them."""

from __future__ import annotations

from random import Random
from typing import TYPE_CHECKING

from demo.clock import DAY, HOUR
from demo.people import FINANCE
from demo.recheck import monday

if TYPE_CHECKING:
    from demo.build import Demo

BATCH_COLUMNS = ("id", "week_start", "signed_by_id", "signed_at")
SIGNS_AFTER = 8 * DAY + 10 * HOUR  # from the week's Monday: the next Tuesday, 10:00 office time
INVOICED_WAITING = 0.5  # share of a waiting week's paid orders finance has already invoiced
SMALL_FEE = 30_000  # cents: WO-8 a small fee is often collected on site


class Weeks:
    """The finance batches written, by the Monday (date ordinal) of their week: (id, signed at or None)."""

    def __init__(self, demo: Demo) -> None:
        demo.out.declare("finance_batches", BATCH_COLUMNS)
        self.clock = demo.clock
        self.batches: dict[int, tuple[int, int | None]] = {}
        for week in range(monday(self.clock.start), self.clock.today + 1, 7):
            signed = self.clock.day_start(week) + SIGNS_AFTER
            signed = signed if signed <= self.clock.now else None
            self.batches[week] = (demo.out.next_id("finance_batches"), signed)
            demo.out.add("finance_batches", (self.batches[week][0], week, FINANCE if signed else None, signed))

    def of(self, accepted: int) -> tuple[int, int | None]:
        """WO-8: the batch of the week the order was accepted in (office time) and when it was signed."""
        return self.batches[monday(self.clock.day_of(accepted))]


def fee(rng: Random) -> tuple[int, bool]:
    """WO-8: the fee in cents and whether it was collected on site (small fees mostly are)."""
    cents = (80 + int(rng.random() * 2920)) * 100
    return cents, cents <= SMALL_FEE and rng.random() < 0.7


def invoice_no(number: str) -> str:
    return f"INV{number[2:]}"


def invoiced_at(rng: Random, accepted: int, until: int | None) -> int | None:
    """When finance entered the invoice number, between the acceptance and `until` (the week's sign-off, or
    now for a waiting order already invoiced); None: not invoiced yet."""
    if until is None:
        return None
    return accepted + max(1, int((until - accepted) * (0.1 + 0.8 * rng.random())))
