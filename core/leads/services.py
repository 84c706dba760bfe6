"""Leads, use cases: a new lead typed on the Leads page, and recording a contact with a lead (L-1, L-2); the
rules they apply are in core.leads.rules. Each write and its audit row are one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from core.audit import log as audit
from core.callbacks.followups import LEAD_FIELDS, columns
from core.callbacks.queries import CALLERS
from core.errors import Invalid, NotFound
from core.incoming.queries import matching_customer_ids
from core.leads.rules import (
    LeadContactInput,
    NewLeadInput,
    after_contact,
    check_contact,
    check_new_lead,
    next_follow_up,
)
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.phones import spellings
from core.scheduling.assignment import ASSIGNABLE_ROLES
from db.engine import session_scope
from db.enums import AuditAction, LeadClass, LeadResult, LeadStatus
from db.models import Lead, LeadContact, User

AUDITED = ("lead_class", "status", "next_follow_up")


@dataclass(frozen=True)
class LeadContactResult:
    lead_id: int
    contact_id: int
    lead_class: LeadClass
    status: LeadStatus
    next_follow_up: datetime | None


def record_lead_contact(engine: Engine, actor: Actor, lead_id: int, contact: LeadContactInput,
                        now: datetime) -> LeadContactResult:
    """Record one contact with an open lead and move the lead on (L-1, L-2); audited as entity "lead"."""
    require(actor, Action.WORK_CALLBACK)
    check_contact(contact)
    office = load_office(engine)
    with session_scope(engine) as s:
        lead = s.get(Lead, lead_id, with_for_update=True)
        if lead is None:
            raise NotFound(entity="lead", id=lead_id)
        if lead.status != LeadStatus.OPEN:
            raise Invalid("leads.closed", field="lead")
        before = {k: getattr(lead, k) for k in AUDITED}
        lead.lead_class, lead.status, lead.next_follow_up = after_contact(lead.lead_class, contact, now, office)
        lead.version += 1
        row = LeadContact(lead_id=lead.id, user_id=actor.id, contacted_at=now, channel=contact.channel,
                          result=contact.result, sale_amount_cents=contact.sale_amount_cents,
                          new_class=contact.new_class, notes=contact.notes if (contact.notes or "").strip() else None)
        s.add(row)
        s.flush()
        action = AuditAction.TRANSITION if lead.status != before["status"] else AuditAction.UPDATE
        audit.record(s, actor, "lead", lead.id, action, before, {k: getattr(lead, k) for k in AUDITED}, at=now,
                     extra={"contact_id": row.id, "result": LeadResult(contact.result).value})
        return LeadContactResult(lead.id, row.id, lead.lead_class, lead.status, lead.next_follow_up)


def create_lead(engine: Engine, actor: Actor, data: NewLeadInput, now: datetime) -> int:
    """L-1: a new open lead, due after its class interval, linked to the customer its number belongs to (when
    exactly one). It is the typist's own unless a manager gives it to another active specialist or manager.
    Refused when an open lead already has this number: its contacts go on that lead, never a double. Audited;
    returns its id."""
    require(actor, Action.WORK_CALLBACK)
    values = check_new_lead(data)
    owner = data.specialist_id or actor.id
    if owner != actor.id:
        require(actor, Action.REASSIGN_CALLBACK)
    office = load_office(engine)
    with session_scope(engine) as s:
        roles = CALLERS if owner == actor.id else ASSIGNABLE_ROLES  # given to another: as a callback reassign
        if s.scalar(select(User.id).where(User.id == owner, User.active.is_(True), User.role.in_(roles))) is None:
            raise Invalid("leads.bad_owner", field="specialist_id")
        same = s.scalar(select(Lead.name).where(Lead.status == LeadStatus.OPEN,
                                                Lead.phone.in_(spellings(values["phone"]))).order_by(Lead.id).limit(1))
        if same is not None:
            raise Invalid("leads.already_open", field="phone", name=same)
        customers = matching_customer_ids(s, values["phone"])
        lead = Lead(**values, status=LeadStatus.OPEN, specialist_id=owner, created_at=now,
                    customer_id=customers[0] if len(customers) == 1 else None,
                    next_follow_up=next_follow_up(values["lead_class"], now, office))
        s.add(lead)
        s.flush()
        audit.record(s, actor, "lead", lead.id, AuditAction.CREATE, None, columns(lead, (*LEAD_FIELDS, "source")),
                     at=now)
        return lead.id
