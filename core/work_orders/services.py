"""Work-order use cases: intake (WO-1, WO-2, WO-6 sender's side), every move of the flow (WO-4) with what it
plans (WO-10's after-repair call, WO-11's progress call), and a note. Each one: permission, checks, lock,
compare-and-set write, event row, audit row, in one transaction opened here. The signatures, the countersign,
the special approval and the fee are core.work_orders.acts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.customers.services import check_customer_product
from core.errors import DomainError, Invalid
from core.office.settings import Office
from core.permissions import Action, Actor, allowed, require
from core.scheduling.rules import Windows, after_repair_call
from core.scheduling.sweep import schedule_at_save
from core.work_orders import flow, progress, store
from core.work_orders.acts import add_note, approve, countersign, record_fee, sign, signature_png
from core.work_orders.flow import Move
from core.work_orders.rules import NewWorkOrder, check_intake, number_prefix, order_number
from core.work_orders.steps import MoveInput, Mover, check_step
from db.engine import session_scope
from db.enums import AuditAction, Role, ServiceType, WorkOrderStatus
from db.models import Customer, Product, User, WorkOrder, WorkOrderEvent

__all__ = ["MoveInput", "add_note", "apply_move", "approve", "countersign", "intake_defaults", "record_fee", "sign",
           "signature_png", "take_in"]


def next_number(s: Session, now: datetime, tz: str) -> str:
    """`WO{yyyymm}-{nnnnnn}`: the next after the highest of the office month of intake."""
    prefix = number_prefix(now, tz)
    highest = s.scalar(select(func.max(WorkOrder.number)).where(WorkOrder.number.like(f"{prefix}%")))
    tail = (highest or "")[len(prefix):]
    return order_number(prefix, (int(tail) if tail.isdigit() else 0) + 1)


def _open(s: Session, actor: Actor, fields: dict, office: Office, now: datetime) -> WorkOrder:
    wo = WorkOrder(**fields, number=next_number(s, now, office.timezone), status=WorkOrderStatus.NEW,
                   intake_by_id=actor.id, intake_at=now, created_at=now)
    s.add(wo)
    s.flush()
    s.add(WorkOrderEvent(work_order_id=wo.id, at=now, user_id=actor.id, from_status=None,
                         to_status=WorkOrderStatus.NEW, move=None))
    audit.record(s, actor, "work_order", wo.id, AuditAction.CREATE, None,
                 fields | {"number": wo.number, "status": WorkOrderStatus.NEW, "intake_at": now}, at=now)
    return wo


def take_in(engine: Engine, actor: Actor, data: NewWorkOrder, office: Office, now: datetime) -> dict:
    """WO-1/WO-2/WO-6: a work order taken in and read back, saved as new with its number. Returns id, number
    and version. CREATE_WORK_ORDER only."""
    require(actor, Action.CREATE_WORK_ORDER)
    fields = check_intake(data)
    try:
        return _take_in(engine, actor, fields, office, now)
    except IntegrityError:  # two intakes took the same number at once: the loser tries once more, with the next
        return _take_in(engine, actor, fields, office, now)


def _take_in(engine: Engine, actor: Actor, fields: dict, office: Office, now: datetime) -> dict:
    with session_scope(engine) as s:
        check_customer_product(s, fields["customer_id"], fields["product_id"], "wo")
        wo = _open(s, actor, fields, office, now)
        return {"id": wo.id, "number": wo.number, "version": wo.version}


def intake_defaults(engine: Engine, actor: Actor, customer_id: int, product_id: int | None = None) -> dict:
    """WO-1: the contact, phone and address the intake form starts from: the customer's archive (the product's
    place when it has one), editable for this order."""
    require(actor, Action.CREATE_WORK_ORDER)
    with session_scope(engine) as s:
        customer = s.get(Customer, customer_id)
        if customer is None:
            return {"contact_name": None, "phone": None, "address": None}
        product = s.get(Product, product_id) if product_id else None
        place = product.place if product is not None and product.customer_id == customer_id else None
        address = place or " ".join(p for p in (customer.city, customer.address) if p) or None
        return {"contact_name": customer.name, "phone": customer.phone, "address": address}


def _check_technician(s: Session, user_id: int | None) -> None:
    """WO-3: the order goes to an active engineer."""
    user = s.get(User, user_id) if user_id is not None else None
    if user_id is not None and (user is None or not user.active or not allowed(Role(user.role), Action.RECORD_REPAIR)):
        raise Invalid("wo.move.bad_technician", field="technician_id")


def plan_after_repair(s: Session, actor: Actor, wo: dict, office: Office, now: datetime) -> None:
    """WO-10 / CB-2: the after-repair call from completion, with the window in force now; none for an internal
    order (type D), which has no customer to call."""
    if wo["service_type"] == ServiceType.INTERNAL or wo.get("completed_at") is None:
        return
    planned = after_repair_call(wo["id"], wo["customer_id"], wo["completed_at"], office.timezone,
                                Windows.from_settings(office.get), wo.get("product_id"))
    schedule_at_save(s, actor, [planned], office, now)


def _pending_count(s: Session, order_id: int) -> int:
    return s.scalar(select(func.count()).select_from(WorkOrderEvent)
                    .where(WorkOrderEvent.work_order_id == order_id, WorkOrderEvent.move == Move.PEND.value))


def _plan(s: Session, actor: Actor, move: Move, after: dict, office: Office, now: datetime) -> None:
    """What a move plans in its own transaction: WO-10 at completion and acceptance, WO-11 at a wait."""
    if move in (Move.COMPLETE, Move.ACCEPT):
        plan_after_repair(s, actor, after, office, now)
    elif move == Move.PEND:
        progress.plan_progress_call(s, actor, after, f"pending:{_pending_count(s, after['id'])}", office, now)


def apply_move(engine: Engine, actor: Actor, order_id: int, version: int, move: Move, data: MoveInput,
               office: Office, now: datetime) -> int:
    """WO-4: one move of the flow by the party the table allows, with what the move needs (core.work_orders.
    steps); refused moves change nothing. Acceptance is refused with the list of what is missing (WO-5,
    WO-6). Settling is finance's week (core.work_orders.finance.sign_week), never one order on its own (WO-8).
    Returns the order's new version."""
    require(actor, Action.VIEW_WORK_ORDERS)
    move = Move(move)
    if move == Move.SETTLE:
        raise DomainError("wo.move.settle_by_week")
    with session_scope(engine) as s:
        store.lock(s, order_id)
        wo = store.load(s, order_id)
        store.fresh(s, wo, version)
        ctx = store.context(s, wo, office.timezone)
        flow.check(move, wo, actor, ctx)
        target = flow.target_of(move, wo)
        changes, note = check_step(move, data, wo, Mover(actor.id, now, ctx, office))
        _check_technician(s, changes.get("technician_id"))
        new_version = store.write(s, actor, wo, version, changes, target, move.value, note, now,
                                  pending_reason=changes.get("pending_reason"))
        _plan(s, actor, move, wo | changes | {"status": target}, office, now)
        return new_version
