"""Customer records, the pure checks (C-1, C-3): a correction's fields, and an order's dates (CB-2's
first and new-customer calls hang on them); today is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core import inputs
from core.checks import choice
from core.errors import Invalid, Refusals, refuse
from core.phones import clean_phone, plausible
from db.enums import ArchiveValidity, CustomerGrade
from db.models import Customer

EDITABLE = ("name", "phone", "email", "address", "city", "birthday", "grade", "validity", "notes")
TEXTS = {"name": (Customer.name, inputs.Kind.NAME), "address": (Customer.address, inputs.Kind.LINE),
         "city": (Customer.city, inputs.Kind.NAME), "notes": (Customer.notes, inputs.Kind.TEXT)}


def clean_customer_changes(changes: dict, today: date) -> dict:
    """Validated, normalised changes; raises Invalid naming every bad field at once (FieldErrors when
    several). Texts pass the input policy (core.inputs: the column's length, no control or invisible
    characters in names)."""
    out = {}
    with Refusals() as check:
        for field, value in changes.items():
            out[field] = check(_clean, field, value, today)
    return out


def _clean(field: str, value, today: date):
    if field not in EDITABLE:
        raise Invalid("error.invalid_field", field=field)
    if field in TEXTS:
        column, kind = TEXTS[field]
        value = inputs.text(value, field, inputs.limit_of(column), kind, too_long="customer.too_long")
    elif field != "email":
        value = value.strip() if isinstance(value, str) else value
    return _check(field, value or None, today)


def _check(field: str, value, today: date):
    if field in ("name", "phone") and not value:
        raise Invalid("customer.required", field=field)
    if field == "phone":  # the archive's spellings, (201) 555-0143 too, inner blanks made one
        if not isinstance(value, str) or not plausible(clean_phone(value)):
            raise Invalid("customer.bad_phone", field=field)
        return clean_phone(value)
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
