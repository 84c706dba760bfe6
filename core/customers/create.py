"""A new customer in the archive (C-1), the writes and reads inside a caller's transaction, so the Customers
page and the import share them: `add_customer` writes a checked record with its contacts and products, its
code, audit row, search terms and CB-2 calls; `duplicates_in` finds the records a new one is likely to be."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.customers.records import Known, NewCustomer, duplicate_reason
from core.customers.rules import OrderDates
from core.customers.search import TERM_MAX, normal, reindex
from core.errors import FieldErrors, Invalid
from core.office.settings import Office
from core.permissions import Actor
from core.phones import spellings
from core.scheduling.rules import Windows, first_call, new_customer_call
from core.scheduling.sweep import schedule_at_save
from db.enums import AuditAction, Role
from db.models import Contact, Customer, CustomerSearchTerm, Product

DUPLICATES_SHOWN = 10


def add_customer(s: Session, actor: Actor, new: NewCustomer, office: Office, now: datetime) -> Customer:
    """Write the checked record in the caller's transaction: the customer (its code C0000123 from its own
    id: unique without a counter to race on), contacts, products; one audit row; the search terms; the
    CB-2 first and new-customer calls its products' dates call for. A specialist who creates a customer
    becomes its own specialist. Refuses an order number the archive holds already."""
    _orders_free(s, new.products)
    customer = Customer(**new.fields, code=f"~{uuid.uuid4().hex[:19]}", created_at=now, updated_at=now,
                        specialist_id=actor.id if actor.role is Role.SPECIALIST else None)
    s.add(customer)
    s.flush()
    customer.code = free_code(s, customer.id)
    s.add_all(Contact(customer_id=customer.id, **c) for c in new.contacts)
    products = [Product(customer_id=customer.id, created_at=now, **p) for p in new.products]
    s.add_all(products)
    s.flush()
    audit.record(s, actor, "customer", customer.id, AuditAction.CREATE, None, _audited(customer, new), at=now)
    reindex(s, [customer.id])
    planned = [call for p in products for call in planned_calls(p, OrderDates(p.effective_date, p.delivery_date),
                                                                 office)]
    if planned:
        schedule_at_save(s, actor, planned, office, now)
    return customer


def free_code(s: Session, customer_id: int) -> str:
    """C + the id in seven digits; should an imported code hold it already, the first free `-2`, `-3` …"""
    base = f"C{customer_id:07d}"
    taken = set(s.scalars(select(Customer.code).where(Customer.code >= base, Customer.code < base + "~")))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _orders_free(s: Session, products: list[dict]) -> None:
    numbers = {p["order_no"]: i for i, p in enumerate(products)}
    taken = set(s.scalars(select(Product.order_no).where(Product.order_no.in_(numbers)))) if numbers else set()
    found = {f"product.{numbers[n]}.order_no": Invalid("cu_new.order_taken", field=f"product.{numbers[n]}.order_no",
                                                       number=n) for n in sorted(taken)}
    if found:
        raise next(iter(found.values())) if len(found) == 1 else FieldErrors(found)


def _audited(customer: Customer, new: NewCustomer) -> dict:
    own = {k: (v.value if hasattr(v, "value") else v) for k, v in new.fields.items() if v is not None}
    return own | {"code": customer.code, "contacts": len(new.contacts),
                  "products": [p["order_no"] for p in new.products]}


def planned_calls(product: Product, dates: OrderDates, office: Office) -> list:
    """CB-2: the first call when the order took effect, the new-customer call when it was delivered."""
    w, tz = Windows.from_settings(office.get), office.timezone
    planned = []
    if dates.effective_date:
        planned.append(first_call(product.id, product.customer_id, dates.effective_date, tz, w))
    if dates.delivery_date:
        planned.append(new_customer_call(product.id, product.customer_id, dates.delivery_date, tz, w))
    return planned


def duplicates_in(s: Session, phones: set[str], name: str, city: str | None, region: str,
                  limit: int = DUPLICATES_SHOWN) -> list[dict]:
    """C-1: the archive's records a new one is likely to be (core.customers.records.duplicate_reason), those
    sharing a phone first: id, code, name, city, phone (as stored) and reason. Indexed look-ups only: the
    phones' spellings in the customers' and contacts' phone columns, the name as stored or as a search term."""
    numbers = sorted({n for p in phones if p for n in (spellings(p, region) or [p])})
    wanted = normal(name)[:TERM_MAX]
    by_phone = select(Customer.id).where(Customer.phone.in_(numbers)).union(
        select(Contact.customer_id).where(Contact.phone.in_(numbers))) if numbers else None
    by_name = select(Customer.id).where(or_(Customer.name == (name or "").strip(), Customer.id.in_(
        select(CustomerSearchTerm.customer_id).where(CustomerSearchTerm.term == wanted)))) if city and wanted else None
    ids = set()
    for query in (q for q in (by_phone, by_name) if q is not None):
        ids |= set(s.scalars(query.limit(200)))
    if not ids:
        return []
    new = Known(frozenset(numbers), name or "", city)
    found = []
    for row in s.execute(select(Customer.id, Customer.code, Customer.name, Customer.city, Customer.phone)
                         .where(Customer.id.in_(ids)).order_by(Customer.id)).mappings():
        reason = duplicate_reason(new, Known(frozenset(_phones_of(s, row)), row["name"], row["city"]))
        if reason:
            found.append(dict(row) | {"reason": reason})
    return sorted(found, key=lambda r: (r["reason"] != "phone", r["id"]))[:limit]


def _phones_of(s: Session, row) -> set[str]:
    contacts = s.scalars(select(Contact.phone).where(Contact.customer_id == row["id"], Contact.phone.is_not(None)))
    return {row["phone"], *contacts}
