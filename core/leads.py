"""L-1 leads: a lead is classed A (buys within a week), B (within a month) or C (later), and after every
contact its next follow-up falls due the class's interval later (settings `lead.a/b/c_interval_days`,
2, 7 and 30 days). A contact may re-class the lead; a sale wins it and a lost result loses it, and a won or
lost lead has no next follow-up. Each contact is one LeadContact row, the raw material of the L-2 weekly
activity table (core.my_work.weekly_activity); the contact, the lead's change and its audit row are one
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from core import audit
from core.clock import office_day
from core.errors import Invalid, NotFound
from core.listing import Page, day_bounds_utc, paginate
from core.office import load_office
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import AuditAction, Channel, LeadClass, LeadResult, LeadStatus
from db.models import Lead, LeadContact

AUDITED = ("lead_class", "status", "next_follow_up")
CLOSING = {LeadResult.SALE: LeadStatus.WON, LeadResult.LOST: LeadStatus.LOST}


@dataclass(frozen=True)
class LeadContactInput:
    """One contact as the specialist typed it; money in integer cents, only for a sale."""

    channel: Channel
    result: LeadResult
    sale_amount_cents: int | None = None
    new_class: LeadClass | None = None
    notes: str | None = None


@dataclass(frozen=True)
class LeadContactResult:
    lead_id: int
    contact_id: int
    lead_class: LeadClass
    status: LeadStatus
    next_follow_up: datetime | None


def next_follow_up(lead_class: LeadClass, contacted_at: datetime, settings) -> datetime:
    """L-1: the contact time plus the class's interval in days (`settings.get("lead.<a|b|c>_interval_days")`,
    an Office or a plain mapping), in UTC."""
    days = int(settings.get(f"lead.{LeadClass(lead_class).value.lower()}_interval_days"))
    return contacted_at.astimezone(UTC) + timedelta(days=days)


def check_contact(contact: LeadContactInput) -> None:
    """Raise Invalid (catalog key, offending field) for the first broken rule: known channel, result and
    class; a sale carries a positive whole amount of cents, any other result no amount at all."""
    _choice("channel", contact.channel, Channel)
    _choice("result", contact.result, LeadResult)
    if contact.new_class is not None:
        _choice("new_class", contact.new_class, LeadClass)
    amount = contact.sale_amount_cents
    if contact.result == LeadResult.SALE:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise Invalid("leads.sale_amount_required", field="sale_amount_cents")
    elif amount is not None:
        raise Invalid("leads.amount_only_for_sale", field="sale_amount_cents")


def _choice(field: str, value: object, enum_cls) -> None:
    if value not in {m.value for m in enum_cls}:
        raise Invalid("leads.bad_choice", field=field)


def after_contact(lead_class: LeadClass, contact: LeadContactInput, now: datetime,
                  settings) -> tuple[LeadClass, LeadStatus, datetime | None]:
    """The lead's class, status and next follow-up once `contact` is recorded at `now` (L-1)."""
    new_class = LeadClass(contact.new_class or lead_class)
    status = CLOSING.get(LeadResult(contact.result), LeadStatus.OPEN)
    due = next_follow_up(new_class, now, settings) if status == LeadStatus.OPEN else None
    return new_class, status, due


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


def due_leads(engine: Engine, user_id: int, now: datetime, tz: str, page: int = 1, page_size: int = 50) -> Page:
    """L-1: the specialist's open leads whose next follow-up falls before the end of today (office-local),
    overdue first (earliest follow-up first); `overdue` means the follow-up time has passed."""
    today = office_day(now, tz)
    _, end_of_today = day_bounds_utc(today, today, tz)
    where = (Lead.specialist_id == user_id, Lead.status == LeadStatus.OPEN, Lead.next_follow_up < end_of_today)
    stmt = (select(Lead.id, Lead.name, Lead.phone, Lead.lead_class, Lead.interest, Lead.customer_id,
                   Lead.next_follow_up).where(*where).order_by(Lead.next_follow_up, Lead.id))
    with session_scope(engine) as s:
        listed = paginate(s, stmt, page, page_size, select(func.count()).select_from(Lead).where(*where))
    rows = [r | {"overdue": r["next_follow_up"] < now} for r in listed.rows]
    return Page(rows, listed.total, listed.page, listed.page_size)
