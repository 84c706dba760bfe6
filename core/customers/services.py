"""Customer records, use cases (C-1, C-3): wrong data is corrected, never deleted; every correction is
audited and based on the version the user loaded (no lost updates). Recording an order's dates plans its
first and new-customer calls (CB-2) in the same transaction. Each write refreshes the record's C-5
completeness (core.customers.timeliness) in its own transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.audit.queries import latest_change
from core.clock import office_day
from core.customers.create import add_customer, duplicates_in, planned_calls
from core.customers.records import clean_new_customer
from core.customers.rules import OrderDates, check_dates, clean_customer_changes
from core.customers.search import reindex
from core.customers.timeliness import refresh_completeness
from core.errors import Invalid, NotFound, StaleEdit, Unchanged
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.scheduling.sweep import schedule_at_save
from core.versioning import save_versioned
from db.engine import session_scope
from db.enums import AuditAction
from db.models import Customer, Product

SEARCHED = {"name", "phone"}  # the customer's own columns the search terms are made of


def check_customer_product(s: Session, customer_id: int, product_id: int | None, area: str) -> None:
    """An intake's customer exists and its product (when chosen) is theirs; refusals under `<area>.` keys
    (customer_required, product_not_customers)."""
    if s.get(Customer, customer_id) is None:
        raise Invalid(f"{area}.customer_required", field="customer_id")
    if product_id is not None:
        product = s.get(Product, product_id)
        if product is None or product.customer_id != customer_id:
            raise Invalid(f"{area}.product_not_customers", field="product_id")


def create_customer(engine: Engine, actor: Actor, fields: dict, contacts: list[dict], products: list[dict],
                    now: datetime, today: date) -> dict:
    """C-1, C-2, C-3: a new customer (a person or a company) with contact persons and products owned, checked
    as a correction is (phones stored canonical in the office's region, grade, validity, the order's dates);
    written with its code, audit row, search terms and the CB-2 calls its products' dates call for, in one
    transaction; returns its id and code. Refused: nothing written, every bad field named at once. The
    likely duplicates are the caller's to show first (likely_duplicates): a different customer may share a
    name, so they do not refuse the save."""
    require(actor, Action.EDIT_CUSTOMER)
    office = load_office(engine)
    new = clean_new_customer(fields, contacts, products, today, office.phone_region)
    with session_scope(engine) as s:
        customer = add_customer(s, actor, new, office, now)
        refresh_completeness(s, customer.id, now)  # C-5: a new record complete from the start is marked so
        return {"id": customer.id, "code": customer.code}


def likely_duplicates(engine: Engine, actor: Actor, phone: str, name: str, city: str | None,
                      contact_phones: tuple[str, ...] = ()) -> list[dict]:
    """C-1: the archive's records a new customer is likely to be (same phone, the customer's or a contact's,
    or the same name in the same city), shown before saving: id, code, name, city, phone, reason."""
    require(actor, Action.EDIT_CUSTOMER)
    region = load_office(engine).phone_region
    with session_scope(engine) as s:
        return duplicates_in(s, {p for p in (phone, *contact_phones) if p and p.strip()}, name, city, region)


def update_customer(engine: Engine, actor: Actor, customer_id: int, version: int, changes: dict,
                    now: datetime, today: date) -> int:
    """Save the corrections if nobody saved the customer since `version`; returns the new version. A new name
    or phone rewrites the customer's search terms in the same transaction (C-1, core.customers.search)."""
    with session_scope(engine) as s:
        require(actor, Action.EDIT_CUSTOMER)
        clean = clean_customer_changes(changes, today, load_office(engine).phone_region)
        if not clean:
            raise Unchanged()
        saved = save_versioned(s, actor, Customer, "customer", customer_id, version, clean | {"updated_at": now}, now)
        refresh_completeness(s, customer_id, now)  # C-5: the correction that completes the record marks it
        if clean.keys() & SEARCHED:
            reindex(s, [customer_id])
        return saved


def set_order_dates(engine: Engine, actor: Actor, product_id: int, loaded: OrderDates, wanted: OrderDates,
                    now: datetime) -> list[int]:
    """Save when a product's order took effect and was delivered (C-1) and plan the callbacks those events
    owe at once (CB-2: the first call, the new-customer call) in one transaction, by the sweep's own rules
    and keys, so the daily sweep makes nothing twice; returns the ids of the callbacks created (none when
    the windows are long past, or the callbacks exist and only moved). A correction moves the still-open
    callback to the new window; one being worked or finished stays as it is. A date once recorded is
    corrected, never erased (C-3). The save is a compare-and-set on the dates the user loaded: when somebody
    changed them meanwhile it is refused naming them, and nothing is overwritten."""
    require(actor, Action.EDIT_CUSTOMER)
    if wanted == loaded:
        raise Unchanged()
    office = load_office(engine)
    with session_scope(engine) as s:
        product = s.get(Product, product_id)
        if product is None:
            raise NotFound()
        check_dates(product.purchase_date, loaded, wanted, office_day(now, office.timezone))
        saved = s.execute(
            update(Product).where(Product.id == product_id, _same(Product.effective_date, loaded.effective_date),
                                  _same(Product.delivery_date, loaded.delivery_date))
            .values(effective_date=wanted.effective_date, delivery_date=wanted.delivery_date)
            .execution_options(synchronize_session=False)).rowcount
        if saved != 1:
            who, when = latest_change(s, "product", product_id)
            raise StaleEdit(who=who or "?", when=when)
        audit.record(s, actor, "product", product_id, AuditAction.UPDATE, vars(loaded), vars(wanted), at=now)
        refresh_completeness(s, product.customer_id, now)  # C-5: a delivery asks for the product's fields
        return schedule_at_save(s, actor, planned_calls(product, wanted, office), office, now)


def _same(column, value):
    return column.is_(None) if value is None else column == value
