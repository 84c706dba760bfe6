"""Work orders, read side: the filtered list and one order with its history (WO-1..WO-8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, aliased

from core.accounts.queries import staff_names
from core.customers.search import search_region
from core.lists import Page, as_dict, customer_match, day_bounds_utc, enum_rank, ordered, paginate
from core.office.settings import load_office
from core.permissions import Action, Actor, allowed, require
from core.work_orders import store
from core.work_orders.rules import missing
from db.engine import session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import Customer, Product, User, WorkOrder, WorkOrderEvent, WorkOrderSignature


@dataclass(frozen=True)
class WorkOrderFilter:
    statuses: tuple[WorkOrderStatus, ...] = ()
    service_types: tuple[ServiceType, ...] = ()
    technician_id: int | None = None
    intake_from: date | None = None
    intake_to: date | None = None
    search: str = ""
    fee_open: bool = False  # only the fees finance has still to settle (fee_to_settle)


def fee_to_settle() -> tuple:
    """WO-8: a completed order with a fee and no settlement yet. One definition for finance's My work (its
    count, sum and list) and the work-order list its tiles open, so the two agree."""
    return WorkOrder.fee_cents > 0, WorkOrder.settled_at.is_(None), WorkOrder.completed_at.is_not(None)


def readable(actor: Actor) -> list:
    """Which work orders `actor` may read, as conditions on work_orders: an engineer (who records repairs)
    only the orders assigned to them (WO-3, WO-4); every other role with VIEW_WORK_ORDERS the office's. Every
    read of an order (list, record, copy, signature images) goes through this, so an out-of-scope id reads
    as an unknown one."""
    require(actor, Action.VIEW_WORK_ORDERS)
    return [WorkOrder.technician_id == actor.id] if allowed(actor.role, Action.RECORD_REPAIR) else []


def in_scope(s: Session, actor: Actor, order_id: int) -> WorkOrder | None:
    """The order `order_id` when `actor` may read it (readable), else None, as for an unknown id."""
    return s.scalar(select(WorkOrder).where(WorkOrder.id == order_id, *readable(actor)))


def _conditions(f: WorkOrderFilter, tz: str, region: str) -> list:
    """The filters as conditions on work_orders alone, so counting needs no join."""
    conds = list(fee_to_settle()) if f.fee_open else []
    if f.statuses:
        conds.append(WorkOrder.status.in_(f.statuses))
    if f.service_types:
        conds.append(WorkOrder.service_type.in_(f.service_types))
    if f.technician_id:
        conds.append(WorkOrder.technician_id == f.technician_id)
    if f.search.strip():
        conds.append(customer_match(f.search, WorkOrder.customer_id, WorkOrder.number, region=region))
    lo, hi = day_bounds_utc(f.intake_from, f.intake_to, tz)
    conds += [WorkOrder.intake_at >= lo] if lo else []
    conds += [WorkOrder.intake_at < hi] if hi else []
    return conds


_TECH = aliased(User, name="technician_user")


def _sort_columns() -> dict:
    """The columns a user may sort work orders by (the `sort` URL parameter is checked against these)."""
    return {"number": WorkOrder.number, "customer": Customer.name,
            "status": enum_rank(WorkOrder.status, WorkOrderStatus),
            "service_type": enum_rank(WorkOrder.service_type, ServiceType), "technician": _TECH.display_name,
            "intake_at": WorkOrder.intake_at, "completed_at": WorkOrder.completed_at, "fee_cents": WorkOrder.fee_cents}


SORTS = tuple(_sort_columns())


def list_work_orders(engine: Engine, actor: Actor, f: WorkOrderFilter, tz: str, page: int = 1,
                     page_size: int = 25, sort: str | None = None) -> Page:
    """Newest intake first, or sorted by one of SORTS (`name` or `-name`, then by id) over the whole filtered
    list; the count runs on work_orders alone, the joins only for the shown page. VIEW_WORK_ORDERS only, an
    engineer's own orders only (readable)."""
    tech = _TECH
    conds = [*readable(actor), *_conditions(f, tz, search_region(engine, f.search))]
    order = ordered(sort, _sort_columns(), WorkOrder.id) or [WorkOrder.intake_at.desc(), WorkOrder.id.desc()]
    rows = (
        select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), WorkOrder.phone,
               WorkOrder.service_type, WorkOrder.status, WorkOrder.pending_reason,
               tech.display_name.label("technician"), WorkOrder.intake_at, WorkOrder.completed_at,
               WorkOrder.fee_cents)
        .outerjoin(Customer, Customer.id == WorkOrder.customer_id)  # outer: SQLite keeps walking the intake index
        .outerjoin(tech, tech.id == WorkOrder.technician_id)
        .where(*conds)
        .order_by(*order)
    )
    count = select(func.count()).select_from(WorkOrder).where(*conds)
    with session_scope(engine) as s:
        return paginate(s, rows, page, page_size, count)


def technicians(engine: Engine) -> dict[int, str]:
    """Engineers, for the technician filter."""
    return staff_names(engine, User.role == Role.ENGINEER)


def work_order_detail(engine: Engine, actor: Actor, work_order_id: int) -> dict | None:
    """One order's fields (its contact phone among them), who its customer is (id, code, name: engineers and
    finance read work orders, not the customer archive), its product, and its event history with who did
    each step; its drawn signatures (without images), the gate's context, what a returned order still lacks
    (`missing`: catalog keys) and its version. VIEW_WORK_ORDERS only; None for an unknown order and for one
    the actor may not read (readable)."""
    readable(actor)
    office = load_office(engine)
    with session_scope(engine) as s:
        wo = in_scope(s, actor, work_order_id)
        if wo is None:
            return None
        names = dict(s.execute(select(User.id, User.display_name)).all())
        events = s.execute(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == wo.id)
                           .order_by(WorkOrderEvent.at, WorkOrderEvent.id)).scalars()  # ties: as written
        product = s.get(Product, wo.product_id) if wo.product_id else None
        order = as_dict(wo)
        ctx = store.context(s, order, office.timezone)
        return {
            "order": order | {"technician": names.get(wo.technician_id), "intake_by": names.get(wo.intake_by_id),
                              "special_approval_by": names.get(wo.special_approval_by_id)},
            "customer": dict(s.execute(select(Customer.id, Customer.code, Customer.name)
                                       .where(Customer.id == wo.customer_id)).mappings().one()),
            "product": as_dict(product) if product else None,
            "events": [as_dict(e) | {"user": names.get(e.user_id)} for e in events],
            "signatures": signatures(s, wo.id, names),
            "context": ctx,
            "missing": _missing(order, ctx, office),
            "version": wo.version,
        }


def signatures(s: Session, order_id: int, names: dict[int, str]) -> list[dict]:
    """WO-5: the drawn signatures' facts (kind, the signer's name, whose account held the pad, when), without
    the images (core.work_orders.acts.signature_png gives those)."""
    rows = s.execute(select(WorkOrderSignature.kind, WorkOrderSignature.signer_name,
                            WorkOrderSignature.captured_by_id, WorkOrderSignature.signed_at)
                     .where(WorkOrderSignature.work_order_id == order_id).order_by(WorkOrderSignature.kind)).all()
    return [{"kind": r.kind, "signer_name": r.signer_name, "captured_by": names.get(r.captured_by_id),
             "signed_at": r.signed_at} for r in rows]


def _missing(order: dict, ctx, office) -> list[str]:
    """WO-5/WO-6: what a returned order still lacks for acceptance, as `wo.missing.<item>` keys (else [])."""
    if order["status"] != WorkOrderStatus.RETURNED:
        return []
    return [f"wo.missing.{item}" for item in missing(order, ctx.technician_signed, ctx.customer_signed, office)]
