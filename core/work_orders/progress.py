"""WO-11: while an order is being repaired the customer is kept informed. An order that goes pending puts a
progress call on the specialists' queue at once; so does an order still unfinished
`work_order.progress_call_days` after intake (the sweep). The call's purpose names the order, its state
and its reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, String, cast, exists, literal, select, update
from sqlalchemy.orm import Session

from core.clock import office_day
from core.office.settings import Office, load_office
from core.permissions import Actor
from core.scheduling.rules import Planned, day_end
from core.scheduling.sweep import schedule_at_save
from core.work_orders.flow import UNFINISHED
from db.engine import session_scope
from db.enums import CallbackKind
from db.models import Callback, WorkOrder

WINDOW_DAYS = 1  # a progress call is made by the end of the next office day


def progress_key(order_id: int, occasion: str) -> str:
    """One progress call per occasion: `pending:<n>` for the order's n-th wait, `late` for the sweep's."""
    return f"progress:work_order:{order_id}:{occasion}"


def purpose(wo: dict) -> str:
    """What the specialist tells the customer: the order's number, its state and its reason (catalog-free
    values; the call screen shows them as plain text)."""
    parts = [wo["number"], str(wo["status"])] + ([str(wo["pending_reason"])] if wo.get("pending_reason") else [])
    return " · ".join(parts)


def progress_call(wo: dict, occasion: str, at: datetime, tz: str) -> Planned:
    end = day_end(office_day(at, tz) + timedelta(days=WINDOW_DAYS), tz)
    return Planned(progress_key(wo["id"], occasion), CallbackKind.PROGRESS, wo["customer_id"], at, end,
                   product_id=wo.get("product_id"), work_order_id=wo["id"])


def plan_progress_call(s: Session, actor: Actor | None, wo: dict, occasion: str, office: Office, now: datetime) -> None:
    """WO-11: the progress call for `wo` (its columns after the move) in the caller's transaction."""
    created = schedule_at_save(s, actor, [progress_call(wo, occasion, now, office.timezone)], office, now)
    if created:
        s.execute(update(Callback).where(Callback.id.in_(created)).values(purpose=purpose(wo))
                  .execution_options(synchronize_session=False))


SWEEP_CHUNK = 500  # orders planned per transaction by the daily sweep


def _late(s: Session, since: datetime, after_id: int) -> list[dict]:
    """Unfinished orders taken in before `since` with no late progress call yet (the key looked up through
    its unique index), by id from `after_id`."""
    key = literal("progress:work_order:") + cast(WorkOrder.id, String) + literal(":late")
    called = exists().where(Callback.source_key == key)
    stmt = (select(WorkOrder.id, WorkOrder.number, WorkOrder.status, WorkOrder.pending_reason,
                   WorkOrder.customer_id, WorkOrder.product_id)
            .where(WorkOrder.status.in_(UNFINISHED), WorkOrder.intake_at <= since, WorkOrder.id > after_id, ~called)
            .order_by(WorkOrder.id).limit(SWEEP_CHUNK))
    return [dict(r) for r in s.execute(stmt).mappings()]


def plan_late_progress_calls(engine: Engine, now: datetime) -> int:
    """WO-11, the daily sweep's part: every order still unfinished `work_order.progress_call_days` after
    intake gets one progress call (occasion `late`; its key makes a second run create nothing), planned
    SWEEP_CHUNK orders per transaction. Returns how many were planned."""
    office = load_office(engine)
    since = now - timedelta(days=int(office.get("work_order.progress_call_days")))
    planned, after = 0, 0
    while True:
        with session_scope(engine) as s:
            orders = _late(s, since, after)
            for wo in orders:
                plan_progress_call(s, None, wo, "late", office, now)
        planned += len(orders)
        if len(orders) < SWEEP_CHUNK:
            return planned
        after = orders[-1]["id"]
