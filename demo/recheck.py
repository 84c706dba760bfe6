"""CB-4 re-check samples: each week the manager (L2) re-checks a sample of that week's delivered
and complaint customers, the director (L3) a sample of customers new and old.

A week's sample is drawn the Monday after it; its re-check calls (kind RECHECK) fall due in the window
core gives a sample drawn then (core.rechecks.rules.due_window), keyed as core keys them: one per level,
period and customer. Events are offered to `consider` as they are generated; populations are counted
as they come and written back at the end.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from random import Random
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from core.rechecks.rules import LEVELS, RATE_SETTING, due_window, period_of, recheck_key, seed_of
from demo.callbacks import Due
from demo.clock import OPEN_AT

if TYPE_CHECKING:
    from demo.build import Demo

SAMPLE_COLUMNS = ("id", "period", "level", "seed", "target_rate_pct", "population", "drawn_at")
DRAW_RATE = {"L2": 0.12, "L3": 0.06}  # drawn a little above the target rates so coverage is met


def monday(ordinal: int) -> int:
    """The Monday on or before a date ordinal (ordinal 1 is a Monday)."""
    return ordinal - (ordinal - 1) % 7


class Sample:
    """One stored sample while the office is generated: its row id, period, when it was drawn, the end of
    its calls' window, the events counted into its population and the customers drawn."""

    __slots__ = ("id", "period", "drawn", "end", "population", "customers")

    def __init__(self, sample_id: int, period: str, drawn: int, end: int) -> None:
        self.id, self.period, self.drawn, self.end = sample_id, period, drawn, end
        self.population = 0
        self.customers: set[int] = set()


class Recheck:
    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.samples: dict[tuple[int, str], Sample] = {}
        demo.out.declare("recheck_samples", SAMPLE_COLUMNS)
        clock, tz = demo.clock, demo.office.timezone
        for week in range(monday(clock.start), clock.today + 1, 7):
            drawn = clock.day_start(week + 7) + OPEN_AT
            if drawn > clock.now:
                continue
            period, first, last = period_of(date.fromordinal(week), "week")
            _, end = due_window(first, last, datetime.fromtimestamp(drawn, UTC), tz)
            for level in LEVELS:
                sample = Sample(demo.out.next_id("recheck_samples"), period, drawn, int(end.timestamp()))
                self.samples[(week, level.value)] = sample
                demo.out.add("recheck_samples", (sample.id, period, level.value, seed_of(period),
                                                 demo.setting(RATE_SETTING[level]), 0, drawn))

    def consider(self, rng: Random, level: str, customer_id: int, day: int, **refs) -> None:
        """Count an eligible event of `day` into its week's population; draw it into the sample at the rate
        (a customer already drawn into that sample is not called twice)."""
        sample = self.samples.get((monday(day), level))
        if sample is None:
            return
        sample.population += 1
        if rng.random() >= DRAW_RATE[level] or customer_id in sample.customers:
            return
        sample.customers.add(customer_id)
        purpose = self.demo.pools.text["purpose"][f"recheck_{level}"]
        self.demo.calls.emit(rng, Due(customer_id, "recheck", sample.drawn, sample.end,
                                      recheck_key(level, sample.period, customer_id), sample.drawn,
                                      level=level, sample_id=sample.id, purpose=purpose, **refs))

    def write_populations(self, conn: Connection) -> None:
        rows = [{"id": s.id, "population": s.population} for s in self.samples.values()]
        if rows:
            conn.execute(text("UPDATE recheck_samples SET population = :population WHERE id = :id"), rows)
