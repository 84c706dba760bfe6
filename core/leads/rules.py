"""L-1 leads: a lead is classed A (buys within a week), B (within a month) or C (later), and after every
contact its next follow-up falls due the class's interval later (settings `lead.a/b/c_interval_days`,
2, 7 and 30 days). A contact may re-class the lead; a sale wins it and a lost result loses it, and a won or
lost lead has no next follow-up. Each contact is one LeadContact row, the raw material of the L-2 weekly
activity table (core.my_work.queries.weekly_activity)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import inputs
from core.checks import choice
from core.errors import Invalid, Refusals
from core.phones import typed_phone
from db.enums import Channel, LeadClass, LeadResult, LeadStatus
from db.models import Lead, LeadContact

NOTES_MAX = inputs.limit_of(LeadContact.notes)
CLOSING = {LeadResult.SALE: LeadStatus.WON, LeadResult.LOST: LeadStatus.LOST}


@dataclass(frozen=True)
class LeadContactInput:
    """One contact as the specialist typed it; money in integer cents, only for a sale."""

    channel: Channel
    result: LeadResult
    sale_amount_cents: int | None = None
    new_class: LeadClass | None = None
    notes: str | None = None


def interval_days(lead_class: LeadClass, settings) -> int:
    """L-1: the class's follow-up interval in days (`settings.get("lead.<a|b|c>_interval_days")`, an Office or
    a plain mapping)."""
    return int(settings.get(f"lead.{LeadClass(lead_class).value.lower()}_interval_days"))


def next_follow_up(lead_class: LeadClass, contacted_at: datetime, settings) -> datetime:
    """L-1: the contact time plus the class's interval in days, in UTC."""
    return contacted_at.astimezone(UTC) + timedelta(days=interval_days(lead_class, settings))


def check_contact(contact: LeadContactInput) -> None:
    """Raise Invalid (catalog key, offending field) for every broken rule at once (FieldErrors when several):
    known channel, result and class; a sale carries a positive whole amount of cents, any other result no
    amount at all."""
    with Refusals() as check:
        check(_choice, "channel", contact.channel, Channel)
        check(_choice, "result", contact.result, LeadResult)
        if contact.new_class is not None:
            check(_choice, "new_class", contact.new_class, LeadClass)
        check(_amount, contact.result, contact.sale_amount_cents)
        check(inputs.text, contact.notes, "notes", NOTES_MAX, inputs.Kind.TEXT)


def _amount(result: LeadResult, amount: int | None) -> None:
    if result == LeadResult.SALE:
        inputs.money_cents(amount, "sale_amount_cents", "leads.sale_amount_required")
    elif amount is not None:
        raise Invalid("leads.amount_only_for_sale", field="sale_amount_cents")


def _choice(field: str, value: object, enum_cls) -> None:
    choice(field, value, enum_cls, "leads.bad_choice")


def after_contact(lead_class: LeadClass, contact: LeadContactInput, now: datetime,
                  settings) -> tuple[LeadClass, LeadStatus, datetime | None]:
    """The lead's class, status and next follow-up once `contact` is recorded at `now` (L-1)."""
    new_class = LeadClass(contact.new_class or lead_class)
    status = CLOSING.get(LeadResult(contact.result), LeadStatus.OPEN)
    due = next_follow_up(new_class, now, settings) if status == LeadStatus.OPEN else None
    return new_class, status, due


NAME_MAX, INTEREST_MAX, SOURCE_MAX = (inputs.limit_of(c) for c in (Lead.name, Lead.interest, Lead.source))


@dataclass(frozen=True)
class NewLeadInput:
    """A lead as typed on the Leads page: who, which number, how soon they may buy (class), what they want,
    where they heard of us, and whose lead it is (None: the one who types it)."""

    name: str
    phone: str
    lead_class: LeadClass | None
    interest: str | None = None
    source: str | None = None
    specialist_id: int | None = None


def check_new_lead(data: NewLeadInput) -> dict:
    """The lead's columns, cleaned; raises Invalid (catalog key, offending field) for every broken rule at once
    (FieldErrors when several): a name, a plausible phone number, a known class, and texts that fit their
    columns."""
    with Refusals() as check:
        name = check(inputs.required, data.name, "name", NAME_MAX, inputs.Kind.NAME, missing="leads.name_required")
        phone = check(typed_phone, data.phone, "leads.phone_required", "leads.bad_phone")
        check(_new_class, data.lead_class)
        interest = check(inputs.text, data.interest, "interest", INTEREST_MAX, inputs.Kind.LINE)
        source = check(inputs.text, data.source, "source", SOURCE_MAX, inputs.Kind.LINE)
    return {"name": name, "phone": phone, "lead_class": LeadClass(data.lead_class), "interest": interest,
            "source": source}


def _new_class(value: object) -> None:
    if value is None:
        raise Invalid("leads.class_required", field="lead_class")
    _choice("lead_class", value, LeadClass)
