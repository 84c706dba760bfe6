"""A new customer's record, the pure checks (C-1, C-2, C-3): the customer's own fields pass the checks of a
correction (core.customers.rules), each contact person and each product owned its own; every refusal names
its field (`contact.<i>.<field>`, `product.<i>.<field>`) so a form shows it beside the input. And the
duplicate rule: which record of the archive a new one is likely to be. Today and the region are passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core import inputs
from core.checks import choice
from core.customers.rules import EDITABLE, OrderDates, check_dates, clean_customer_changes, stored_phone
from core.customers.search import normal
from core.errors import FieldErrors, Invalid, Refusals, refuse
from db.enums import SourceChannel
from db.models import Contact, Product

CONTACT_TEXTS = {"name": Contact.name, "title": Contact.title}
PRODUCT_TEXTS = {"model": Product.model, "spec": Product.spec, "serial_no": Product.serial_no,
                 "order_no": Product.order_no, "place": Product.place}
PRODUCT_MUST = ("model", "order_no", "purchase_date")  # C-1: what sold it and when (the columns need them)
USAGE_MAX = 10_000_000  # kilometres or hours: more is a typo
OLDEST = date(1900, 1, 1)


@dataclass(frozen=True)
class NewCustomer:
    """A new customer's checked and normalised data: ready to be written."""

    fields: dict
    contacts: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)

    @property
    def phones(self) -> set[str]:
        return {self.fields["phone"]} | {c["phone"] for c in self.contacts if c.get("phone")}


def clean_new_customer(fields: dict, contacts: list[dict], products: list[dict], today: date,
                       region: str) -> NewCustomer:
    """C-1: the whole new record checked at once; raises Invalid (FieldErrors when several) naming every bad
    field of the customer, its contacts and its products. Name and phone are required; at most one
    contact is the primary one; a record's order numbers are distinct."""
    with Refusals() as check:
        own = check(_own_fields, fields, today, region) or {}
        people = [check(_prefixed, f"contact.{i}", clean_contact, c, region) for i, c in enumerate(contacts)]
        owned = [check(_prefixed, f"product.{i}", clean_product, p, today) for i, p in enumerate(products)]
        if sum(bool(c.get("is_primary")) for c in contacts) > 1:
            check(refuse, "cu_new.one_primary", "contacts")
        orders = [normal(str(p.get("order_no") or "")) for p in products]
        for i, order in enumerate(orders):
            if order and order in orders[:i]:
                check(refuse, "cu_new.order_twice", f"product.{i}.order_no")
    return NewCustomer(own, people, owned)


def _own_fields(fields: dict, today: date, region: str) -> dict:
    typed = {f: fields.get(f) for f in EDITABLE if fields.get(f) not in (None, "") or f in ("name", "phone")}
    with Refusals() as check:
        out = check(clean_customer_changes, typed, today, region) or {}
        channel = fields.get("source_channel")
        if channel:
            check(choice, "source_channel", channel, SourceChannel, "customer.bad_choice")
    return {k: v for k, v in out.items() if v is not None} | {
        "is_company": bool(fields.get("is_company")),
        "source_channel": SourceChannel(channel) if channel else None}


def _prefixed(prefix: str, fn, *args):
    """fn(*args), its refusals renamed `<prefix>.<field>`."""
    try:
        return fn(*args)
    except Invalid as err:
        found = {f"{prefix}.{name}": Invalid(e.key, **(e.params | {"field": f"{prefix}.{name}"}))
                 for name, e in err.errors.items()}
        raise _errors(found) from None


def _errors(found: dict[str, Invalid]) -> Invalid:
    return next(iter(found.values())) if len(found) == 1 else FieldErrors(found)


def clean_contact(contact: dict, region: str) -> dict:
    """A contact person (C-1): a name, and a title, phone (stored canonical) and email when given."""
    with Refusals() as check:
        out = {f: check(inputs.text, contact.get(f), f, inputs.limit_of(col), inputs.Kind.NAME,
                        too_long="customer.too_long") for f, col in CONTACT_TEXTS.items()}
        if not out["name"]:
            check(refuse, "customer.required", "name")
        phone = contact.get("phone")
        out["phone"] = check(stored_phone, phone, region) if phone not in (None, "") and str(phone).strip() else None
        out["email"] = check(inputs.email, contact.get("email"), "email", inputs.limit_of(Contact.email),
                             "customer.bad_email")
    return out | {"is_primary": bool(contact.get("is_primary"))}


def clean_product(product: dict, today: date) -> dict:
    """A product owned (C-1): model, order number and purchase date required; the order's dates in order and
    not years ahead (check_dates, as a correction); usage a whole number."""
    with Refusals() as check:
        out = {f: check(inputs.text, product.get(f), f, inputs.limit_of(col), inputs.Kind.LINE,
                        too_long="customer.too_long") for f, col in PRODUCT_TEXTS.items()}
        for f in ("purchase_date", "effective_date", "delivery_date"):
            out[f] = check(_a_date, f, product.get(f), today if f == "purchase_date" else None)
        for f in PRODUCT_MUST:
            if not out.get(f):  # a field refused already keeps its first reason
                check(refuse, "customer.required", f)
        if out["purchase_date"]:
            wanted = OrderDates(out["effective_date"], out["delivery_date"])
            check(check_dates, out["purchase_date"], OrderDates(None, None), wanted, today)
        out["usage"] = check(_usage, product.get("usage"))
    return out


def _a_date(f: str, value: object, latest: date | None) -> date | None:
    if value in (None, ""):
        return None
    if type(value) is not date or value < OLDEST or (latest and value > latest):
        raise Invalid("cu_new.bad_date", field=f)
    return value


def _usage(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise Invalid("cu_new.bad_usage", field="usage", most=USAGE_MAX) from None
    if not 0 <= number <= USAGE_MAX:
        raise Invalid("cu_new.bad_usage", field="usage", most=USAGE_MAX)
    return number


@dataclass(frozen=True)
class Known:
    """What the duplicate rule compares of an archive record: its canonical phones, name and city."""

    phones: frozenset[str]
    name: str
    city: str | None


def duplicate_reason(new: Known, old: Known) -> str | None:
    """C-1, the likely duplicate: "phone" when the two share a phone (the customer's or a contact's, in the
    canonical form), else "name_city" when they have the same name in the same city (case and blanks
    ignored; a record without a city is never matched by name alone, too many people share a name); else
    None."""
    if new.phones & old.phones:
        return "phone"
    if new.city and normal(new.city) == normal(old.city or "") and normal(new.name) == normal(old.name):
        return "name_city"
    return None
