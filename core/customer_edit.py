"""Correcting a customer's record (C-1, C-3): wrong data is corrected, never deleted; every correction
is audited and based on the version the user loaded (no lost updates)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Engine

from core.errors import Invalid
from core.permissions import Action, Actor, require
from core.phones import clean_phone, plausible
from core.versioning import save_versioned
from db.engine import session_scope
from db.enums import ArchiveValidity, CustomerGrade
from db.models import Customer

EDITABLE = ("name", "phone", "email", "address", "city", "birthday", "grade", "validity", "notes")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_customer_changes(changes: dict, today: date) -> dict:
    """Validated, normalised changes; raises Invalid naming the first bad field."""
    out = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise Invalid("error.invalid_field", field=field)
        value = value.strip() if isinstance(value, str) else value
        out[field] = _check(field, value or None, today)
    return out


def _check(field: str, value, today: date):
    if field in ("name", "phone") and not value:
        raise Invalid("customer.required", field=field)
    if field == "phone":  # the archive's spellings, (201) 555-0143 too, inner blanks made one
        if not plausible(clean_phone(value)):
            raise Invalid("customer.bad_phone", field=field)
        return clean_phone(value)
    if field == "email" and value and not EMAIL.match(value):
        raise Invalid("customer.bad_email", field=field)
    if field == "birthday" and value and not (date(1900, 1, 1) <= value <= today):
        raise Invalid("customer.bad_birthday", field=field)
    if field in ("grade", "validity"):
        enum_cls = CustomerGrade if field == "grade" else ArchiveValidity
        if value not in {m.value for m in enum_cls}:
            raise Invalid("customer.bad_choice", field=field)
        return enum_cls(value)
    if field in ("name", "address", "city") and value and len(value) > 200:
        raise Invalid("customer.too_long", field=field)
    return value


def update_customer(engine: Engine, actor: Actor, customer_id: int, version: int, changes: dict,
                    now: datetime, today: date) -> int:
    """Save the corrections if nobody saved the customer since `version`; returns the new version."""
    with session_scope(engine) as s:
        require(actor, Action.EDIT_CUSTOMER)
        clean = clean_customer_changes(changes, today)
        if not clean:
            return version
        return save_versioned(s, actor, Customer, "customer", customer_id, version, clean | {"updated_at": now}, now)
