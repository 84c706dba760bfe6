"""CB-11 incoming-call register: whoever answers the office phone logs the call (caller, number, category,
need, how they heard of us, answered or missed, resolved or not), and the call hands on its follow-up in
the same transaction:

- a missed or unresolved call from a known customer gets the same-day MISSED_CALL callback of CB-2 at
  once, under the daily sweep's own source key, so the sweep never makes a second one;
- a missed or unresolved call from an unknown number cannot be a callback (a callback needs a customer):
  it becomes a lead due now, so somebody still calls back today;
- an answered enquiry becomes a lead (L-1) when the user asks, its class interval setting its follow-up.
An open lead with the same number is updated (interest added, the earlier follow-up kept), never doubled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.callbacks.followups import LEAD_FIELDS, add_interest, columns
from core.callbacks.rules import INTEREST_MAX
from core.errors import Invalid
from core.incoming.queries import matching_customer_ids
from core.incoming.rules import DEFAULT_CLASS, IncomingInput, check_call, needs_call_back
from core.leads.rules import next_follow_up
from core.office.settings import Office, load_office
from core.permissions import Action, Actor, require
from core.phones import spellings
from core.scheduling.assignment import load_assigner
from core.scheduling.rules import Windows, missed_call_callback
from core.scheduling.sweep import schedule_at_save
from db.engine import session_scope
from db.enums import AuditAction, LeadClass, LeadStatus, Role
from db.models import Callback, Customer, IncomingCall, Lead, User

CALL_FIELDS = ("received_at", "caller_name", "phone", "customer_id", "category", "need", "heard_from",
               "answered", "resolved", "taken_by_id")


@dataclass(frozen=True)
class IncomingResult:
    """What was saved and what follow-up it created, for the page to say so."""

    call_id: int
    customer_id: int | None
    callback_id: int | None = None
    callback_assignee: str | None = None
    callback_due: datetime | None = None
    lead_id: int | None = None
    lead_created: bool = False
    lead_owner: str | None = None
    lead_due: datetime | None = None
    too_late: bool = False  # owed a call-back, but logged more than a week after it was received


def _customer(s: Session, given: int | None, phone: str, region: str) -> Customer | None:
    """The given customer, else the one customer this number belongs to (none when two share it)."""
    if given is not None:
        customer = s.get(Customer, given)
        if customer is None:
            raise Invalid("incoming.unknown_customer", field="customer_id")
        return customer
    ids = matching_customer_ids(s, phone, region)
    return s.get(Customer, ids[0]) if len(ids) == 1 else None


def register_incoming_call(engine: Engine, actor: Actor, data: IncomingInput, now: datetime) -> IncomingResult:
    """CB-11: save the call, audited, with the follow-up it calls for (CB-2 callback or L-1 lead)."""
    require(actor, Action.REGISTER_INCOMING_CALL)
    values = check_call(data, now)
    office = load_office(engine)
    with session_scope(engine) as s:
        customer = _customer(s, data.customer_id, values["phone"], office.phone_region)
        call = IncomingCall(**values, customer_id=customer.id if customer else None, taken_by_id=actor.id)
        s.add(call)
        s.flush()
        audit.record(s, actor, "incoming_call", call.id, AuditAction.CREATE, None, columns(call, CALL_FIELDS), at=now)
        result = IncomingResult(call.id, call.customer_id)
        if customer is not None and needs_call_back(call.answered, call.resolved):
            result = _with_callback(s, actor, call, office, now, result)
        if (customer is None and needs_call_back(call.answered, call.resolved)) or data.as_lead:
            result = _with_lead(s, actor, call, customer, data.lead_class, office, now, result)
        return result


def _with_callback(s: Session, actor: Actor, call: IncomingCall, office: Office, now: datetime,
                   result: IncomingResult) -> IncomingResult:
    planned = missed_call_callback(call.id, call.customer_id, call.received_at, office.timezone,
                                   Windows.from_settings(office.get))
    created = schedule_at_save(s, actor, [planned], office, now)
    if not created:  # a call logged more than a week late: too old to plan (core.scheduling.rules.reach)
        return replace(result, too_late=True)
    assignee = s.scalar(select(User.display_name).join(Callback, Callback.assignee_id == User.id)
                        .where(Callback.id == created[0]))
    return replace(result, callback_id=created[0], callback_assignee=assignee, callback_due=planned.due_end)


def _with_lead(s: Session, actor: Actor, call: IncomingCall, customer: Customer | None,
               lead_class: LeadClass | None, office: Office, now: datetime, result: IncomingResult) -> IncomingResult:
    """L-1: due now when an unknown caller still waits for a call back (no callback can hold them), else
    after the class interval."""
    lead_class = LeadClass(lead_class or DEFAULT_CLASS)
    waiting = customer is None and needs_call_back(call.answered, call.resolved)
    due = now if waiting else next_follow_up(lead_class, now, office)
    lead = _open_lead(s, call.phone, customer)
    created = lead is None
    if created:
        lead = _new_lead(s, actor, call, customer, lead_class, due, office, now)
    else:
        _update_lead(s, actor, lead, call, due, now)
    owner = s.scalar(select(User.display_name).where(User.id == lead.specialist_id)) if lead.specialist_id else None
    return replace(result, lead_id=lead.id, lead_created=created, lead_owner=owner, lead_due=lead.next_follow_up)


def _open_lead(s: Session, phone: str, customer: Customer | None) -> Lead | None:
    """The newest open lead with this number (or this customer's)."""
    same = [Lead.phone.in_(spellings(phone))] + ([Lead.customer_id == customer.id] if customer else [])
    return s.scalars(select(Lead).where(Lead.status == LeadStatus.OPEN, or_(*same))
                     .order_by(Lead.id.desc()).limit(1).with_for_update()).first()


def _new_lead(s: Session, actor: Actor, call: IncomingCall, customer: Customer | None, lead_class: LeadClass,
              due: datetime, office: Office, now: datetime) -> Lead:
    lead = Lead(customer_id=customer.id if customer else None,
                name=(customer.name if customer else call.caller_name) or call.phone, phone=call.phone,
                lead_class=lead_class, status=LeadStatus.OPEN, interest=(call.need or "")[:INTEREST_MAX] or None,
                source=call.heard_from, specialist_id=_lead_owner(s, actor, customer, office),
                next_follow_up=due, incoming_call_id=call.id, created_at=now)
    s.add(lead)
    s.flush()
    audit.record(s, actor, "lead", lead.id, AuditAction.CREATE, None, columns(lead, LEAD_FIELDS), at=now,
                 extra={"from_incoming_call_id": call.id})
    return lead


def _update_lead(s: Session, actor: Actor, lead: Lead, call: IncomingCall, due: datetime, now: datetime) -> None:
    """The caller's open lead gets the new need first in its interest and the earlier follow-up."""
    add_interest(s, actor, lead, call.need, due, now, {"from_incoming_call_id": call.id},
                 incoming_call_id=lead.incoming_call_id or call.id)


def _lead_owner(s: Session, actor: Actor, customer: Customer | None, office: Office) -> int | None:
    """The customer's own specialist (if active), else the specialist who took the call, else the
    callback assignment rule (`callback.assignment`: least load or round robin)."""
    assigner = load_assigner(s, str(office.get("callback.assignment")))
    own = customer.specialist_id if customer else None
    if own in assigner.load:
        return own
    if actor.role == Role.SPECIALIST:
        return actor.id
    return assigner.pick(None)
