"""Customer records, the pure checks (C-1, C-3): a correction's fields, and an order's dates (CB-2's
first and new-customer calls hang on them); today is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core import inputs
from core.checks import choice
from core.errors import Invalid, Refusals, refuse
from core.phones import DEFAULT_REGION, canonical
from db.enums import ArchiveValidity, CustomerGrade
from db.models import Customer

EDITABLE = ("name", "phone", "email", "address", "city", "birthday", "grade", "validity", "notes")
TEXTS = {"name": (Customer.name, inputs.Kind.NAME), "address": (Customer.address, inputs.Kind.LINE),
         "city": (Customer.city, inputs.Kind.NAME), "notes": (Customer.notes, inputs.Kind.TEXT)}


def clean_customer_changes(changes: dict, today: date, region: str = DEFAULT_REGION) -> dict:
    """Validated, normalised changes; raises Invalid naming every bad field at once (FieldErrors when
    several). Texts pass the input policy (core.inputs: the column's length, no control or invisible
    characters in names); a phone is stored in its canonical form, E.164 in the office's `region` (C-1)."""
    out = {}
    with Refusals() as check:
        for field, value in changes.items():
            out[field] = check(_clean, field, value, today, region)
    return out


def _clean(field: str, value, today: date, region: str = DEFAULT_REGION):
    if field not in EDITABLE:
        raise Invalid("error.invalid_field", field=field)
    if field in TEXTS:
        column, kind = TEXTS[field]
        value = inputs.text(value, field, inputs.limit_of(column), kind, too_long="customer.too_long")
    elif field != "email":
        value = value.strip() if isinstance(value, str) else value
    return _check(field, value or None, today, region)


def stored_phone(typed: object, region: str, field: str = "phone") -> str:
    """C-1: the canonical (E.164) form of a typed number in the office's region (a mainland mobile, a
    landline with its area code, a 400/800 number, or +country code), or Invalid("customer.bad_phone")."""
    stored = canonical(typed, region) if isinstance(typed, str) else None
    if stored is None:
        raise Invalid("customer.bad_phone", field=field)
    return stored


def _check(field: str, value, today: date, region: str = DEFAULT_REGION):
    if field in ("name", "phone") and not value:
        raise Invalid("customer.required", field=field)
    if field == "phone":  # C-1: one canonical form (E.164), whatever the spelling typed
        return stored_phone(value, region, field)
    if field == "email":
        return inputs.email(value, field, inputs.limit_of(Customer.email), "customer.bad_email")
    if field == "birthday" and value and not (type(value) is date and date(1900, 1, 1) <= value <= today):
        raise Invalid("customer.bad_birthday", field=field)
    if field in ("grade", "validity"):
        enum_cls = CustomerGrade if field == "grade" else ArchiveValidity
        choice(field, value, enum_cls, "customer.bad_choice")
        return enum_cls(value)
    return value


MAX_DAYS_AHEAD = 366  # a planned delivery may be recorded ahead, but not years ahead (a typo)


@dataclass(frozen=True)
class OrderDates:
    effective_date: date | None
    delivery_date: date | None


def check_dates(purchase: date, loaded: OrderDates, wanted: OrderDates, today: date) -> None:
    """C-1: the order takes effect on or after its purchase, delivery on or after that, neither more
    than a year ahead; a recorded date is corrected, never erased (C-3). Raises Invalid naming every bad
    date at once."""
    with Refusals() as check:
        for field in ("effective_date", "delivery_date"):
            check(_check_date, field, getattr(loaded, field), getattr(wanted, field), today)
        if wanted.effective_date and wanted.effective_date < purchase:
            check(refuse, "product.effective_before_purchase", "effective_date")
        if wanted.effective_date and wanted.delivery_date and wanted.delivery_date < wanted.effective_date:
            check(refuse, "product.delivery_before_effective", "delivery_date")


def _check_date(field: str, loaded: date | None, wanted: date | None, today: date) -> None:
    if loaded and not wanted:
        raise Invalid("product.date_kept", field=field)
    if wanted and wanted > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid("product.too_far_ahead", field=field)
