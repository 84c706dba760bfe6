"""CB-4 re-check samples, use cases: draw a period's L2 and L3 samples from their populations (read
by core.rechecks.queries) and store them with one RECHECK callback per customer; drawing again creates nothing.
The populations and the draw are defined in core.rechecks.rules."""

from __future__ import annotations

from datetime import date, datetime
from random import Random

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.errors import Forbidden
from core.office.settings import load_office
from core.permissions import Action, Actor, allowed
from core.rechecks.queries import l2_population, l3_population, sample_rows
from core.rechecks.rules import (
    L2,
    L3,
    LEVELS,
    RATE_SETTING,
    RECHECKER,
    SYSTEM,
    draw,
    due_window,
    period_of,
    pick,
    recheck_key,
    sample_size,
    seed_of,
)
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, CallbackLevel, CallbackStatus
from db.models import Callback, RecheckSample, User

# --- populations ------------------------------------------------------------------------------------


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
             "source_key": recheck_key(sample.level.value, sample.period, c), "created_at": now}
            for c in customer_ids])
    target = sample_size(sample.target_rate_pct, sample.population)
    after = {"period": sample.period, "level": sample.level, "seed": sample.seed, "population": sample.population,
             "target_rate_pct": sample.target_rate_pct, "sampled": len(customer_ids), "assignee_id": assignee}
    audit.record(s, actor, "recheck_sample", sample.id, AuditAction.CREATE, None, after, username=SYSTEM, at=now,
                 extra={"target": target, "shortfall": target - len(customer_ids)})
