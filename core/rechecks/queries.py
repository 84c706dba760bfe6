"""CB-4 re-check samples, read side: the populations a period's samples are drawn from (one per group), the
stored samples and their coverage per group against the rates, for any period drawn (the rules are in
core.rechecks.rules)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, case, func, or_, select, union
from sqlalchemy.orm import Session

from core.lists import day_bounds_utc
from core.permissions import Action, Actor, require
from core.rechecks.rules import GROUPS, LEVELS, SLICES, sample_size
from db.engine import session_scope
from db.enums import ArchiveValidity, CallbackStatus, SampleGroup
from db.models import Callback, Complaint, Customer, Product, RecheckPopulation, RecheckSample, WorkOrder


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


def sampled_periods(engine: Engine, actor: Actor) -> list[str]:
    """The periods that have a stored sample, the latest first (what a coverage period picker offers).
    The re-checkers' view (VIEW_RECHECKS): Forbidden to anyone else."""
    require(actor, Action.VIEW_RECHECKS)
    with session_scope(engine) as s:
        return list(s.scalars(select(RecheckSample.period).distinct().order_by(RecheckSample.period.desc())))


def coverage(engine: Engine, actor: Actor, period_key: str) -> dict[str, dict]:
    """CB-4 coverage of a period's re-checks, per group ("delivered", "complained": L2; "customers": L3), each
    against its own rate. population: the group's customers the sample was drawn from; target: ceil(rate ×
    population); drawn_for: customers drawn for this group; sampled: the level's sampled customers who are in
    this group (one drawn for another group counts for this one too); completed: those called and completed;
    rate_done: completed ÷ sampled (None when nothing was sampled); achieved_pct: completed × 100 ÷ population,
    to hold against the rate (None when the population is empty). A group not drawn yet (or drawn before
    groups were stored) has drawn False and zeros. The re-checkers' view (VIEW_RECHECKS): Forbidden to anyone
    else."""
    require(actor, Action.VIEW_RECHECKS)
    with session_scope(engine) as s:
        rows = group_rows(s, period_key)
    return {g.value: {"level": level.value} | _coverage(rows.get(g.value)) for level in LEVELS for g in GROUPS[level]}


def group_rows(s: Session, period_key: str) -> dict[str, dict]:
    """A period's stored population per group: its size, how many were drawn for it, sampled and completed."""
    done = func.sum(case((Callback.status == CallbackStatus.COMPLETED, 1), else_=0))
    stmt = (select(RecheckPopulation.sample_group, RecheckSample.target_rate_pct,
                   func.count().label("population"),
                   func.sum(case((RecheckPopulation.drawn.is_(True), 1), else_=0)).label("drawn_for"),
                   func.count(Callback.id).label("sampled"), func.coalesce(done, 0).label("completed"))
            .join(RecheckSample, RecheckSample.id == RecheckPopulation.sample_id)
            .outerjoin(Callback, (Callback.sample_id == RecheckPopulation.sample_id)
                       & (Callback.customer_id == RecheckPopulation.customer_id))
            .where(RecheckSample.period == period_key)
            .group_by(RecheckPopulation.sample_group, RecheckSample.target_rate_pct))
    return {r.sample_group.value: {"target_rate_pct": r.target_rate_pct, "population": r.population,
                                   "drawn_for": int(r.drawn_for), "sampled": r.sampled, "completed": int(r.completed)}
            for r in s.execute(stmt)}


def _coverage(row: dict | None) -> dict:
    if row is None:
        return {"drawn": False, "drawn_for": 0, "sampled": 0, "completed": 0, "target": 0, "population": 0,
                "rate_pct": None, "rate_done": None, "achieved_pct": None}
    sampled, completed, population = row["sampled"], row["completed"], row["population"]
    return {"drawn": True, "drawn_for": row["drawn_for"], "sampled": sampled, "completed": completed,
            "population": population, "target": sample_size(row["target_rate_pct"], population),
            "rate_pct": row["target_rate_pct"], "rate_done": completed / sampled if sampled else None,
            "achieved_pct": completed * 100 / population if population else None}


def populations(s: Session, kind: str, start: date, end: date, tz: str) -> dict[SampleGroup, list[int]]:
    """The customers of each group of the period (core.rechecks.rules), sorted."""
    delivered, complained = _events(start, end, tz)
    return {SampleGroup.DELIVERED: sorted(s.scalars(delivered.distinct())),
            SampleGroup.COMPLAINED: sorted(s.scalars(complained.distinct())),
            SampleGroup.CUSTOMERS: l3_population(s, kind, start, end, tz)}


def _events(start: date, end: date, tz: str) -> list:
    lo, hi = day_bounds_utc(start, end, tz)
    return [select(Product.customer_id).where(Product.delivery_date >= start, Product.delivery_date <= end),
            select(Complaint.customer_id).where(Complaint.received_at >= lo, Complaint.received_at < hi)]


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
