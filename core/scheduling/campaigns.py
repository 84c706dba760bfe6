"""Periodic campaigns (CB-2 questionnaire calls and technical/maintenance reminders): a manager picks
the customers by filter and the due window; each picked customer gets one callback, assigned like the
sweep's (own specialist, else least load or round robin). Planning the same campaign again adds only
customers it did not have. Customers whose number is known to be wrong (C-3 invalid) are left out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, insert, select

from core import inputs
from core.audit import log as audit
from core.clock import office_day
from core.customers.queries import CustomerFilter, customer_conditions
from core.errors import Invalid
from core.lists import day_bounds_utc, within
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.scheduling.assignment import load_assigner, owners
from db.engine import session_scope
from db.enums import (
    ArchiveValidity,
    AuditAction,
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
)
from db.models import Callback, Customer

KINDS = (CallbackKind.QUESTIONNAIRE, CallbackKind.MAINTENANCE)
NAME_MAX = 80  # a campaign's name is its callbacks' purpose, shown on every card
MAX_CUSTOMERS = 20_000  # a campaign larger than this is surely a filter mistake


@dataclass(frozen=True)
class Campaign:
    kind: CallbackKind
    name: str
    first_day: date
    last_day: date
    customers: CustomerFilter


def check_campaign(c: Campaign, today: date) -> None:
    if c.kind not in KINDS:
        raise Invalid("campaign.bad_kind")
    inputs.required(c.name, "name", NAME_MAX, inputs.Kind.LINE, missing="campaign.bad_name",
                    too_long="campaign.bad_name")
    if c.first_day > c.last_day or c.last_day < today:
        raise Invalid("campaign.bad_window")


def campaign_key(c: Campaign, customer_id: int) -> str:
    tag = hashlib.sha1(c.name.strip().encode()).hexdigest()[:8]
    return f"campaign:{c.kind.value}:{c.first_day.isoformat()}:{tag}:{customer_id}"


def plan_campaign(engine: Engine, actor: Actor, c: Campaign, now: datetime, tz: str) -> int:
    """Create the campaign's callbacks; returns how many were new. One audit row for the campaign."""
    require(actor, Action.PLAN_CAMPAIGN)
    check_campaign(c, office_day(now, tz))
    start, end = day_bounds_utc(c.first_day, c.last_day, tz)
    with session_scope(engine) as s:
        picked = _customers(s, c, tz)
        keys = {campaign_key(c, cid): cid for cid in picked}
        have = set(s.scalars(select(Callback.source_key).where(Callback.source_key.in_(list(keys)))))
        new = [cid for key, cid in keys.items() if key not in have]
        assigner = load_assigner(s, str(load_office(engine).get("callback.assignment")))
        own = owners(s, new)
        rows = [{"customer_id": cid, "kind": c.kind, "level": CallbackLevel.L1, "status": CallbackStatus.OPEN,
                 "due_start": start, "due_end": end, "assignee_id": assigner.pick(own.get(cid)),
                 "source_key": campaign_key(c, cid), "purpose": c.name.strip(), "attempts_count": 0,
                 "created_at": now, "version": 1} for cid in new]
        if rows:
            s.execute(insert(Callback), rows)
        audit.record(s, actor, "campaign", None, AuditAction.CREATE, at=now,
                     extra={"kind": c.kind.value, "name": c.name.strip(), "new": len(rows), "picked": len(picked)})
        return len(rows)


def _customers(s, c: Campaign, tz: str) -> list[int]:
    stmt = select(Customer.id).where(*customer_conditions(c.customers), Customer.validity != ArchiveValidity.INVALID)
    stmt = within(stmt, Customer.created_at, c.customers.created_from, c.customers.created_to, tz)
    ids = list(s.scalars(stmt.order_by(Customer.id).limit(MAX_CUSTOMERS + 1)))
    if len(ids) > MAX_CUSTOMERS:
        raise Invalid("campaign.too_many", max=MAX_CUSTOMERS)
    return ids
