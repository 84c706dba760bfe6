"""Leads, use cases: recording a contact with a lead (L-1, L-2); the rules it applies are in
core.leads.rules. The contact, the lead's change and its audit row are one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from core.audit import log as audit
from core.errors import Invalid, NotFound
from core.leads.rules import LeadContactInput, after_contact, check_contact
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import AuditAction, LeadClass, LeadResult, LeadStatus
from db.models import Lead, LeadContact

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
