"""CB-4 re-check samples: each week the manager (L2) re-checks a sample of that week's delivered and
complaining customers, the director (L3) a sample of customers new and old.

The samples are core's own: once every other part of the office is written, each week's groups are read back
with core's population queries (so a stored population is a recount of the office's rows) and drawn with
core's draw (core.rechecks.rules: each group to its rate, the period's seed), the Monday after the week.
What a sample was drawn from is stored as core stores it (population_rows), and its re-check calls (kind
RECHECK) fall due in the window core gives a sample drawn then (due_window), keyed as core keys them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from core.rechecks import rules
from core.rechecks.queries import populations
from core.rechecks.rules import GROUPS, LEVELS, RATE_SETTING, period_of, seed_of
from demo.callbacks import Due
from demo.clock import OPEN_AT

if TYPE_CHECKING:
    from demo.build import Demo

SAMPLE_COLUMNS = ("id", "period", "level", "seed", "target_rate_pct", "population", "drawn_at")
POPULATION_COLUMNS = ("sample_id", "sample_group", "customer_id", "drawn")
PERIOD = "week"


def monday(ordinal: int) -> int:
    """The Monday on or before a date ordinal (ordinal 1 is a Monday)."""
    return ordinal - (ordinal - 1) % 7


def write_rechecks(demo: Demo) -> None:
    """Draw and write every week's samples that were due by now (the Monday after the week, at opening)."""
    clock, tz, out = demo.clock, demo.office.timezone, demo.out
    out.declare("recheck_samples", SAMPLE_COLUMNS)
    out.declare("recheck_population", POPULATION_COLUMNS)
    rates = {level: demo.setting(RATE_SETTING[level]) for level in LEVELS}
    weeks = [w for w in range(monday(clock.start), clock.today + 1, 7)
             if clock.day_start(w + 7) + OPEN_AT <= clock.now]
    with Session(out.conn) as s:  # every other part is committed: read the weeks' groups back
        groups = {w: populations(s, PERIOD, *period_of(date.fromordinal(w), PERIOD)[1:], tz) for w in weeks}
    rng = demo.rng("recheck")
    for week in weeks:
        period, first, last = period_of(date.fromordinal(week), PERIOD)
        drawn_at = clock.day_start(week + 7) + OPEN_AT
        chosen = rules.draw(groups[week], rates, seed_of(period))
        _, end = rules.due_window(first, last, datetime.fromtimestamp(drawn_at, UTC), tz)
        for level in LEVELS:
            level_groups = {g: groups[week][g] for g in GROUPS[level]}
            sample_id = out.next_id("recheck_samples")
            out.add("recheck_samples", (sample_id, period, level.value, seed_of(period), rates[level],
                                        len(set().union(*level_groups.values())), drawn_at))
            for group, customer_id, drawn in rules.population_rows(level_groups, chosen):
                out.add("recheck_population", (sample_id, group.value, customer_id, drawn))
            purpose = demo.pools.text["purpose"][f"recheck_{level.value}"]
            for customer_id in rules.sampled(chosen, level):
                demo.calls.emit(rng, Due(customer_id, "recheck", drawn_at, int(end.timestamp()),
                                         rules.recheck_key(level.value, period, customer_id), drawn_at,
                                         level=level.value, sample_id=sample_id, purpose=purpose))
