"""The weekly office report's figures (issue 14), as plain JSON-able data: what the printable page, the PDF and
the mail all show, stored once per week in weekly_reports.data. Every figure is one SQL aggregate, or a KPI
function of core.kpi (so the report says what the dashboard says for the same week)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, case, func, or_, select
from sqlalchemy.orm import aliased

from core import kpi
from core.clock import office_day
from core.lists import day_bounds_utc
from core.my_work.queries import weekly_activity
from core.work_orders.finance import paid_week
from db.engine import session_scope
from db.enums import PendingReason, WorkOrderStatus
from db.models import User, WorkOrder, WorkOrderEvent

# The headline KPIs of the week, in the order shown, each with how its value reads (percent, score, money).
HEADLINE = {
    "callback_completion_rate": "percent", "callback_on_time_rate": "percent", "reach_rate": "percent",
    "average_score": "score", "complaints_closed_by_deadline": "percent", "dispatch_within_target": "percent",
    "paid_service_revenue": "money",
}
ACTIVITY = ("dialed", "completed", "appointments", "recommendations", "sales", "sales_amount_cents")
UNFINISHED = ("number", "status", "pending_reason", "age_days", "technician", "delay_reason", "incomplete_reason")
PAID = ("number", "customer", "fee_cents", "collected_on_site", "invoice_no", "status")
DONE = (WorkOrderStatus.COMPLETED, WorkOrderStatus.RETURNED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.SETTLED,
        WorkOrderStatus.CLOSED)


def last_week(now: datetime, tz: str) -> date:
    """The Monday of the last office week that has ended at `now` (weeks run Monday to Sunday, office time)."""
    today = office_day(now, tz)
    return today - timedelta(days=today.weekday() + 7)


REPORT_HOUR = 7  # a week's report is due at 07:00 office time on the Monday after it (issue 14)


def due_week(now: datetime, tz: str) -> date:
    """The Monday of the latest week whose report is due at `now`: the last finished office week from Monday
    07:00 office time on, the week before it in Monday's first seven hours (the office's zone as it is now, so a
    changed zone moves the hour without a restart; wall-clock hours, whatever daylight saving does)."""
    local = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None) - timedelta(hours=REPORT_HOUR)
    return local.date() - timedelta(days=local.weekday() + 7)


def week_end(week_start: date) -> date:
    return week_start + timedelta(days=6)


def headline(engine: Engine, week_start: date, tz: str, now: datetime, dispatch_target: int) -> dict:
    """The headline KPIs of the office week starting `week_start`, from core.kpi's own functions with the whole
    office's filter (no staff, grade or type narrowing): None where a KPI has no data."""
    f = kpi.KpiFilter(week_start, week_end(week_start))
    weeks = kpi.callback_weeks(kpi.callback_days(engine, f, tz, ("day",)), f)  # summed in SQL by what each needs
    attempts = kpi.attempt_counts(kpi.attempt_days(engine, f, tz, ()))
    intake = kpi.order_intake_days(engine, f, tz, dispatch_target, ("day",))
    dispatch = kpi.dispatch_counts(intake, kpi.awaiting_dispatch(engine, f, tz, now, dispatch_target))
    return {
        "callback_completion_rate": kpi.callback_completion_rate(weeks),
        "callback_on_time_rate": kpi.callback_on_time_rate(weeks),
        "reach_rate": kpi.reach_rate(attempts),
        "average_score": kpi.average_score(attempts),
        "complaints_closed_by_deadline": kpi.complaints_closed_by_deadline(engine, f, tz, now),
        "dispatch_within_target": kpi.dispatch_within_target(dispatch),
        "paid_service_revenue": kpi.paid_service_revenue(kpi.order_done_days(engine, f, tz, ())),
    }


def activity(engine: Engine, week_start: date, tz: str) -> list[dict]:
    """L-2: the week's lead activity per specialist (core.my_work.queries.weekly_activity, asked for a moment
    inside that week): dialed, completed, appointments, recommendations, sales and their amount in cents."""
    noon = datetime.combine(week_start, time(12), ZoneInfo(tz))
    frame = weekly_activity(engine, noon, tz)
    return [{"specialist": r["specialist"], **{k: int(r[k]) for k in ACTIVITY}} for r in frame.to_dict("records")]


def unfinished(engine: Engine, week_start: date, tz: str) -> list[dict]:
    """WO-7: the work orders unfinished at the end of the week: taken in before the week ended and, at the
    week's end, not completed (no completion time yet, or one after the week's end). Each with its status and
    pending reason at the week's end (the last step of its history before then; an order without history, its
    status now), its age in whole days from intake to the week's end, its technician, and its delay and
    incompletion reasons as typed. Oldest first."""
    _, end = day_bounds_utc(week_start, week_end(week_start), tz)
    tech = aliased(User)
    not_done = or_(WorkOrder.completed_at.is_(None) & WorkOrder.status.not_in(DONE), WorkOrder.completed_at >= end)
    step = (select(WorkOrderEvent.id).where(WorkOrderEvent.work_order_id == WorkOrder.id, WorkOrderEvent.at < end)
            .order_by(WorkOrderEvent.at.desc(), WorkOrderEvent.id.desc()).limit(1).scalar_subquery())
    last = aliased(WorkOrderEvent)
    status = func.coalesce(last.to_status, WorkOrder.status).label("status")
    reason = case((last.id.is_(None), WorkOrder.pending_reason), else_=last.pending_reason).label("pending_reason")
    stmt = (select(WorkOrder.number, status, reason, WorkOrder.intake_at,
                   tech.display_name.label("technician"), WorkOrder.delay_reason, WorkOrder.incomplete_reason)
            .outerjoin(tech, tech.id == WorkOrder.technician_id).outerjoin(last, last.id == step)
            .where(WorkOrder.intake_at < end, not_done).order_by(WorkOrder.intake_at, WorkOrder.number))
    with session_scope(engine) as s:
        rows = s.execute(stmt).mappings().all()
    return [{"number": r["number"], "status": WorkOrderStatus(r["status"]).value,
             "pending_reason": None if r["pending_reason"] is None or r["status"] != WorkOrderStatus.PENDING
             else PendingReason(r["pending_reason"]).value,
             "age_days": (end - r["intake_at"]).days, "technician": r["technician"],
             "delay_reason": r["delay_reason"], "incomplete_reason": r["incomplete_reason"]} for r in rows]


def paid(engine: Engine, week_start: date, tz: str) -> dict:
    """WO-8: finance's list of the week's paid orders (core.work_orders.finance.paid_week) with its totals."""
    week = paid_week(engine, week_start, tz)
    return {"rows": [{k: (str(r[k]) if k == "status" else r[k]) for k in PAID} for r in week["rows"]],
            "total_cents": week["total_cents"], "on_site_cents": week["on_site_cents"],
            "to_invoice_cents": week["to_invoice_cents"], "signed_by": week["signed_by"],
            "signed_at": None if week["signed_at"] is None else week["signed_at"].isoformat()}


def weekly_data(engine: Engine, week_start: date, tz: str, now: datetime, dispatch_target: int = 5,
                currency: str = "CNY") -> dict:
    """Everything the report of the office week starting `week_start` (a Monday) shows, JSON-able: the
    headline KPIs with the previous week's values, the L-2 activity table, the unfinished orders (WO-7) and the
    paid list (WO-8). `now` is when it is built (KPIs that depend on the moment, like deadlines passed)."""
    this = headline(engine, week_start, tz, now, dispatch_target)
    before = headline(engine, week_start - timedelta(weeks=1), tz, now, dispatch_target)
    return {
        "week_start": week_start.isoformat(), "week_end": week_end(week_start).isoformat(), "timezone": tz,
        "currency": currency, "built_at": now.isoformat(),
        "headline": [{"name": n, "kind": kind, "value": this[n], "previous": before[n]}
                     for n, kind in HEADLINE.items()],
        "activity": activity(engine, week_start, tz),
        "unfinished": unfinished(engine, week_start, tz),
        "paid": paid(engine, week_start, tz),
    }
