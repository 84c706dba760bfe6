"""What a recorded call hands on, each written and audited inside the caller's transaction (the use
case in core.callbacks.services commits once): the archive's validity (C-3), a promised reply as its own due item
(CB-8), a complaint opened from the call (CB-7 → CP-1, CP-2 "received") with its complaint call planned
at once (CB-2), a lead (CB-7 → L-1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.callbacks.rules import INTEREST_MAX
from core.complaints import services as complaints
from core.office.settings import Office
from core.permissions import Actor
from db.enums import (
    ArchiveValidity,
    AuditAction,
    CallbackKind,
    CallbackStatus,
    Channel,
    ComplaintChannel,
    ComplaintSeverity,
    LeadClass,
    LeadStatus,
)
from db.models import Callback, Customer, Lead, Product

# CP-1 intake channel of a complaint raised during a call on this CB-5 channel.
COMPLAINT_CHANNEL = {Channel.EMAIL: ComplaintChannel.LETTER, Channel.VISIT: ComplaintChannel.VERBAL}
CALLBACK_FIELDS = ("customer_id", "kind", "level", "status", "due_start", "due_end", "assignee_id", "source_key")
COMPLAINT_FIELDS = ("number", "customer_id", "product_id", "order_no", "channel", "description", "received_by_id",
                    "received_at", "status", "reply_deadline")
LEAD_FIELDS = ("customer_id", "name", "phone", "lead_class", "status", "interest", "specialist_id",
               "next_follow_up", "callback_id")


def columns(row: object, names: tuple[str, ...]) -> dict:
    return {name: getattr(row, name) for name in names}


def mark_validity(s: Session, actor: Actor, customer_id: int, validity: ArchiveValidity, now: datetime) -> None:
    """C-3: after a call the record is valid, unreachable or invalid; corrected, never deleted. The version
    moves on so that an editor holding the old record cannot silently undo it."""
    customer = s.get(Customer, customer_id)
    if customer.validity == validity:
        return
    before = {"validity": customer.validity}
    customer.validity, customer.updated_at, customer.version = validity, now, customer.version + 1
    audit.record(s, actor, "customer", customer_id, AuditAction.UPDATE, before, {"validity": validity}, at=now)


def promised_reply_key(attempt_id: int) -> str:
    """The source key of the CB-8 due item a call attempt's promised reply becomes (the demo office uses it)."""
    return f"promised_reply:call_attempt:{attempt_id}"


def promise_reply(s: Session, actor: Actor, origin: dict, attempt_id: int, question: str, reply_by: datetime,
                  now: datetime) -> int:
    """CB-8: the unanswered question becomes a due item [now, promised time] for the same assignee."""
    due = Callback(
        customer_id=origin["customer_id"], kind=CallbackKind.PROMISED_REPLY, level=origin["level"],
        status=CallbackStatus.OPEN, due_start=now, due_end=reply_by,
        assignee_id=origin["assignee_id"] or actor.id, product_id=origin["product_id"],
        work_order_id=origin["work_order_id"], complaint_id=origin["complaint_id"],
        source_key=promised_reply_key(attempt_id), purpose=question, created_at=now,
    )
    s.add(due)
    s.flush()
    audit.record(s, actor, "callback", due.id, AuditAction.CREATE, None, columns(due, CALLBACK_FIELDS), at=now,
                 extra={"from_callback_id": origin["id"], "attempt_id": attempt_id})
    return due.id


def open_complaint(s: Session, actor: Actor, origin: dict, description: str, channel: Channel, office: Office,
                   now: datetime) -> tuple[int, str]:
    """CB-7 → CP-1: intake prefilled from the call (customer, product, order, received by/at), then the
    complaint's own intake (core.complaints.services.open_complaint: CP-2 "received", its deadlines and the
    CB-2 complaint call)."""
    product = s.get(Product, origin["product_id"]) if origin["product_id"] else None
    fields = {"customer_id": origin["customer_id"], "product_id": origin["product_id"],
              "order_no": product.order_no if product else None,
              "channel": COMPLAINT_CHANNEL.get(channel, ComplaintChannel.PHONE), "severity": ComplaintSeverity.NORMAL,
              "description": description, "defect_quantity": None, "defect_rate_pct": None, "received_at": now}
    complaint = complaints.open_complaint(s, actor, fields, office, now, extra={"from_callback_id": origin["id"]})
    return complaint.id, complaint.number


def hand_over_lead(s: Session, actor: Actor, origin: dict, interest: str, office: Office, now: datetime) -> int:
    """CB-7 → L-1: the customer's open lead gets the new interest (newest first) and a follow-up no later
    than its class interval from now; without one, a class B lead is created, due after the B interval."""
    lead = s.scalars(select(Lead).where(Lead.customer_id == origin["customer_id"], Lead.status == LeadStatus.OPEN)
                     .order_by(Lead.id.desc()).limit(1)).first()
    if lead is None:
        return _new_lead(s, actor, origin, interest, office, now)
    add_interest(s, actor, lead, interest, now + _interval(office, lead.lead_class), now,
                 {"from_callback_id": origin["id"]})
    return lead.id


def add_interest(s: Session, actor: Actor, lead: Lead, interest: str | None, due: datetime, now: datetime,
                 extra: dict, **also: object) -> None:
    """An open lead hears of more interest (a call's, an incoming call's): the new interest first, the earlier
    follow-up, and `also` (such as the incoming call that brought it). A new version and an audit row only when
    something changed (issue 9: a save that changes nothing writes nothing)."""
    before = columns(lead, LEAD_FIELDS)
    if interest:
        lead.interest = (f"{interest}; {lead.interest}" if lead.interest else interest)[:INTEREST_MAX]
    lead.next_follow_up = min(lead.next_follow_up, due) if lead.next_follow_up else due
    for name, value in also.items():
        setattr(lead, name, value)
    if not audit.diff(before, columns(lead, LEAD_FIELDS)):
        return
    lead.version += 1
    audit.record(s, actor, "lead", lead.id, AuditAction.UPDATE, before, columns(lead, LEAD_FIELDS), at=now,
                 extra=extra)


def _new_lead(s: Session, actor: Actor, origin: dict, interest: str, office: Office, now: datetime) -> int:
    customer = s.get(Customer, origin["customer_id"])
    lead = Lead(customer_id=customer.id, name=customer.name, phone=customer.phone, lead_class=LeadClass.B,
                status=LeadStatus.OPEN, interest=interest, specialist_id=customer.specialist_id or actor.id,
                next_follow_up=now + _interval(office, LeadClass.B), callback_id=origin["id"], created_at=now)
    s.add(lead)
    s.flush()
    audit.record(s, actor, "lead", lead.id, AuditAction.CREATE, None, columns(lead, LEAD_FIELDS), at=now)
    return lead.id


def _interval(office: Office, lead_class: LeadClass) -> timedelta:
    return timedelta(days=int(office.get(f"lead.{lead_class.value.lower()}_interval_days")))
