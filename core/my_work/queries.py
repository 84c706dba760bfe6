"""My work: the manager's work-order counts for the office or one person, and the week's lead activity (L-2).

"This week" is office-local (Monday to Sunday) and comes from `now` and the office time zone, both
arguments. Every count is one SQL aggregate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import BigInteger, Engine, case, cast, func, or_, select

from core.clock import office_day
from core.lists import day_bounds_utc
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import LeadResult, WorkOrderStatus
from db.models import LeadContact, User, WorkOrder

AWAITING_ACCEPTANCE = (WorkOrderStatus.COMPLETED, WorkOrderStatus.RETURNED)
ACTIVITY_COLUMNS = ("specialist", "dialed", "completed", "appointments", "recommendations", "sales",
                    "sales_amount_cents")


office_today = office_day  # the page's name for it


def week_of(day: date) -> tuple[date, date]:
    """The office week (Monday to Sunday) holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _mine(user_id: int | None, *columns) -> list:
    return [] if user_id is None else [or_(*(c == user_id for c in columns))]


def _count(s, *conditions) -> int:
    return s.scalar(select(func.count()).select_from(WorkOrder).where(*conditions)) or 0


def work_order_counts(engine: Engine, actor: Actor, user_id: int | None = None) -> dict[str, int]:
    """The manager's work-order tiles: WO-3 not yet dispatched (new); WO-5 completed or returned and not yet
    accepted. One person's share: the orders they took in or repair. Callbacks are counted by
    core.callbacks.queries.queue_counts and complaints by the agenda's own list, so each tile agrees with the
    list it opens. VIEW_WORK_ORDERS only."""
    require(actor, Action.VIEW_WORK_ORDERS)
    mine = _mine(user_id, WorkOrder.technician_id, WorkOrder.intake_by_id)
    with session_scope(engine) as s:
        return {"wo_new": _count(s, WorkOrder.status == WorkOrderStatus.NEW, *mine),
                "wo_awaiting_acceptance": _count(s, WorkOrder.status.in_(AWAITING_ACCEPTANCE), *mine)}


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
