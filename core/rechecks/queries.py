"""CB-4 re-check samples, read side: a period's stored samples and their coverage against the rates
(the rules are in core.rechecks.rules)."""

from __future__ import annotations

from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from core.rechecks.rules import LEVELS, sample_size
from db.engine import session_scope
from db.enums import CallbackStatus
from db.models import Callback, RecheckSample


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
