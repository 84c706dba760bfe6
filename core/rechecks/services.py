"""CB-4 re-check samples, use cases: draw a period's L2 and L3 samples from their populations (read here
from the database) and store them with one RECHECK callback per customer; drawing again creates nothing.
The populations and the draw are defined in core.rechecks.rules."""

from __future__ import annotations

from datetime import date, datetime
from random import Random

from sqlalchemy import Engine, func, insert, or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.errors import Forbidden
from core.lists import day_bounds_utc
from core.office.settings import load_office
from core.permissions import Action, Actor, allowed
from core.rechecks.queries import sample_rows
from core.rechecks.rules import (
    L2,
    L3,
    LEVELS,
    RATE_SETTING,
    RECHECKER,
    SLICES,
    SYSTEM,
    draw,
    due_window,
    period_of,
    pick,
    sample_size,
    seed_of,
)
from db.engine import session_scope
from db.enums import ArchiveValidity, AuditAction, CallbackKind, CallbackLevel, CallbackStatus
from db.models import Callback, Complaint, Customer, Product, RecheckSample, User, WorkOrder

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


def recheck_key(level: str, period: str, customer_id: int) -> str:
    """The source key of a sampled customer's RECHECK callback: one per level, period and customer
    (`recheck:L2:2026-W47:42`; the demo office uses it)."""
    return f"recheck:{level}:{period}:{customer_id}"


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
             "source_key": recheck_key(sample.level.value, sample.period, c), "created_at": now}
            for c in customer_ids])
    target = sample_size(sample.target_rate_pct, sample.population)
    after = {"period": sample.period, "level": sample.level, "seed": sample.seed, "population": sample.population,
             "target_rate_pct": sample.target_rate_pct, "sampled": len(customer_ids), "assignee_id": assignee}
    audit.record(s, actor, "recheck_sample", sample.id, AuditAction.CREATE, None, after, username=SYSTEM, at=now,
                 extra={"target": target, "shortfall": target - len(customer_ids)})
