"""CB-4 re-check samples: each week the manager (L2) re-checks a sample of that week's delivered
and complaint customers, the director (L3) a sample of customers new and old.

A week's sample is drawn the Monday after it; its re-check calls (kind RECHECK) fall due
that week. Events are offered to `consider` as they are generated; populations are counted
as they come and written back at the end.
"""

from __future__ import annotations

from datetime import date
from random import Random
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from demo.callbacks import Due
from demo.clock import HOUR, MINUTE

if TYPE_CHECKING:
    from demo.build import Demo

SAMPLE_COLUMNS = ("id", "period", "level", "seed", "target_rate_pct", "population", "drawn_at")
TARGET_PCT = {"L2": 10, "L3": 5}  # recheck.l2_rate_pct, recheck.l3_rate_pct
DRAW_RATE = {"L2": 0.12, "L3": 0.06}  # drawn a little above target so coverage is met


def monday(ordinal: int) -> int:
    """The Monday on or before a date ordinal (ordinal 1 is a Monday)."""
    return ordinal - (ordinal - 1) % 7


class Recheck:
    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.samples: dict[tuple[int, str], list] = {}
        demo.out.declare("recheck_samples", SAMPLE_COLUMNS)
        clock = demo.clock
        for week in range(monday(clock.start), clock.today + 1, 7):
            drawn = clock.day_start(week + 7) + 8 * HOUR + 30 * MINUTE
            if drawn > clock.now:
                continue
            year, number, _ = date.fromordinal(week).isocalendar()
            for level in ("L2", "L3"):
                sample_id = demo.out.next_id("recheck_samples")
                self.samples[(week, level)] = [sample_id, 0, drawn]
                demo.out.add("recheck_samples", (sample_id, f"{year}-W{number:02d}", level,
                                                 demo.seed * 1000 + sample_id, TARGET_PCT[level], 0, drawn))

    def consider(self, rng: Random, level: str, customer_id: int, day: int, key: str, **refs) -> None:
        """Count an eligible event of `day` into its week's population; draw it into the sample at the rate."""
        week = monday(day)
        sample = self.samples.get((week, level))
        if sample is None:
            return
        sample[1] += 1
        if rng.random() >= DRAW_RATE[level]:
            return
        start, end = sample[2], self.demo.clock.day_end(week + 13)
        purpose = self.demo.pools.text["purpose"][f"recheck_{level}"]
        self.demo.calls.emit(rng, Due(customer_id, "recheck", start, end, f"recheck:{level}:{key}", start,
                                      level=level, sample_id=sample[0], purpose=purpose, **refs))

    def write_populations(self, conn: Connection) -> None:
        rows = [{"id": s[0], "population": s[1]} for s in self.samples.values()]
        if rows:
            conn.execute(text("UPDATE recheck_samples SET population = :population WHERE id = :id"), rows)
