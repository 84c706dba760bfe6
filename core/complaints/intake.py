"""What an intake form offers (CP-1, and WO-1 for a work order): the customer searched in the archive (never
typed), and that customer's products to choose the product (and order number) from. REGISTER_COMPLAINT by
default; the work-order intake passes CREATE_WORK_ORDER."""

from __future__ import annotations

from sqlalchemy import Engine, select

from core.customers.queries import customer_search
from core.customers.search import exact_first, phone_region
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.models import Customer, Product

MATCHES_MAX = 20  # a search listing more is refined by typing more, not by scrolling
PRODUCTS_MAX = 200


def intake_customers(engine: Engine, actor: Actor, text: str,
                     action: Action = Action.REGISTER_COMPLAINT) -> list[dict]:
    """CP-1: the archive's customers `text` finds through the search box's index (C-1: a name's word or
    character, pinyin initials, a phone in any spelling, a serial, plate, order, work order or complaint
    number, the code), those it names exactly first, then by name: id, name, code, phone, at most
    MATCHES_MAX. Nothing for an empty search."""
    require(actor, action)
    if not text.strip():
        return []
    region = phone_region(engine)
    with session_scope(engine) as s:
        rows = s.execute(select(Customer.id, Customer.name, Customer.code, Customer.phone)
                         .where(customer_search(text, region))
                         .order_by(exact_first(text, region), Customer.name, Customer.id).limit(MATCHES_MAX))
        return [dict(r._mapping) for r in rows]


def intake_customer(engine: Engine, actor: Actor, customer_id: int,
                    action: Action = Action.REGISTER_COMPLAINT) -> dict | None:
    """The customer a complaint is fixed to (opened from their page or an incoming call): id, name, code,
    phone; None when there is no such customer."""
    require(actor, action)
    with session_scope(engine) as s:
        row = s.execute(select(Customer.id, Customer.name, Customer.code, Customer.phone)
                        .where(Customer.id == customer_id)).first()
        return dict(row._mapping) if row else None


def intake_products(engine: Engine, actor: Actor, customer_id: int,
                    action: Action = Action.REGISTER_COMPLAINT) -> list[dict]:
    """CP-1: the customer's products, newest purchase first: id, model, order number, serial number."""
    require(actor, action)
    with session_scope(engine) as s:
        rows = s.execute(select(Product.id, Product.model, Product.order_no, Product.serial_no)
                         .where(Product.customer_id == customer_id)
                         .order_by(Product.purchase_date.desc(), Product.id.desc()).limit(PRODUCTS_MAX))
        return [dict(r._mapping) for r in rows]
