"""Customer records, use cases (C-1, C-3): wrong data is corrected, never deleted; every correction is
audited and based on the version the user loaded (no lost updates). Recording an order's dates plans its
first and new-customer calls (CB-2) in the same transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.audit.queries import latest_change
from core.clock import office_day
from core.customers.rules import OrderDates, check_dates, clean_customer_changes
from core.customers.search import reindex
from core.errors import Invalid, NotFound, StaleEdit, Unchanged
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.scheduling.rules import Windows, first_call, new_customer_call
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


def update_customer(engine: Engine, actor: Actor, customer_id: int, version: int, changes: dict,
                    now: datetime, today: date) -> int:
    """Save the corrections if nobody saved the customer since `version`; returns the new version. A new name
    or phone rewrites the customer's search terms in the same transaction (C-1, core.customers.search)."""
    with session_scope(engine) as s:
        require(actor, Action.EDIT_CUSTOMER)
        clean = clean_customer_changes(changes, today)
        if not clean:
            raise Unchanged()
        saved = save_versioned(s, actor, Customer, "customer", customer_id, version, clean | {"updated_at": now}, now)
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
        return schedule_at_save(s, actor, _planned(product, wanted, office), office, now)


def _same(column, value):
    return column.is_(None) if value is None else column == value


def _planned(product: Product, dates: OrderDates, office) -> list:
    w, tz = Windows.from_settings(office.get), office.timezone
    planned = []
    if dates.effective_date:
        planned.append(first_call(product.id, product.customer_id, dates.effective_date, tz, w))
    if dates.delivery_date:
        planned.append(new_customer_call(product.id, product.customer_id, dates.delivery_date, tz, w))
    return planned
