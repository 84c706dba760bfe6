"""Recording when a product's order took effect and when it was delivered (C-1), and the callbacks those
events owe at once (CB-2: the first call the day after the order takes effect, the new-customer call
within 7 days of delivery), planned in the same transaction as the save by the sweep's own rules and
keys, so the daily sweep finds them and makes nothing twice.

A correction moves the still-open callback to the new window (a corrected delivery date); a callback
being worked or finished stays as it is. A date once recorded is corrected, never erased (C-3: wrong
data is corrected, not deleted). The save is a compare-and-set on the dates the user loaded: when
somebody else changed them meanwhile it is refused naming them, and nothing is overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select, update

from core import audit
from core.audit_read import latest_change
from core.clock import office_day
from core.errors import Invalid, NotFound, StaleEdit
from core.office import load_office
from core.permissions import Action, Actor, require
from core.schedule_rules import Windows, first_call, new_customer_call
from core.schedule_sweep import schedule_at_save
from db.engine import session_scope
from db.enums import AuditAction
from db.models import Product

MAX_DAYS_AHEAD = 366  # a planned delivery may be recorded ahead, but not years ahead (a typo)


@dataclass(frozen=True)
class OrderDates:
    effective_date: date | None
    delivery_date: date | None


def check_dates(purchase: date, loaded: OrderDates, wanted: OrderDates, today: date) -> None:
    """C-1: the order takes effect on or after its purchase, delivery on or after that, neither more
    than a year ahead; a recorded date is corrected, never erased (C-3). Raises Invalid."""
    for field in ("effective_date", "delivery_date"):
        if getattr(loaded, field) and not getattr(wanted, field):
            raise Invalid("product.date_kept", field=field)
    for field in ("effective_date", "delivery_date"):
        value = getattr(wanted, field)
        if value and value > today + timedelta(days=MAX_DAYS_AHEAD):
            raise Invalid("product.too_far_ahead", field=field)
    if wanted.effective_date and wanted.effective_date < purchase:
        raise Invalid("product.effective_before_purchase")
    if wanted.effective_date and wanted.delivery_date and wanted.delivery_date < wanted.effective_date:
        raise Invalid("product.delivery_before_effective")


def set_order_dates(engine: Engine, actor: Actor, product_id: int, loaded: OrderDates, wanted: OrderDates,
                    now: datetime) -> list[int]:
    """Save the dates and plan their callbacks (CB-2) in one transaction; returns the ids of the callbacks
    created (none when the windows are long past, or the callbacks exist and only moved)."""
    require(actor, Action.EDIT_CUSTOMER)
    if wanted == loaded:
        return []
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


def order_dates(engine: Engine, product_id: int) -> OrderDates | None:
    """The dates as stored now (what a form loads, and reloads after a refused save)."""
    with session_scope(engine) as s:
        row = s.execute(select(Product.effective_date, Product.delivery_date).where(Product.id == product_id)).first()
    return OrderDates(*row) if row else None
