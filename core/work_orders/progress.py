"""WO-11: while an order is being repaired the customer is kept informed. An order that goes pending puts a
progress call on the specialists' queue at once; so does an order still unfinished
`work_order.progress_call_days` after intake (the sweep). An internal order (service type D) has no
customer to call and gets none. The stored purpose is the order's number (language-free); the call screen
says the order's current state and reason in the user's language (core.callbacks.queries)."""

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
from db.enums import CallbackKind, ServiceType
from db.models import Callback, WorkOrder

WINDOW_DAYS = 1  # a progress call is made by the end of the next office day


def progress_key(order_id: int, occasion: str) -> str:
    """One progress call per occasion: `pending:<n>` for the order's n-th wait, `late` for the sweep's."""
    return f"progress:work_order:{order_id}:{occasion}"


def purpose(wo: dict) -> str:
    """The stored purpose: the order's number, language-free, for every list that shows a call's purpose;
    the call screen reads the order's current state and reason itself."""
    return str(wo["number"])


def progress_call(wo: dict, occasion: str, at: datetime, tz: str) -> Planned:
    end = day_end(office_day(at, tz) + timedelta(days=WINDOW_DAYS), tz)
    return Planned(progress_key(wo["id"], occasion), CallbackKind.PROGRESS, wo["customer_id"], at, end,
                   product_id=wo.get("product_id"), work_order_id=wo["id"])


def plan_progress_call(s: Session, actor: Actor | None, wo: dict, occasion: str, office: Office, now: datetime) -> None:
    """WO-11: the progress call for `wo` (its columns after the move) in the caller's transaction; none
    for an internal order (type D: no customer to call)."""
    if wo.get("service_type") == ServiceType.INTERNAL:
        return
    created = schedule_at_save(s, actor, [progress_call(wo, occasion, now, office.timezone)], office, now)
    if created:
        s.execute(update(Callback).where(Callback.id.in_(created)).values(purpose=purpose(wo))
                  .execution_options(synchronize_session=False))


SWEEP_CHUNK = 500  # orders planned per transaction by the daily sweep


def _late(s: Session, since: datetime, after_id: int) -> list[dict]:
    """Unfinished customer orders (not internal) taken in before `since` with no late progress call yet (the
    key looked up through its unique index), by id from `after_id`."""
    key = literal("progress:work_order:") + cast(WorkOrder.id, String) + literal(":late")
    called = exists().where(Callback.source_key == key)
    stmt = (select(WorkOrder.id, WorkOrder.number, WorkOrder.status, WorkOrder.pending_reason,
                   WorkOrder.customer_id, WorkOrder.product_id, WorkOrder.service_type)
            .where(WorkOrder.status.in_(UNFINISHED), WorkOrder.service_type != ServiceType.INTERNAL,
                   WorkOrder.intake_at <= since, WorkOrder.id > after_id, ~called)
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
