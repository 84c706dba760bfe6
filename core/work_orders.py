"""Work orders, read side: the filtered list and one order with its history (WO-1..WO-8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from core.listing import Page, as_dict, customer_match, paginate, within
from db.engine import session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import Customer, Product, User, WorkOrder, WorkOrderEvent


@dataclass(frozen=True)
class WorkOrderFilter:
    statuses: tuple[WorkOrderStatus, ...] = ()
    service_types: tuple[ServiceType, ...] = ()
    technician_id: int | None = None
    intake_from: date | None = None
    intake_to: date | None = None
    search: str = ""


def _list_stmt(f: WorkOrderFilter, tz: str):
    tech = aliased(User)
    stmt = (
        select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), WorkOrder.phone,
               WorkOrder.service_type, WorkOrder.status, WorkOrder.pending_reason,
               tech.display_name.label("technician"), WorkOrder.intake_at, WorkOrder.completed_at,
               WorkOrder.fee_cents)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .outerjoin(tech, tech.id == WorkOrder.technician_id)
        .order_by(WorkOrder.intake_at.desc(), WorkOrder.id.desc())
    )
    if f.statuses:
        stmt = stmt.where(WorkOrder.status.in_(f.statuses))
    if f.service_types:
        stmt = stmt.where(WorkOrder.service_type.in_(f.service_types))
    if f.technician_id:
        stmt = stmt.where(WorkOrder.technician_id == f.technician_id)
    if f.search.strip():
        stmt = stmt.where(customer_match(f.search, WorkOrder.customer_id, WorkOrder.number))
    return within(stmt, WorkOrder.intake_at, f.intake_from, f.intake_to, tz)


def list_work_orders(engine: Engine, f: WorkOrderFilter, tz: str, page: int = 1, page_size: int = 25) -> Page:
    with session_scope(engine) as s:
        return paginate(s, _list_stmt(f, tz), page, page_size)


def technicians(engine: Engine) -> dict[int, str]:
    """Engineers, for the technician filter."""
    with session_scope(engine) as s:
        rows = s.execute(select(User.id, User.display_name).where(User.role == Role.ENGINEER).order_by(User.id))
        return {r.id: r.display_name for r in rows}


def work_order_detail(engine: Engine, work_order_id: int) -> dict | None:
    """One order's fields, its customer and product, and its event history with who did each step."""
    with session_scope(engine) as s:
        wo = s.get(WorkOrder, work_order_id)
        if wo is None:
            return None
        names = dict(s.execute(select(User.id, User.display_name)).all())
        events = s.execute(
            select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo.id).order_by(WorkOrderEvent.at)
        ).scalars()
        product = s.get(Product, wo.product_id) if wo.product_id else None
        return {
            "order": as_dict(wo) | {"technician": names.get(wo.technician_id), "intake_by": names.get(wo.intake_by_id)},
            "customer": as_dict(s.get(Customer, wo.customer_id)),
            "product": as_dict(product) if product else None,
            "events": [as_dict(e) | {"user": names.get(e.user_id)} for e in events],
        }
