"""CB-11 incoming calls, the pure checks: what a logged call must hold, and which calls need a call-back
(core.incoming.services says what the register does with them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import inputs
from core.checks import choice
from core.errors import Invalid, Refusals, refuse
from core.phones import typed_phone
from db.enums import IncomingCategory, LeadClass
from db.models import IncomingCall

ENQUIRIES = frozenset({IncomingCategory.NEW_ENQUIRY, IncomingCategory.RETURNING_PROSPECT})
NAME_MAX, HEARD_FROM_MAX = inputs.limit_of(IncomingCall.caller_name), inputs.limit_of(IncomingCall.heard_from)
NEED_MAX = inputs.TEXT_MAX  # `need` is TEXT, kept to a page
DEFAULT_CLASS = LeadClass.B  # a call-back lead nobody classed yet: within a month


@dataclass(frozen=True)
class IncomingInput:
    """One call as typed; `received_at` None means now. `as_lead` hands an enquiry over as a lead of
    `lead_class`."""

    phone: str
    category: IncomingCategory
    caller_name: str | None = None
    customer_id: int | None = None
    need: str | None = None
    heard_from: str | None = None
    answered: bool = True
    resolved: bool = False
    received_at: datetime | None = None
    as_lead: bool = False
    lead_class: LeadClass | None = None


def needs_call_back(answered: bool, resolved: bool) -> bool:
    """CB-11: a missed or unresolved call is called back the same day."""
    return not (answered and resolved)


def _text(value: str | None, field: str, limit: int, kind: inputs.Kind) -> str | None:
    return inputs.text(value, field, limit, kind, too_long="incoming.too_long")


def check_call(data: IncomingInput, now: datetime) -> dict:
    """The call's columns, cleaned; raises Invalid (catalog key, offending field) for every broken rule at
    once (FieldErrors when several fields are refused)."""
    with Refusals() as check:
        phone = check(typed_phone, data.phone, "incoming.phone_required", "incoming.bad_phone")
        category = check(_category, data.category)
        received = check(_received, data.received_at or now, now)
        if data.resolved and not data.answered:
            check(refuse, "incoming.missed_not_resolved", "resolved")
        check(_check_lead_wish, data)
        texts = {"caller_name": check(_text, data.caller_name, "caller_name", NAME_MAX, inputs.Kind.NAME),
                 "need": check(_text, data.need, "need", NEED_MAX, inputs.Kind.TEXT),
                 "heard_from": check(_text, data.heard_from, "heard_from", HEARD_FROM_MAX, inputs.Kind.LINE)}
    return {"received_at": received, "phone": phone, "category": category, **texts,
            "answered": bool(data.answered), "resolved": bool(data.resolved)}


def _category(value: object) -> IncomingCategory:
    if value is None:
        raise Invalid("incoming.category_required", field="category")
    choice("category", value, IncomingCategory, "incoming.bad_choice")
    return IncomingCategory(value)


def _received(received: object, now: datetime) -> datetime:
    if not isinstance(received, datetime) or received.tzinfo is None or received > now:
        raise Invalid("incoming.future_time", field="received_at")
    return received


def _check_lead_wish(data: IncomingInput) -> None:
    if data.lead_class is not None:
        choice("lead_class", data.lead_class, LeadClass, "incoming.bad_choice")
    if data.as_lead and data.category not in ENQUIRIES:
        raise Invalid("incoming.lead_only_for_enquiry", field="as_lead")
    if data.as_lead and data.lead_class is None:
        raise Invalid("incoming.lead_class_required", field="lead_class")
