"""What C-5's list asks a specialist to fix, made fixable (C-1): a product or a contact added to an existing
customer, and a product's details corrected (model, spec, serial or plate number, place, usage). Checked as
a new customer's are (core.customers.records); each write audited, the search terms rewritten and the
record's C-5 completeness refreshed in its own transaction; a product with its order's dates plans its CB-2
calls (core.customers.create.planned_calls). A correction is a compare-and-set on the values the user
loaded: when somebody changed them meanwhile it is refused naming them, and nothing is overwritten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from core import inputs
from core.audit import log as audit
from core.audit.queries import latest_change
from core.clock import office_day
from core.customers.create import _orders_free, planned_calls
from core.customers.records import PRODUCT_TEXTS, _usage, clean_contact, clean_product
from core.customers.rules import OrderDates
from core.customers.search import reindex
from core.customers.timeliness import refresh_completeness
from core.errors import NotFound, Refusals, StaleEdit, Unchanged, refuse
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.scheduling.sweep import schedule_at_save
from db.engine import session_scope
from db.enums import AuditAction
from db.models import Contact, Customer, Product

DETAILS = ("model", "spec", "serial_no", "place", "usage")  # what a product's correction may change


def _customer(s: Session, customer_id: int) -> None:
    if s.get(Customer, customer_id) is None:
        raise NotFound()


def add_product(engine: Engine, actor: Actor, customer_id: int, typed: dict, now: datetime) -> int:
    """C-1: a product owned, added to the customer (checked as a new customer's: model, order number and
    purchase date required, the dates in order, the order number not already in the archive); its CB-2 calls
    planned when its dates call for them; C-5 refreshed. Returns the product's id. EDIT_CUSTOMER."""
    require(actor, Action.EDIT_CUSTOMER)
    office = load_office(engine)
    clean = clean_product(typed, office_day(now, office.timezone))
    with session_scope(engine) as s:
        _customer(s, customer_id)
        _orders_free(s, [clean])
        product = Product(customer_id=customer_id, created_at=now, **clean)
        s.add(product)
        s.flush()
        audit.record(s, actor, "product", product.id, AuditAction.CREATE, None,
                     {k: v for k, v in clean.items() if v is not None}, at=now)
        _after_write(s, customer_id, now)
        planned = planned_calls(product, OrderDates(product.effective_date, product.delivery_date), office)
        if planned:
            schedule_at_save(s, actor, planned, office, now)
        return product.id


def add_contact(engine: Engine, actor: Actor, customer_id: int, typed: dict, now: datetime) -> int:
    """C-1: a contact person added to the customer (a name; title, phone stored canonical in the office's
    region, email when given). Returns the contact's id. EDIT_CUSTOMER."""
    require(actor, Action.EDIT_CUSTOMER)
    clean = clean_contact(typed, load_office(engine).phone_region)
    with session_scope(engine) as s:
        _customer(s, customer_id)
        contact = Contact(customer_id=customer_id, **clean)
        s.add(contact)
        s.flush()
        audit.record(s, actor, "contact", contact.id, AuditAction.CREATE, None,
                     {k: v for k, v in clean.items() if v is not None}, at=now)
        _after_write(s, customer_id, now)
        return contact.id


def clean_details(typed: dict) -> dict:
    """A product's details as a correction takes them: texts by their columns' limits, the model required
    (the column needs it), usage a whole number; raises Invalid naming every bad field."""
    with Refusals() as check:
        out = {f: check(inputs.text, typed.get(f), f, inputs.limit_of(PRODUCT_TEXTS[f]), inputs.Kind.LINE,
                        too_long="customer.too_long") for f in DETAILS if f != "usage"}
        if "model" in out and not out["model"]:
            check(refuse, "customer.required", "model")
        out["usage"] = check(_usage, typed.get("usage"))
    return out


def correct_product(engine: Engine, actor: Actor, product_id: int, loaded: dict, typed: dict,
                    now: datetime) -> None:
    """C-1, C-3: a product's details corrected (DETAILS), if they are still as the user `loaded` them (else
    StaleEdit naming who changed them); the search terms rewritten (a serial or plate is searched), C-5
    refreshed. Unchanged when nothing differs. EDIT_CUSTOMER."""
    require(actor, Action.EDIT_CUSTOMER)
    wanted = clean_details(typed)
    before = {f: loaded.get(f) for f in DETAILS}
    if wanted == before:
        raise Unchanged()
    with session_scope(engine) as s:
        product = s.get(Product, product_id)
        if product is None:
            raise NotFound()
        same = [getattr(Product, f).is_(None) if v is None else getattr(Product, f) == v for f, v in before.items()]
        if s.execute(update(Product).where(Product.id == product_id, *same).values(**wanted)
                     .execution_options(synchronize_session=False)).rowcount != 1:
            who, when = latest_change(s, "product", product_id)
            raise StaleEdit(who=who or "?", when=when)
        audit.record(s, actor, "product", product_id, AuditAction.UPDATE, before, wanted, at=now)
        _after_write(s, product.customer_id, now)


def _after_write(s: Session, customer_id: int, now: datetime) -> None:
    reindex(s, [customer_id])  # C-1: a contact's name and phone, a serial or order number are searched
    refresh_completeness(s, customer_id, now)  # C-5: the write that completes the record marks it

