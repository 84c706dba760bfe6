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

from sqlalchemy import Engine, case, func, insert, or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.clock import office_day
from core.errors import Forbidden
from core.listing import day_bounds_utc
from core.office import load_office
from core.permissions import Action, Actor, allowed
from db.engine import session_scope
from db.enums import ArchiveValidity, AuditAction, CallbackKind, CallbackLevel, CallbackStatus, Role
from db.models import Callback, Complaint, Customer, Product, RecheckSample, User, WorkOrder

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


# --- populations ------------------------------------------------------------------------------------

def _events(start: date, end: date, tz: str) -> list:
    lo, hi = day_bounds_utc(start, end, tz)
    return [select(Product.customer_id).where(Product.delivery_date >= start, Product.delivery_date <= end),
            select(Complaint.customer_id).where(Complaint.received_at >= lo, Complaint.received_at < hi)]


def l2_population(s: Session, start: date, end: date, tz: str) -> list[int]:
    """Customers delivered to or complaining in the period (uses the delivery and received-at indexes)."""
    return sorted(s.execute(union(*_events(start, end, tz))).scalars())


def l3_population(s: Session, kind: str, start: date, end: date, tz: str) -> list[int]:
    """Customers active in the period plus this period's slice of the archive, less invalid records."""
    lo, hi = day_bounds_utc(start, end, tz)
    took_in = select(WorkOrder.customer_id).where(WorkOrder.intake_at >= lo, WorkOrder.intake_at < hi)
    created = select(Customer.id).where(Customer.created_at >= lo, Customer.created_at < hi)
    active = union(*_events(start, end, tz), took_in, created).subquery()
    slices = SLICES[kind]
    slot = (start.isocalendar()[1] if kind == "week" else start.month) - 1
    stmt = select(Customer.id).where(Customer.validity != ArchiveValidity.INVALID,
                                     or_(Customer.id.in_(select(active.c[0])), Customer.id % slices == slot % slices))
    return sorted(s.execute(stmt).scalars())


# --- drawing and storing ----------------------------------------------------------------------------

def draw_period_samples(engine: Engine, actor: Actor | None, day: date, now: datetime,
                        tz: str) -> dict[str, dict]:
    """Draw (once) the L2 and L3 samples of the period holding `day`; returns the stored samples per level.
    `actor` None is the system; a person must be allowed to re-check (manager or director)."""
    if actor is not None and not any(allowed(actor.role, a) for a in (Action.RECHECK_L2, Action.RECHECK_L3)):
        raise Forbidden(action=Action.RECHECK_L2.value)
    office = load_office(engine)
    kind, rates = str(office.get("recheck.period")), {lv: int(office.get(RATE_SETTING[lv])) for lv in LEVELS}
    for attempt in range(3):  # two first draws racing: the loser hits the unique (period, level) and re-reads
        try:
            return _draw(engine, actor, period_of(day, kind), kind, rates, now, tz)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _draw(engine: Engine, actor: Actor | None, period: tuple[str, date, date], kind: str,
          rates: dict[CallbackLevel, int], now: datetime, tz: str) -> dict[str, dict]:
    key, start, end = period
    with session_scope(engine) as s:
        stored = sample_rows(s, key)
        if len(stored) == len(LEVELS):
            return stored
        pops = {L2: l2_population(s, start, end, tz), L3: l3_population(s, kind, start, end, tz)}
        seed = seed_of(key)
        chosen = dict(zip(LEVELS, draw(pops[L2], pops[L3], rates[L2], rates[L3], seed), strict=True))
        if L2 in stored:  # only L3 missing (written elsewhere): still never re-pick the stored L2 customers
            taken = frozenset(s.scalars(select(Callback.customer_id).where(Callback.sample_id == stored[L2]["id"])))
            chosen[L3] = pick(pops[L3], sample_size(rates[L3], len(pops[L3])), Random(seed), taken)
        window = due_window(start, end, now, tz)
        for level in (lv for lv in LEVELS if lv not in stored):
            _store(s, actor, RecheckSample(period=key, level=level, seed=seed, target_rate_pct=rates[level],
                                           population=len(pops[level]), drawn_at=now), chosen[level], window, now)
        drawn = sample_rows(s, key)
    return {lv: row | {"created": lv not in stored} for lv, row in drawn.items()}


def _store(s: Session, actor: Actor | None, sample: RecheckSample, customer_ids: list[int],
           window: tuple[datetime, datetime], now: datetime) -> None:
    """The sample row, one RECHECK callback per customer for the level's re-checker, one audit row."""
    s.add(sample)
    s.flush()
    assignee = s.scalar(select(func.min(User.id)).where(User.role == RECHECKER[sample.level], User.active.is_(True)))
    if customer_ids:
        s.execute(insert(Callback), [
            {"customer_id": c, "kind": CallbackKind.RECHECK, "level": sample.level, "status": CallbackStatus.OPEN,
             "due_start": window[0], "due_end": window[1], "assignee_id": assignee, "sample_id": sample.id,
             "source_key": f"recheck:{sample.level.value}:{sample.period}:{c}", "created_at": now}
            for c in customer_ids])
    target = sample_size(sample.target_rate_pct, sample.population)
    after = {"period": sample.period, "level": sample.level, "seed": sample.seed, "population": sample.population,
             "target_rate_pct": sample.target_rate_pct, "sampled": len(customer_ids), "assignee_id": assignee}
    audit.record(s, actor, "recheck_sample", sample.id, AuditAction.CREATE, None, after, username=SYSTEM, at=now,
                 extra={"target": target, "shortfall": target - len(customer_ids)})


def sample_rows(s: Session, period_key: str) -> dict[str, dict]:
    """The stored samples of a period per level, with how many customers were sampled and completed."""
    done = func.sum(case((Callback.status == CallbackStatus.COMPLETED, 1), else_=0))
    stmt = (select(RecheckSample.id, RecheckSample.period, RecheckSample.level, RecheckSample.seed,
                   RecheckSample.target_rate_pct, RecheckSample.population, RecheckSample.drawn_at,
                   func.count(Callback.id).label("sampled"), func.coalesce(done, 0).label("completed"))
            .outerjoin(Callback, Callback.sample_id == RecheckSample.id)
            .where(RecheckSample.period == period_key)
            .group_by(RecheckSample.id, RecheckSample.period, RecheckSample.level, RecheckSample.seed,
                      RecheckSample.target_rate_pct, RecheckSample.population, RecheckSample.drawn_at))
    return {r.level.value: {**dict(r), "level": r.level.value, "completed": int(r.completed), "created": False}
            for r in s.execute(stmt).mappings()}


def coverage(engine: Engine, period_key: str) -> dict[str, dict]:
    """CB-4 coverage of a period's re-checks, per level ("L2", "L3"). population: customers the sample was
    drawn from; target: ceil(rate × population); sampled: RECHECK callbacks drawn; completed: those called
    and completed; rate_done: completed ÷ sampled (None when nothing was sampled); achieved_pct: completed
    × 100 ÷ population, to hold against the rate (None when the population is empty). A level not drawn
    yet has drawn False and zeros."""
    with session_scope(engine) as s:
        rows = sample_rows(s, period_key)
    return {lv.value: _coverage(rows.get(lv.value)) for lv in LEVELS}


def _coverage(row: dict | None) -> dict:
    if row is None:
        return {"drawn": False, "sampled": 0, "completed": 0, "target": 0, "population": 0, "rate_pct": None,
                "rate_done": None, "achieved_pct": None}
    sampled, completed, population = row["sampled"], row["completed"], row["population"]
    return {"drawn": True, "sampled": sampled, "completed": completed, "population": population,
            "target": sample_size(row["target_rate_pct"], population), "rate_pct": row["target_rate_pct"],
            "rate_done": completed / sampled if sampled else None,
            "achieved_pct": completed * 100 / population if population else None}
