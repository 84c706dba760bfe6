"""CB-4 re-check samples, use cases: draw a period's L2 and L3 samples from their populations, one per group
(read by core.rechecks.queries), and store them with what they were drawn from and one RECHECK callback per
customer; drawing again creates nothing. The populations and the draw are defined in core.rechecks.rules."""

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
from core.rechecks.queries import populations, sample_rows
from core.rechecks.rules import (
    GROUPS,
    L2,
    L3,
    LEVELS,
    RATE_SETTING,
    RECHECKER,
    SYSTEM,
    draw,
    draw_groups,
    due_window,
    period_of,
    population_rows,
    recheck_key,
    sampled,
    seed_of,
    shortfall,
)
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, CallbackLevel, CallbackStatus, SampleGroup
from db.models import Callback, RecheckPopulation, RecheckSample, User

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
        pops, seed = populations(s, kind, start, end, tz), seed_of(key)
        drawn = draw(pops, rates, seed)
        for have, missing in ((L2, L3), (L3, L2)):  # one level stored elsewhere: the other never re-picks its customers
            if have in stored and missing not in stored:
                taken = frozenset(s.scalars(select(Callback.customer_id)
                                            .where(Callback.sample_id == stored[have]["id"])))
                drawn |= draw_groups({g: pops[g] for g in GROUPS[missing]}, rates[missing], Random(seed), taken)
        window = due_window(start, end, now, tz)
        for level in (lv for lv in LEVELS if lv not in stored):
            groups = {g: pops[g] for g in GROUPS[level]}
            sample = RecheckSample(period=key, level=level, seed=seed, target_rate_pct=rates[level],
                                   population=len(set().union(*groups.values())), drawn_at=now)
            _store(s, actor, sample, groups, drawn, window, now)
        drawn_rows = sample_rows(s, key)
    return {lv: row | {"created": lv not in stored} for lv, row in drawn_rows.items()}


def _store(s: Session, actor: Actor | None, sample: RecheckSample, groups: dict[SampleGroup, list[int]],
           drawn: dict[SampleGroup, list[int]], window: tuple[datetime, datetime], now: datetime) -> None:
    """The sample row, what it was drawn from, one RECHECK callback per customer for the level's re-checker,
    one audit row."""
    s.add(sample)
    s.flush()
    customer_ids = sampled(drawn, sample.level)
    assignee = s.scalar(select(func.min(User.id)).where(User.role == RECHECKER[sample.level], User.active.is_(True)))
    if customer_ids:
        s.execute(insert(Callback), [
            {"customer_id": c, "kind": CallbackKind.RECHECK, "level": sample.level, "status": CallbackStatus.OPEN,
             "due_start": window[0], "due_end": window[1], "assignee_id": assignee, "sample_id": sample.id,
             "source_key": recheck_key(sample.level.value, sample.period, c), "created_at": now}
            for c in customer_ids])
    members = population_rows(groups, drawn)
    if members:
        s.execute(insert(RecheckPopulation), [{"sample_id": sample.id, "sample_group": g, "customer_id": c,
                                               "drawn": d} for g, c, d in members])
    short = shortfall(groups, customer_ids, sample.target_rate_pct)
    after = {"period": sample.period, "level": sample.level, "seed": sample.seed, "population": sample.population,
             "target_rate_pct": sample.target_rate_pct, "sampled": len(customer_ids), "assignee_id": assignee}
    audit.record(s, actor, "recheck_sample", sample.id, AuditAction.CREATE, None, after, username=SYSTEM, at=now,
                 extra={"groups": {g.value: len(set(m)) for g, m in groups.items()}, "shortfall": short})
