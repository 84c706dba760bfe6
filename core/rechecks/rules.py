"""CB-4 re-check samples: each period (an ISO week or a calendar month, setting `recheck.period`) the
system draws, reproducibly, the customers the manager re-checks (L2, at least `recheck.l2_rate_pct` %)
and the director re-checks (L3, at least `recheck.l3_rate_pct` %), and reports the coverage.

Populations, over the period's office-local days:
- L2: customers with a product delivered in the period (Product.delivery_date) plus customers with a
  complaint received in it (Complaint.received_at) — the rule's words, nothing more.
- L3 ("customers, new and old, aiming at loyalty"): customers active in the period (a product delivered,
  a complaint received, a work order taken in, or the record created) plus a rotating slice of the whole
  archive: customers whose id ≡ slot (mod 52 for weeks, mod 12 for months), the slot being the period's
  number. So every customer, quiet old ones too, is in the L3 population once a year, and 5% of each
  period's population comes to at least 5% of all customers a year — without making the director call
  5% of 300k customers (15,000 calls) every week. Customers whose archive is marked invalid (C-3, wrong
  number) are left out of L3: there is nobody to re-check.

Sample size is ceil(rate × population), drawn with random.Random(seed) from the sorted population; L2 is
drawn first and L3 never picks a customer already in L2 (if too few remain, L3 takes them all and the
shortfall shows in the audit row and in `coverage`). The seed is derived from the period key, and the
drawn sample is stored (RecheckSample + one RECHECK callback per customer), so drawing again returns the
stored sample unchanged and creates nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from random import Random

from core.clock import office_day
from core.lists import day_bounds_utc
from db.enums import CallbackLevel, Role

L2, L3 = CallbackLevel.L2, CallbackLevel.L3
LEVELS = (L2, L3)
RECHECKER = {L2: Role.MANAGER, L3: Role.DIRECTOR}  # CB-1
RATE_SETTING = {L2: "recheck.l2_rate_pct", L3: "recheck.l3_rate_pct"}
SLICES = {"week": 52, "month": 12}  # L3's rotating slice: every customer once a year
SYSTEM = "recheck"


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


def draw(population_l2: list[int], population_l3: list[int], l2_rate_pct: int, l3_rate_pct: int,
         seed: int) -> tuple[list[int], list[int]]:
    """CB-4: L2 first, then L3 from its population less L2; the same inputs always give the same sample."""
    rng = Random(seed)
    l2 = pick(population_l2, sample_size(l2_rate_pct, len(set(population_l2))), rng)
    l3 = pick(population_l3, sample_size(l3_rate_pct, len(set(population_l3))), rng, frozenset(l2))
    return l2, l3


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
