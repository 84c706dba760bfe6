"""Customers, read side: the archive list (C-1..C-3) and one customer's whole history (C-4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, exists, false, func, select
from sqlalchemy.orm import Session, aliased

from core.accounts.queries import staff_names
from core.callbacks.flow import visible_levels
from core.customers.rules import OrderDates
from core.customers.search import exact_first, matching_ids, phone_region
from core.inputs import search_term
from core.lists import SEARCH_MAX, Page, as_dict, enum_rank, ordered, paginate, within
from core.permissions import Action, Actor, require
from core.phones import DEFAULT_REGION
from db.engine import session_scope
from db.enums import ArchiveValidity, CustomerGrade
from db.models import (
    CallAttempt,
    Callback,
    Complaint,
    Contact,
    Customer,
    Lead,
    Product,
    User,
    WorkOrder,
)

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class CustomerFilter:
    grades: tuple[CustomerGrade, ...] = ()
    validities: tuple[ArchiveValidity, ...] = ()
    specialist_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    search: str = ""


def customer_search(text: str, region: str = DEFAULT_REGION):
    """Free text through the search box's index (C-1, core.customers.search): every word starts one of the
    customer's terms (a word or character of the name or a contact's, pinyin, a phone in any spelling, a
    serial, plate or order number), or the whole text starts their code or one of their work orders' or
    complaints' numbers; a term no stored value can hold (core.inputs.search_term) matches nothing."""
    term = search_term(text, SEARCH_MAX)
    ids = matching_ids(term, region) if term else None
    return false() if ids is None else Customer.id.in_(ids)


_SPECIALIST = aliased(User, name="specialist_user")


def _sort_columns() -> dict:
    """The columns a user may sort the archive by (the `sort` URL parameter is checked against these)."""
    return {"code": Customer.code, "name": Customer.name, "city": Customer.city,
            "grade": enum_rank(Customer.grade, CustomerGrade),
            "validity": enum_rank(Customer.validity, ArchiveValidity),
            "specialist": _SPECIALIST.display_name, "created_at": Customer.created_at}


SORTS = tuple(_sort_columns())


def _list_stmt(f: CustomerFilter, tz: str, sort: str | None = None, region: str = DEFAULT_REGION):
    spec = _SPECIALIST
    newest = [Customer.created_at.desc(), Customer.id.desc()]
    order = ordered(sort, _sort_columns(), Customer.id) or (
        [exact_first(f.search, region), *newest] if f.search.strip() else newest)
    stmt = (
        select(Customer.id, Customer.code, Customer.name, Customer.phone, Customer.city, Customer.grade,
               Customer.validity, spec.display_name.label("specialist"), Customer.created_at)
        .outerjoin(spec, spec.id == Customer.specialist_id)
        .order_by(*order)
    )
    return within(stmt.where(*customer_conditions(f, region)), Customer.created_at, f.created_from, f.created_to,
                  tz)


def customer_conditions(f: CustomerFilter, region: str = DEFAULT_REGION) -> list:
    """The filter's conditions on customers (the created range is applied with `within`); a phone searched
    is read as the office's `region` writes it (setting office.phone_region)."""
    conds = [Customer.grade.in_(f.grades)] if f.grades else []
    conds += [Customer.validity.in_(f.validities)] if f.validities else []
    conds += [Customer.specialist_id == f.specialist_id] if f.specialist_id else []
    conds += [customer_search(f.search, region)] if f.search.strip() else []
    return conds


def list_customers(engine: Engine, actor: Actor, f: CustomerFilter, tz: str, page: int = 1,
                   page_size: int = 25, sort: str | None = None) -> Page:
    """The customer archive, newest first (a search: its exact name or phone first) or sorted by one of SORTS
    (then by id) over the whole filtered archive; C-2 grade and C-3 validity as filters (VIEW_CUSTOMERS
    only)."""
    require(actor, Action.VIEW_CUSTOMERS)
    region = phone_region(engine) if f.search.strip() else DEFAULT_REGION
    with session_scope(engine) as s:
        return paginate(s, _list_stmt(f, tz, sort, region), page, page_size)


def specialists(engine: Engine) -> dict[int, str]:
    """Users who look after at least one customer, for the specialist filter (one index probe per user)."""
    return staff_names(engine, exists().where(Customer.specialist_id == User.id))


def _callbacks(customer_id: int):
    who, last = aliased(User), aliased(CallAttempt)
    latest = (select(CallAttempt.id).where(CallAttempt.callback_id == Callback.id)
              .order_by(CallAttempt.attempted_at.desc(), CallAttempt.id.desc()).limit(1).scalar_subquery())
    return (
        select(Callback.id, Callback.kind, Callback.level, Callback.status, Callback.due_end,
               who.display_name.label("assignee"), last.attempted_at.label("last_attempt_at"),
               last.outcome.label("last_outcome"), Callback.completed_at)
        .outerjoin(who, who.id == Callback.assignee_id)
        .outerjoin(last, last.id == latest)
        .where(Callback.customer_id == customer_id)
        .order_by(Callback.due_end.desc(), Callback.id.desc())
    )


def _complaints(customer_id: int):
    owner = aliased(User)
    return (
        select(Complaint.id, Complaint.number, Complaint.status, Complaint.received_at, Complaint.channel,
               owner.display_name.label("owner"))
        .outerjoin(owner, owner.id == Complaint.owner_id)
        .where(Complaint.customer_id == customer_id)
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
    )


def _work_orders(customer_id: int):
    tech = aliased(User)
    return (
        select(WorkOrder.id, WorkOrder.number, WorkOrder.status, WorkOrder.service_type, WorkOrder.intake_at,
               WorkOrder.completed_at, tech.display_name.label("technician"))
        .outerjoin(tech, tech.id == WorkOrder.technician_id)
        .where(WorkOrder.customer_id == customer_id)
        .order_by(WorkOrder.intake_at.desc(), WorkOrder.id.desc())
    )


def _leads(customer_id: int):
    spec = aliased(User)
    return (
        select(Lead.id, Lead.name, Lead.lead_class, Lead.status, Lead.interest, Lead.next_follow_up,
               spec.display_name.label("specialist"), Lead.created_at)
        .outerjoin(spec, spec.id == Lead.specialist_id)
        .where(Lead.customer_id == customer_id)
        .order_by(Lead.created_at.desc(), Lead.id.desc())
    )


def _products(customer_id: int):
    return (
        select(Product.id, Product.order_no, Product.model, Product.spec, Product.serial_no, Product.purchase_date,
               Product.effective_date, Product.delivery_date, Product.place, Product.usage)
        .where(Product.customer_id == customer_id)
        .order_by(Product.purchase_date.desc(), Product.id.desc())
    )


HISTORY = {"products": (Product, _products), "callbacks": (Callback, _callbacks),
           "complaints": (Complaint, _complaints), "work_orders": (WorkOrder, _work_orders), "leads": (Lead, _leads)}


def _related(s: Session, model, stmt, customer_id: int, limit: int, where: list) -> Page:
    """The newest `limit` rows, and a count of them all straight off the customer_id index (no joins)."""
    total = s.scalar(select(func.count()).select_from(model).where(model.customer_id == customer_id, *where)) or 0
    rows = s.execute(stmt(customer_id).where(*where).limit(limit)).mappings().all()
    return Page([dict(r) for r in rows], total, 1, limit)


def _card(s: Session, customer: Customer) -> dict:
    specialist = s.get(User, customer.specialist_id) if customer.specialist_id else None
    return as_dict(customer) | {"specialist": specialist.display_name if specialist else None}


def customer_detail(engine: Engine, actor: Actor, customer_id: int, limit: int = HISTORY_LIMIT) -> dict | None:
    """C-4: the card (C-1..C-3), contacts, and each related list newest first with who handled it.
    Each list holds at most `limit` rows (a Page whose `total` counts them all), read through customer_id.
    VIEW_CUSTOMERS only; the callbacks are those of the levels the actor may read (no re-checks for a
    specialist: their outcomes are the re-check's results)."""
    require(actor, Action.VIEW_CUSTOMERS)
    only = {Callback: [Callback.level.in_(visible_levels(actor))]}
    with session_scope(engine) as s:
        customer = s.get(Customer, customer_id)
        if customer is None:
            return None
        contacts = s.execute(select(Contact).where(Contact.customer_id == customer_id)
                             .order_by(Contact.is_primary.desc(), Contact.id)).scalars()
        related = {name: _related(s, model, stmt, customer_id, limit, only.get(model, []))
                   for name, (model, stmt) in HISTORY.items()}
        return {"customer": _card(s, customer), "contacts": [as_dict(c) for c in contacts]} | related


def order_dates(engine: Engine, product_id: int) -> OrderDates | None:
    """The dates as stored now (what a form loads, and reloads after a refused save)."""
    with session_scope(engine) as s:
        row = s.execute(select(Product.effective_date, Product.delivery_date).where(Product.id == product_id)).first()
    return OrderDates(*row) if row else None
