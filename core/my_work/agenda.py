"""What each role's My work lists, most urgent first (issue 10): a few items per section, each with its id so
the page links it to its record; the section's count comes from the list it opens, so the two agree.

Callbacks come from core.callbacks.queries (the queue's own order and counts); "today" is office-local."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, func, select

from core.callbacks.flow import may_work
from core.callbacks.queries import OPEN_STATUSES, CallbackFilter, list_callbacks
from core.clock import office_day
from core.complaints.queries import ComplaintFilter, list_complaints
from core.kpi import (
    KpiFilter,
    attempt_counts,
    attempt_days,
    callback_completion_rate,
    callback_days,
    callback_on_time_rate,
    callback_weeks,
    complaints_closed_by_deadline,
    default_range,
    reach_rate,
)
from core.lists import Page, paginate
from core.permissions import Action, Actor, require
from core.work_orders.board import IN_HAND
from core.work_orders.queries import fee_to_settle
from db.engine import session_scope
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, ComplaintStatus
from db.models import Complaint, Customer, WorkOrder

SHOWN = 10  # items listed per section; its count tile opens the whole list
OPEN_ORDERS = IN_HAND  # the engineer's tile counts what their list shows, completed orders still to sign or return too
OPEN_COMPLAINTS = tuple(s for s in ComplaintStatus if s != ComplaintStatus.CLOSED)


def days_late(due_end: datetime, now: datetime, tz: str) -> int:
    """Office days a callback is late: 0 when its window ended earlier today, 1 when it ended yesterday, ..."""
    return (office_day(now, tz) - office_day(due_end, tz)).days


def callbacks_due(engine: Engine, actor: Actor, user_id: int | None, tz: str, now: datetime,
                  levels: tuple[CallbackLevel, ...] = (), today_only: bool = True) -> Page:
    """Open callbacks (of `user_id`, or everyone's; of `levels`, or all the actor reads) due by the end of today
    (or whenever, without `today_only`), in queue order, so the overdue come first; an overdue row carries
    `days_late`."""
    flt = CallbackFilter(OPEN_STATUSES, (), levels, user_id, None, office_day(now, tz) if today_only else None)
    page = list_callbacks(engine, actor, flt, tz, now, 1, SHOWN)
    return replace(page, rows=[r | {"days_late": days_late(r["due_end"], now, tz) if r["overdue"] else None}
                               for r in page.rows])


def promised_replies(engine: Engine, actor: Actor, user_id: int, tz: str, now: datetime) -> Page:
    """CB-8: the replies this person promised a customer and has not yet given, the earliest promise first."""
    flt = CallbackFilter(OPEN_STATUSES, (CallbackKind.PROMISED_REPLY,), (), user_id)
    return list_callbacks(engine, actor, flt, tz, now, 1, SHOWN)


def next_callback(engine: Engine, actor: Actor, tz: str, now: datetime) -> int | None:
    """The next call to make: the actor's most urgent open callback of a level they work (CB-1), in queue order
    (due first; VIP, then key customers, at equal due time, C-2). None when there is nothing to call."""
    levels = tuple(level for level in CallbackLevel if may_work(actor, level))
    flt = CallbackFilter((CallbackStatus.OPEN,), (), levels, actor.id)
    rows = list_callbacks(engine, actor, flt, tz, now, 1, 1).rows if levels else []
    return rows[0]["id"] if rows else None


def complaints_needing_attention(engine: Engine, actor: Actor, tz: str, now: datetime) -> Page:
    """CP-5: escalated or overdue complaints not yet closed, across the office, the oldest received first (the
    one that has waited longest is the manager's first)."""
    return list_complaints(engine, actor, ComplaintFilter(only_attention=True), tz, now, 1, SHOWN, "received_at")


def my_complaints(engine: Engine, actor: Actor, tz: str, now: datetime) -> Page:
    """CP-5: the open complaints this person owns (a specialist or an engineer), what is due next first: the
    first response until given, then the promised reply; those with nothing due (replied, waiting for the
    follow-up or the verification) last. Each row carries `next_due` and `overdue`."""
    flt = ComplaintFilter(statuses=OPEN_COMPLAINTS, owner_id=actor.id)
    return list_complaints(engine, actor, flt, tz, now, 1, SHOWN, "next_due")


def my_corrective_actions(engine: Engine, actor: Actor, now: datetime) -> Page:
    """CP-2 / CP-4: the complaints found ours whose corrective and preventive action (CAPA) this person must carry
    out (status capa_requested, capa_owner_id = the actor), the earliest CAPA due date first. Each row carries
    `next_due` (the CAPA due date) and `overdue` (that date passed, `now`). VIEW_COMPLAINTS only."""
    require(actor, Action.VIEW_COMPLAINTS)
    where = (Complaint.capa_owner_id == actor.id, Complaint.status == ComplaintStatus.CAPA_REQUESTED)
    stmt = (select(Complaint.id, Complaint.number, Customer.name.label("customer"), Complaint.status,
                   Complaint.capa_due.label("next_due"))
            .outerjoin(Customer, Customer.id == Complaint.customer_id).where(*where)
            .order_by(Complaint.capa_due.is_(None), Complaint.capa_due, Complaint.id))
    with session_scope(engine) as s:
        page = paginate(s, stmt, 1, SHOWN, select(func.count()).select_from(Complaint).where(*where))
    return replace(page, rows=[r | {"overdue": r["next_due"] is not None and r["next_due"] < now}
                               for r in page.rows])


def my_open_orders(engine: Engine, actor: Actor) -> Page:
    """An engineer's work orders still in their hands (WO-4: dispatched to them and not yet returned, so a
    completed order still to sign or return counts: the same as board.engineer_orders lists), the longest
    waiting first."""
    require(actor, Action.VIEW_WORK_ORDERS)
    where = (WorkOrder.technician_id == actor.id, WorkOrder.status.in_(OPEN_ORDERS))
    stmt = (select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), WorkOrder.status,
                   WorkOrder.intake_at).join(Customer, Customer.id == WorkOrder.customer_id)
            .where(*where).order_by(WorkOrder.intake_at, WorkOrder.id))
    with session_scope(engine) as s:
        return paginate(s, stmt, 1, SHOWN, select(func.count()).select_from(WorkOrder).where(*where))


def fees_to_settle(engine: Engine, actor: Actor) -> tuple[Page, int]:
    """WO-8: completed work orders with a fee and no settlement yet, the earliest completed first; and the sum
    of those fees in cents."""
    require(actor, Action.SETTLE_FEE)
    where = fee_to_settle()
    stmt = (select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"), WorkOrder.fee_cents,
                   WorkOrder.completed_at).join(Customer, Customer.id == WorkOrder.customer_id)
            .where(*where).order_by(WorkOrder.completed_at, WorkOrder.id))
    with session_scope(engine) as s:
        total = s.scalar(select(func.coalesce(func.sum(WorkOrder.fee_cents), 0)).where(*where))
        return paginate(s, stmt, 1, SHOWN, select(func.count()).select_from(WorkOrder).where(*where)), int(total)


def kpi_headlines(engine: Engine, actor: Actor, tz: str, now: datetime) -> dict[str, float | None]:
    """The KPI page's first headlines (K-1, K-3) over its default range, by KPI name; None: no data."""
    require(actor, Action.VIEW_KPIS)
    f = KpiFilter(*default_range(office_day(now, tz)))
    # only the days' and the range's sums are read (summed in SQL: core.kpi.rollups.read `by`)
    weeks = callback_weeks(callback_days(engine, f, tz, ("day",)), f)
    attempts = attempt_counts(attempt_days(engine, f, tz, ()))
    return {"callback_completion_rate": callback_completion_rate(weeks),
            "callback_on_time_rate": callback_on_time_rate(weeks), "reach_rate": reach_rate(attempts),
            "complaints_closed_by_deadline": complaints_closed_by_deadline(engine, f, tz, now)}
