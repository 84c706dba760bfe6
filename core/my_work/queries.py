"""My work: today's counts for the office or one person, and the week's lead activity (L-2).

"Today" and "this week" are office-local (Monday to Sunday) and come from `now` and the office time
zone, both arguments. One person's share is: callbacks assigned to them, complaints they own, work
orders they took in or repair, leads they follow. Every count is one SQL aggregate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import BigInteger, Engine, case, cast, func, or_, select

from core.clock import office_day
from core.lists import day_bounds_utc
from db.engine import session_scope
from db.enums import ComplaintStatus, LeadResult, LeadStatus, WorkOrderStatus
from db.models import Complaint, Lead, LeadContact, User, WorkOrder

IN_PROGRESS = (WorkOrderStatus.DISPATCHED, WorkOrderStatus.RECEIVED, WorkOrderStatus.SURVEY,
               WorkOrderStatus.IN_REPAIR)
AWAITING_ACCEPTANCE = (WorkOrderStatus.COMPLETED, WorkOrderStatus.RETURNED)
ACTIVITY_COLUMNS = ("specialist", "dialed", "completed", "appointments", "recommendations", "sales",
                    "sales_amount_cents")


office_today = office_day  # the page's name for it


def today_bounds(now: datetime, tz: str) -> tuple[datetime, datetime]:
    """Today in the office as a half-open UTC interval [start, end)."""
    today = office_today(now, tz)
    return day_bounds_utc(today, today, tz)


def week_of(day: date) -> tuple[date, date]:
    """The office week (Monday to Sunday) holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _count(s, model, *conditions) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def _mine(user_id: int | None, *columns) -> list:
    return [] if user_id is None else [or_(*(c == user_id for c in columns))]


def complaint_counts(s, now: datetime, user_id: int | None) -> dict[str, int]:
    """CP-5: open = not closed; overdue = not closed, not replied, reply_deadline passed; escalated = not closed."""
    base = [Complaint.status != ComplaintStatus.CLOSED, *_mine(user_id, Complaint.owner_id)]
    late = [Complaint.replied_at.is_(None), Complaint.reply_deadline < now]
    return {
        "cp_open": _count(s, Complaint, *base),
        "cp_overdue": _count(s, Complaint, *base, *late),
        "cp_escalated": _count(s, Complaint, *base, Complaint.escalated.is_(True)),
    }


def work_order_counts(s, now: datetime, tz: str, user_id: int | None) -> dict[str, int]:
    """WO-3 not yet dispatched (new); WO-4 in progress; WO-5 completed and not yet returned or accepted;
    completed today = completed_at within today."""
    lo, hi = today_bounds(now, tz)
    mine = _mine(user_id, WorkOrder.technician_id, WorkOrder.intake_by_id)
    return {
        "wo_new": _count(s, WorkOrder, WorkOrder.status == WorkOrderStatus.NEW, *mine),
        "wo_in_progress": _count(s, WorkOrder, WorkOrder.status.in_(IN_PROGRESS), *mine),
        "wo_completed_today": _count(s, WorkOrder, WorkOrder.completed_at >= lo, WorkOrder.completed_at < hi, *mine),
        "wo_awaiting_acceptance": _count(s, WorkOrder, WorkOrder.status.in_(AWAITING_ACCEPTANCE), *mine),
    }


def pending_by_reason(s, user_id: int | None) -> dict:
    """WO-4: pending work orders counted per reason (None when no reason was recorded)."""
    rows = s.execute(select(WorkOrder.pending_reason, func.count()).where(
        WorkOrder.status == WorkOrderStatus.PENDING, *_mine(user_id, WorkOrder.technician_id, WorkOrder.intake_by_id)
    ).group_by(WorkOrder.pending_reason))
    return dict(rows.all())


def lead_counts(s, now: datetime, tz: str, user_id: int | None) -> dict[str, int]:
    """L-1: open leads whose next follow-up falls before the end of today (due today or overdue)."""
    _, hi = today_bounds(now, tz)
    mine = _mine(user_id, Lead.specialist_id)
    return {"lead_due": _count(s, Lead, Lead.status == LeadStatus.OPEN, Lead.next_follow_up < hi, *mine)}


def today_counts(engine: Engine, now: datetime, tz: str, user_id: int | None = None) -> dict:
    """The complaint, work order and lead counts by name; `wo_pending` is the sum of `pending_by_reason` (WO-4).
    Callbacks are counted by core.callbacks.queries.queue_counts, the queue's own tiles, so the pages agree."""
    with session_scope(engine) as s:
        return (complaint_counts(s, now, user_id)
                | work_order_counts(s, now, tz, user_id) | lead_counts(s, now, tz, user_id)
                | _pending(pending_by_reason(s, user_id)))


def _pending(by_reason: dict) -> dict:
    return {"wo_pending": sum(by_reason.values()), "pending_by_reason": by_reason}


def weekly_activity(engine: Engine, now: datetime, tz: str, user_id: int | None = None) -> pd.DataFrame:
    """L-2, this office week per specialist, from lead contacts: dialed = every contact; completed = the
    lead answered (result is not no_answer); appointments, recommendations and sales = contacts with that
    result; sales amount = the sum of their sale amounts in cents. Ordered by specialist name."""
    lo, hi = day_bounds_utc(*week_of(office_today(now, tz)), tz)
    result = LeadContact.result

    def hits(value):
        return func.sum(case((result == value, 1), else_=0))

    stmt = (
        select(User.display_name.label("specialist"), func.count().label("dialed"),
               func.sum(case((result != LeadResult.NO_ANSWER, 1), else_=0)).label("completed"),
               hits(LeadResult.APPOINTMENT).label("appointments"),
               hits(LeadResult.RECOMMENDATION).label("recommendations"), hits(LeadResult.SALE).label("sales"),
               cast(func.coalesce(func.sum(case((result == LeadResult.SALE, LeadContact.sale_amount_cents))), 0),
                    BigInteger).label("sales_amount_cents"))
        .join(User, User.id == LeadContact.user_id)
        .where(LeadContact.contacted_at >= lo, LeadContact.contacted_at < hi, *_mine(user_id, LeadContact.user_id))
        .group_by(User.id, User.display_name).order_by(User.display_name, User.id)
    )
    with session_scope(engine) as s:
        rows = s.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=list(ACTIVITY_COLUMNS))
