"""Building work orders through their own use cases for tests (issue 12): the office's people, a drawn
signature, and an order driven to any stage of WO-4 by the parties the flow allows."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from core.office.settings import load_office
from core.work_orders import services
from core.work_orders.flow import Move
from core.work_orders.rules import NewWorkOrder
from core.work_orders.steps import MoveInput
from db.engine import session_scope
from db.enums import Role, ServiceType, SignatureKind, WorkOrderStatus
from db.models import AuditEntry, WorkOrder
from tests.factories import NOW, make_account, make_customer, make_product

REQUEST = "The pump hums loudly and stops after ten minutes"
WORK_DONE = "Replaced the bearing and ran the pump for an hour"


def drawn_png(width: int = 300, height: int = 120, strokes: bool = True) -> bytes:
    """A signature as the pad sends it: dark strokes on a transparent background (none: a blank pad)."""
    im = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if strokes:
        draw = ImageDraw.Draw(im)
        draw.line([(10, 90), (60, 20), (110, 100), (170, 30), (280, 80)], fill=(20, 20, 20, 255), width=4)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def office_people(engine) -> dict:
    """A customer with a product, and one account of each party, another engineer and another manager."""
    with session_scope(engine) as s:
        customer = make_customer(s, address="8 Canal Road", city="Hangzhou")
        product = make_product(s, customer)
        people = {"specialist": make_account(s, Role.SPECIALIST, display_name="Sam Spec"),
                  "manager": make_account(s, Role.MANAGER, display_name="Mia Manager"),
                  "other_manager": make_account(s, Role.MANAGER, display_name="Max Manager"),
                  "engineer": make_account(s, Role.ENGINEER, display_name="Eli Engineer"),
                  "other_engineer": make_account(s, Role.ENGINEER, display_name="Oz Engineer"),
                  "finance": make_account(s, Role.FINANCE, display_name="Fay Finance")}
        floor = s.scalar(select(func.max(AuditEntry.id))) or 0
        return {"customer": customer.id, "product": product.id, "audit_floor": floor, **people}


def take_in(engine, p, at=NOW, **kw) -> dict:
    fields = {"customer_id": p["customer"], "product_id": p["product"], "contact_name": "Ann Lee",
              "phone": "13800000001", "address": "8 Canal Road", "request": REQUEST,
              "service_type": ServiceType.PAID, "read_back": True} | kw
    return services.take_in(engine, p["specialist"], NewWorkOrder(**fields), load_office(engine), at)


def audit_trail(engine, p, order_id: int) -> list[tuple[str, dict]]:
    """The order's audit rows written by this test (the append-only log keeps earlier tests' rows, and
    SQLite reuses their ids): (action, changes)."""
    with session_scope(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == "work_order",
                                                  AuditEntry.entity_id == str(order_id),
                                                  AuditEntry.id > p["audit_floor"]).order_by(AuditEntry.id))
        return [(r.action, r.changes or {}) for r in rows]


def version(engine, order_id: int) -> int:
    with session_scope(engine) as s:
        return s.get(WorkOrder, order_id).version


def move(engine, actor, order_id: int, mv: Move, at=NOW, **kw) -> int:
    return services.apply_move(engine, actor, order_id, version(engine, order_id), mv, MoveInput(**kw),
                               load_office(engine), at)


def sign(engine, actor, order_id: int, kind: SignatureKind, at=NOW, name: str | None = None, png=None) -> int:
    return services.sign(engine, actor, order_id, version(engine, order_id), kind,
                         drawn_png() if png is None else png, name, at)


# Each stage reached from the one before it, by its party; times an hour apart from intake.
def _dispatch(e, p, i, t):
    move(e, p["manager"], i, Move.DISPATCH, t, technician_id=p["engineer"].id)


def _complete(e, p, i, t):
    move(e, p["engineer"], i, Move.COMPLETE, t, service_ended_at=t, work_done=WORK_DONE)


def _countersigned(e, p, i, t):
    sign(e, p["engineer"], i, SignatureKind.TECHNICIAN, t)
    with session_scope(e) as s:
        paid = s.get(WorkOrder, i).service_type == ServiceType.PAID
    if paid:
        services.record_fee(e, p["engineer"], i, version(e, i), 12_000, False, t)
    services.countersign(e, p["manager"], i, version(e, i), t)


STAGES = [
    (WorkOrderStatus.DISPATCHED, _dispatch),
    (WorkOrderStatus.RECEIVED, lambda e, p, i, t: move(e, p["engineer"], i, Move.RECEIVE, t)),
    (WorkOrderStatus.SURVEY, lambda e, p, i, t: move(e, p["engineer"], i, Move.SURVEY, t)),
    (WorkOrderStatus.IN_REPAIR, lambda e, p, i, t: move(e, p["engineer"], i, Move.REPAIR, t)),
    (WorkOrderStatus.COMPLETED, _complete),
    ("countersigned", _countersigned),
    ("signed", lambda e, p, i, t: sign(e, p["engineer"], i, SignatureKind.CUSTOMER, t, name="Ann Lee")),
    (WorkOrderStatus.RETURNED, lambda e, p, i, t: move(e, p["engineer"], i, Move.RETURN, t)),
    (WorkOrderStatus.ACCEPTED, lambda e, p, i, t: move(e, p["specialist"], i, Move.ACCEPT, t)),
]


def order_at(engine, p, stage, **intake) -> int:
    """A new order (paid unless `service_type` says otherwise) taken to `stage` (a WorkOrderStatus up to
    accepted, "countersigned": completed with the technician's signature, its fee and the countersign, or "signed":
    with the customer's signature too); returns its id."""
    order_id = take_in(engine, p, **intake)["id"]
    at = NOW
    for reached, step in STAGES:
        if stage == WorkOrderStatus.NEW:
            break
        at += timedelta(hours=1)
        step(engine, p, order_id, at)
        if reached == stage:
            break
    return order_id
