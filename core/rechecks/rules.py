"""CB-4 re-check samples: each period (an ISO week or a calendar month, setting `recheck.period`) the
system draws, reproducibly, the customers the manager re-checks (L2, at least `recheck.l2_rate_pct` %)
and the director re-checks (L3, at least `recheck.l3_rate_pct` %), and reports the coverage.

Populations, over the period's office-local days, one per group (each group has its own rate):
- L2, two groups, the rule's words and nothing more (000 §4): customers with a product delivered in the
  period (Product.delivery_date), and customers with a complaint received in it (Complaint.received_at).
- L3 ("customers, new and old, aiming at loyalty"), one group: customers active in the period (a product
  delivered, a complaint received, a work order taken in, or the record created) plus a rotating slice of the
  whole archive: customers whose id ≡ slot (mod 52 for weeks, mod 12 for months), the slot being the period's
  number. So every customer, quiet old ones too, is in the L3 population once a year, and 5% of each
  period's population comes to at least 5% of all customers a year — without making the director call
  5% of 300k customers (15,000 calls) every week. Customers whose archive is marked invalid (C-3, wrong
  number) are left out of L3: there is nobody to re-check.

The draw, per group in a fixed order (delivered, complained, then L3's customers), with one
random.Random(seed) from the sorted group: each group's sample holds at least ceil(rate × group size) of its
customers. A customer in two groups (delivered to and complaining) is re-checked once and counts for both:
the complaint group first counts the customers of it already drawn for the delivered group, then draws only
what is still missing, from those not drawn yet. Each sampled customer is stored with the group it was
drawn for. L3 never picks a customer already in L2 (the manager re-checks them); if too few remain, L3 takes
them all and the shortfall shows in the audit row and in `coverage`. The seed is derived from the period
key, and what was drawn is stored (RecheckSample, its population per group with the group each sampled
customer was drawn for, and one RECHECK callback per customer), so drawing again returns the stored sample
unchanged and creates nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from random import Random

from core.clock import office_day
from core.lists import day_bounds_utc
from db.enums import CallbackLevel, Role, SampleGroup

L2, L3 = CallbackLevel.L2, CallbackLevel.L3
LEVELS = (L2, L3)
RECHECKER = {L2: Role.MANAGER, L3: Role.DIRECTOR}  # CB-1
RATE_SETTING = {L2: "recheck.l2_rate_pct", L3: "recheck.l3_rate_pct"}
SLICES = {"week": 52, "month": 12}  # L3's rotating slice: every customer once a year
SYSTEM = "recheck"
GROUPS = {L2: (SampleGroup.DELIVERED, SampleGroup.COMPLAINED), L3: (SampleGroup.CUSTOMERS,)}  # in drawing order


# --- pure rules -------------------------------------------------------------------------------------

def period_of(day: date, period_kind: str) -> tuple[str, date, date]:
    """The period holding `day`: ("2026-W47", Monday, Sunday) by ISO week, or ("2026-11", 1st, last day)."""
    if period_kind == "week":
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", start, start + timedelta(days=6)
    if period_kind == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return f"{day.year}-{day.month:02d}", start, following - timedelta(days=1)
    raise ValueError(f"unknown period kind {period_kind!r}")


def seed_of(period_key: str) -> int:
    """A stable seed per period: the first 32 bits of the key's SHA-256."""
    return int(hashlib.sha256(period_key.encode()).hexdigest()[:8], 16)


def sample_size(rate_pct: int, population: int) -> int:
    """CB-4 "at least": ceil(rate % × population), so the sample never falls below the rate."""
    return max(0, -(-rate_pct * population // 100))


def pick(population: list[int], size: int, rng: Random, exclude: frozenset[int] = frozenset()) -> list[int]:
    """`size` ids from the sorted population less `exclude` (all of them if fewer remain), sorted."""
    eligible = [c for c in sorted(set(population)) if c not in exclude]
    return sorted(rng.sample(eligible, min(size, len(eligible))))


def draw_groups(groups: dict[SampleGroup, list[int]], rate_pct: int, rng: Random,
                exclude: frozenset[int] = frozenset()) -> dict[SampleGroup, list[int]]:
    """CB-4, one level: each group in turn gets at least ceil(rate × its size) of its customers in the sample.
    Those already drawn for an earlier group count for this one too; only the rest is drawn, from customers not
    drawn yet and not in `exclude`. Returns the customers drawn for each group (disjoint)."""
    drawn: dict[SampleGroup, list[int]] = {}
    taken: set[int] = set()
    for group, population in groups.items():
        members = set(population)
        missing = max(0, sample_size(rate_pct, len(members)) - len(members & taken))
        drawn[group] = pick(population, missing, rng, exclude | taken)
        taken.update(drawn[group])
    return drawn


def draw(populations: dict[SampleGroup, list[int]], rates: dict[CallbackLevel, int],
         seed: int) -> dict[SampleGroup, list[int]]:
    """CB-4: the customers drawn for each group, L2's groups first, then L3 from its population less L2's
    sample; the same populations, rates and seed always give the same draw."""
    rng, drawn = Random(seed), {}
    for level in LEVELS:
        groups = {g: populations.get(g, []) for g in GROUPS[level]}
        drawn |= draw_groups(groups, rates[level], rng, frozenset(c for ids in drawn.values() for c in ids))
    return drawn


def sampled(drawn: dict[SampleGroup, list[int]], level: CallbackLevel) -> list[int]:
    """The level's sample: everyone drawn for one of its groups, sorted."""
    return sorted(c for g in GROUPS[level] for c in drawn.get(g, []))


def population_rows(groups: dict[SampleGroup, list[int]],
                    drawn: dict[SampleGroup, list[int]]) -> list[tuple[SampleGroup, int, bool]]:
    """What a level's sample was drawn from, as it is stored: (group, customer, drawn for this group), one per
    group and customer of the group."""
    return [(g, c, c in chosen) for g, members in groups.items()
            for chosen in (frozenset(drawn.get(g, ())),) for c in sorted(set(members))]


def shortfall(groups: dict[SampleGroup, list[int]], sample: list[int], rate_pct: int) -> dict[str, int]:
    """Per group, how many customers the sample is short of ceil(rate × group size) (0 when it is met)."""
    taken = set(sample)
    return {g.value: max(0, sample_size(rate_pct, len(set(m))) - len(taken & set(m))) for g, m in groups.items()}


def due_window(start: date, end: date, now: datetime, tz: str) -> tuple[datetime, datetime]:
    """The period's remaining office days, from today (or its first day) to the last second of its last
    day; a period already over (drawn late) gets a period's length from today."""
    today = office_day(now, tz)
    first, last = (today, today + (end - start)) if today > end else (max(today, start), end)
    lo, hi = day_bounds_utc(first, last, tz)
    return lo.astimezone(UTC), (hi - timedelta(seconds=1)).astimezone(UTC)


def recheck_key(level: str, period: str, customer_id: int) -> str:
    """The source key of a sampled customer's RECHECK callback: one per level, period and customer
    (`recheck:L2:2026-W47:42`; the demo office uses it)."""
    return f"recheck:{level}:{period}:{customer_id}"
