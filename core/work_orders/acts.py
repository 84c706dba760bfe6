"""What is done on a work order without moving it (core.work_orders.flow.Act): the technician's and the
customer's drawn signatures, the manager's countersign (WO-5, WO-6), the special approval (WO-5), the fee
(WO-8) and a note. Each one: permission, checks, lock, the act's gate, compare-and-set write, event row,
audit row, in one transaction opened here. Nobody signs for somebody else: the gate lets only the order's
own technician's account draw either signature, and only the manager countersign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from core import inputs
from core.audit import log as audit
from core.errors import Invalid
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.work_orders import flow, store
from core.work_orders.flow import Act
from core.work_orders.queries import readable
from core.work_orders.rules import TEXT_MAX
from core.work_orders.signature import check_png
from db.engine import session_scope
from db.enums import AuditAction, SignatureKind
from db.models import WorkOrder, WorkOrderEvent, WorkOrderSignature

NAME_MAX = inputs.limit_of(WorkOrderSignature.signer_name)
SIGN_ACT = {SignatureKind.TECHNICIAN: Act.SIGN_TECHNICIAN, SignatureKind.CUSTOMER: Act.SIGN_CUSTOMER}


def _checked(s: Session, actor: Actor, order_id: int, version: int | None, act: Act, tz: str) -> dict:
    """The order, locked for this transaction, still at `version` (None: any), with `act` open to `actor`."""
    store.lock(s, order_id)
    wo = store.load(s, order_id)
    if version is not None:
        store.fresh(s, wo, version)
    flow.check_act(act, wo, actor, store.context(s, wo, tz))
    return wo


def _signer(kind: SignatureKind, actor: Actor, name: str | None) -> str:
    """WO-5: the technician signs as themselves (their display name); the customer prints their name."""
    if kind == SignatureKind.TECHNICIAN:
        return actor.display_name
    return inputs.required(name, "signer_name", NAME_MAX, inputs.Kind.NAME, missing="wo.sign.name_required")


def sign(engine: Engine, actor: Actor, order_id: int, version: int, kind: SignatureKind, png: bytes,
         signer_name: str | None, now: datetime) -> int:
    """WO-5/WO-6: a signature drawn on the technician's device, kept with the order (the image, who held the
    pad, the signer's name, when, its sha256 in the audit log, never the bytes). Drawn again, it replaces
    the same kind's while the flow still allows it. Returns the order's new version."""
    require(actor, Action.VIEW_WORK_ORDERS)
    kind = SignatureKind(kind)
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        wo = _checked(s, actor, order_id, version, SIGN_ACT[kind], tz)
        name = _signer(kind, actor, signer_name)
        digest = check_png(png)
        s.execute(delete(WorkOrderSignature).where(WorkOrderSignature.work_order_id == order_id,
                                                   WorkOrderSignature.kind == kind))
        s.add(WorkOrderSignature(work_order_id=order_id, kind=kind, signer_name=name, captured_by_id=actor.id,
                                 png=bytes(png), sha256=digest, signed_at=now))
        changes = {"technician_signed_at": now} if kind == SignatureKind.TECHNICIAN else \
            {"customer_signed_name": name, "customer_signed_at": now}
        return store.write(s, actor, wo, version, changes, wo["status"], SIGN_ACT[kind].value, None, now,
                           extra={"sha256": digest, "signer_name": name})


def countersign(engine: Engine, actor: Actor, order_id: int, version: int, now: datetime) -> int:
    """WO-6: the department manager countersigns the recorded service time and work done, with their own
    account, after the technician signed and before the customer does."""
    require(actor, Action.VIEW_WORK_ORDERS)
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        wo = _checked(s, actor, order_id, version, Act.COUNTERSIGN, tz)
        changes = {"manager_countersigned_by_id": actor.id, "manager_countersigned_at": now}
        return store.write(s, actor, wo, version, changes, wo["status"], Act.COUNTERSIGN.value, None, now)


def approve(engine: Engine, actor: Actor, order_id: int, version: int, reason: str | None, now: datetime) -> int:
    """WO-5: a manager's special approval of a returned order that lacks a signature or completion, with a
    required reason, recorded on the order and in the audit log (rules.WAIVABLE says what it stands in for)."""
    require(actor, Action.VIEW_WORK_ORDERS)
    text = inputs.required(reason, "reason", TEXT_MAX, inputs.Kind.TEXT, missing="wo.approve.reason_required")
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        wo = _checked(s, actor, order_id, version, Act.APPROVE, tz)
        changes = {"special_approval_by_id": actor.id, "special_approval_note": text, "special_approval_at": now}
        return store.write(s, actor, wo, version, changes, wo["status"], Act.APPROVE.value, text, now)


def _collected(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("wo.fee.bad_collected", field="fee_collected_on_site")
    return value


def record_fee(engine: Engine, actor: Actor, order_id: int, version: int, fee_cents: int, collected_on_site: bool,
               now: datetime) -> int:
    """WO-8: the fee of a paid order in whole cents (never a float), and whether it was collected on site (then
    handed to finance, who invoices) or is to be invoiced; until the order is accepted."""
    require(actor, Action.VIEW_WORK_ORDERS)
    cents = inputs.money_cents(fee_cents, "fee_cents", "wo.fee.bad_amount")
    collected = _collected(collected_on_site)
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        wo = _checked(s, actor, order_id, version, Act.FEE, tz)
        changes = {"fee_cents": cents, "fee_collected_on_site": collected}
        return store.write(s, actor, wo, version, changes, wo["status"], Act.FEE.value, None, now)


def add_note(engine: Engine, actor: Actor, order_id: int, text: str | None, now: datetime) -> None:
    """A note on the order's history by the parties of flow.ACTIONS[Act.NOTE] (the order's technician, the
    desk, the dispatcher, finance), while it is open. No version change: a
    note never collides with a move."""
    require(actor, Action.VIEW_WORK_ORDERS)
    note = inputs.required(text, "note", TEXT_MAX, inputs.Kind.TEXT, missing="wo.note_required")
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        wo = store.load(s, order_id)
        flow.check_act(Act.NOTE, wo, actor, store.context(s, wo, tz))
        event = WorkOrderEvent(work_order_id=order_id, at=now, user_id=actor.id, from_status=wo["status"],
                               to_status=wo["status"], move=Act.NOTE.value, note=note)
        s.add(event)
        s.flush()
        audit.record(s, actor, "work_order", order_id, AuditAction.UPDATE, None, None, at=now,
                     extra={"note_event_id": event.id})


def signature_png(engine: Engine, actor: Actor, order_id: int, kind: SignatureKind) -> bytes | None:
    """The drawn signature of `kind` on the order, or None: none drawn, or an order the actor may not read
    (VIEW_WORK_ORDERS; an engineer's own orders, queries.readable)."""
    scope = readable(actor)
    with session_scope(engine) as s:
        return s.scalar(select(WorkOrderSignature.png)
                        .join(WorkOrder, WorkOrder.id == WorkOrderSignature.work_order_id)
                        .where(WorkOrderSignature.work_order_id == order_id,
                               WorkOrderSignature.kind == SignatureKind(kind), *scope))
