"""How a work-order use case reads and writes one order (WO-4): take its row for the transaction, read it
with the gate's context, and write a move or an act as one compare-and-set on the version and status it
was checked against, with its event row and its audit row. The loser of a race learns who moved the
order first."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.audit.queries import latest_change
from core.errors import NotFound, StaleEdit
from core.lists import as_dict
from core.permissions import Actor
from core.work_orders.flow import Act, Context
from core.work_orders.rules import finance_week
from db.enums import AuditAction, SignatureKind, WorkOrderStatus
from db.models import FinanceBatch, User, WorkOrder, WorkOrderEvent, WorkOrderSignature

UNVERSIONED = (Act.NOTE.value,)  # events that leave the version as it was


def lock(s: Session, order_id: int) -> None:
    """Take the order's row for this transaction before reading it (a write, which SQLite also serialises)."""
    s.execute(update(WorkOrder).where(WorkOrder.id == order_id).values(version=WorkOrder.version)
              .execution_options(synchronize_session=False))


def load(s: Session, order_id: int) -> dict:
    wo = s.get(WorkOrder, order_id)
    if wo is None:
        raise NotFound()
    return as_dict(wo)


def signed_kinds(s: Session, order_id: int) -> set[SignatureKind]:
    return set(s.scalars(select(WorkOrderSignature.kind).where(WorkOrderSignature.work_order_id == order_id)))


def week_signed(s: Session, week: date) -> bool:
    """WO-8: whether finance has signed off the week (a signed week is closed to changes)."""
    return s.scalar(select(FinanceBatch.signed_at).where(FinanceBatch.week_start == week)) is not None


def context(s: Session, wo: dict, tz: str) -> Context:
    kinds = signed_kinds(s, wo["id"])
    accepted = wo.get("accepted_at")
    return Context(technician_signed=SignatureKind.TECHNICIAN in kinds,
                   customer_signed=SignatureKind.CUSTOMER in kinds,
                   week_signed=bool(accepted) and week_signed(s, finance_week(accepted, tz)))


def mover(s: Session, order_id: int) -> tuple[str | None, datetime | None]:
    """Who made the order's latest versioned change (their display name, as people know them) and when: named
    when a stale move is refused."""
    row = s.execute(select(User.display_name, WorkOrderEvent.at).join(User, User.id == WorkOrderEvent.user_id)
                    .where(WorkOrderEvent.work_order_id == order_id,
                           or_(WorkOrderEvent.move.is_(None), WorkOrderEvent.move.not_in(UNVERSIONED)))
                    .order_by(WorkOrderEvent.id.desc()).limit(1)).first()
    return (row.display_name, row.at) if row else latest_change(s, "work_order", order_id)


def fresh(s: Session, wo: dict, version: int) -> None:
    """The version the user's form was drawn from is still current, or StaleEdit naming who moved it."""
    if wo["version"] != version:
        who, when = mover(s, wo["id"])
        raise StaleEdit(who=who or "?", when=when)


def write(s: Session, actor: Actor, wo: dict, version: int, changes: dict, to: WorkOrderStatus, move: str,
          note: str | None, now: datetime, pending_reason=None, extra: dict | None = None) -> int:
    """One compare-and-set on the version and status the move was checked against, then the event and the
    audit row (with `extra`, e.g. a signature's sha256). Returns the new version."""
    result = s.execute(update(WorkOrder).where(WorkOrder.id == wo["id"], WorkOrder.version == version,
                                               WorkOrder.status == wo["status"])
                       .values(**changes, status=to, version=WorkOrder.version + 1)
                       .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        who, when = mover(s, wo["id"])
        raise StaleEdit(who=who or "?", when=when)
    s.add(WorkOrderEvent(work_order_id=wo["id"], at=now, user_id=actor.id, from_status=wo["status"], to_status=to,
                         pending_reason=pending_reason, move=move, note=note))
    before = {k: wo.get(k) for k in changes} | {"status": wo["status"]}
    action = AuditAction.TRANSITION if to != wo["status"] else AuditAction.UPDATE
    audit.record(s, actor, "work_order", wo["id"], action, before, changes | {"status": to}, at=now,
                 extra={"move": move} | (extra or {}))
    return version + 1
