"""CB-4 re-check samples, read side: the populations a period's samples are drawn from, the stored samples
and their coverage against the rates (the rules are in core.rechecks.rules)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, case, func, or_, select, union
from sqlalchemy.orm import Session

from core.lists import day_bounds_utc
from core.permissions import Action, Actor, require
from core.rechecks.rules import (
    LEVELS,
    SLICES,
    sample_size,
)
from db.engine import session_scope
from db.enums import ArchiveValidity, CallbackStatus
from db.models import Callback, Complaint, Customer, Product, RecheckSample, WorkOrder


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


def coverage(engine: Engine, actor: Actor, period_key: str) -> dict[str, dict]:
    """CB-4 coverage of a period's re-checks, per level ("L2", "L3"). population: customers the sample was
    drawn from; target: ceil(rate × population); sampled: RECHECK callbacks drawn; completed: those called
    and completed; rate_done: completed ÷ sampled (None when nothing was sampled); achieved_pct: completed
    × 100 ÷ population, to hold against the rate (None when the population is empty). A level not drawn
    yet has drawn False and zeros. The re-checkers' view (VIEW_RECHECKS): Forbidden to anyone else."""
    require(actor, Action.VIEW_RECHECKS)
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
