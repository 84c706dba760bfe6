"""WO-11: while an order is being repaired the customer is kept informed. An order that goes pending puts a
progress call on the specialists' queue at once; so does an order still unfinished
`work_order.progress_call_days` after intake (the sweep). The call's purpose names the order, its state
and its reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.clock import office_day
from core.office.settings import Office
from core.permissions import Actor
from core.scheduling.rules import Planned, day_end
from core.scheduling.sweep import schedule_at_save
from db.enums import CallbackKind
from db.models import Callback

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


def plan_progress_call(s: Session, actor: Actor, wo: dict, occasion: str, office: Office, now: datetime) -> None:
    """WO-11: the progress call for `wo` (its columns after the move) in the caller's transaction."""
    created = schedule_at_save(s, actor, [progress_call(wo, occasion, now, office.timezone)], office, now)
    if created:
        s.execute(update(Callback).where(Callback.id.in_(created)).values(purpose=purpose(wo))
                  .execution_options(synchronize_session=False))
