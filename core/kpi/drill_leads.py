"""The records behind a mark of the K-5 lead charts (issue 14's drill-down contract): one page of the lead
contacts the mark counts, newest first, with the chart's own filters. A row is a lead contact shown as its
lead (kind "lead", id the lead's id); `at` is the contact time, `status` the lead's status now, `staff` who
made the contact. An unknown pick (stage, class, a week outside the range) is refused: ValueError.
LEAD_DRILLS maps each chart (the KPI function's name) to its drill, for core.kpi.drill.DRILLS."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Engine, Select, func, select

from core.kpi.drill_page import CAP, Rows, number, only, page, week_days
from core.kpi.leads import STAGES, contacts, follow_ups, office_day_number
from core.kpi.local_days import weekday_of
from core.kpi.rollups import follow_up_intervals, refresh
from core.kpi.rollups.read import narrowed
from core.kpi.sql import KpiFilter
from core.office.settings import load_office
from db.models import KpiLeadFollowUpDay, Lead, LeadContact, User

ON_TIME = {"yes": 1, "no": 0}


def _page(engine: Engine, stmt: Select, limit: int, offset: int, total: int | None = None) -> Rows:
    """One page of `stmt` (it selects contact_id, lead_id, at and user_id), newest first, and the total
    (counted, unless given)."""
    rows = stmt.subquery()
    stmt = (select(rows.c.lead_id.label("id"), rows.c.lead_id.label("number"), Lead.name.label("customer"),
                   rows.c.at, Lead.status.label("status"), User.display_name.label("staff"))
            .join(Lead, Lead.id == rows.c.lead_id).outerjoin(User, User.id == rows.c.user_id))
    return page(engine, "lead", stmt, [rows.c.at, rows.c.lead_id, rows.c.contact_id], limit, offset, total=total)


def _stage_contacts(engine: Engine, f: KpiFilter, tz: str, stage: str | None, *where, limit: int, offset: int) -> Rows:
    if stage == "sales_amount_cents":
        stage = "sales"
    if stage not in STAGES:
        raise ValueError(stage)
    stmt = contacts(f, tz, LeadContact.id.label("contact_id"), LeadContact.lead_id,
                    LeadContact.contacted_at.label("at"), LeadContact.user_id).where(*where)
    if STAGES[stage] is not None:
        stmt = stmt.where(STAGES[stage])
    return _page(engine, stmt, limit, offset)


def drill_lead_funnel_per_week(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                               limit: int, offset: int) -> Rows:
    """The lead contacts of one week's stage: pick {"week": its Monday "YYYY-MM-DD", "stage": dialed |
    completed | appointments | recommendations | sales | sales_amount_cents (the sales)}."""
    start, end = week_days(f, only(pick, "week", "stage").get("week", ""))
    return _stage_contacts(engine, replace(f, start=start, end=end), tz, pick.get("stage"), limit=limit,
                           offset=offset)


def drill_lead_funnel_per_specialist(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                                     limit: int, offset: int) -> Rows:
    """The lead contacts of one specialist's stage: pick {"user_id": the contact's user id, "stage": ...}."""
    user = number(only(pick, "user_id", "stage"), "user_id")
    return _stage_contacts(engine, f, tz, pick.get("stage"), LeadContact.user_id == user, limit=limit,
                           offset=offset)


def drill_lead_funnel_per_weekday(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                                  limit: int, offset: int) -> Rows:
    """The lead contacts of one weekday's stage: pick {"weekday": "0" (Monday) .. "6" (Sunday), "stage": ...}."""
    weekday = only(pick, "weekday", "stage").get("weekday", "")
    if weekday not in {str(d) for d in range(7)}:
        raise ValueError(weekday)
    day = office_day_number(LeadContact.contacted_at, f, tz, engine.dialect.name)
    return _stage_contacts(engine, f, tz, pick.get("stage"), weekday_of(day) == int(weekday), limit=limit,
                           offset=offset)


def _follow_up_days(engine: Engine, f: KpiFilter, tz: str, settings, klass: str | None, on_time: str | None
                    ) -> list[tuple[date, int]]:
    """The follow-ups the pick counts per office day of the range, newest day first, read from the rollup the
    chart itself reads (core.kpi.rollups, kpi_lead_follow_up_days), brought up to date first."""
    refresh(engine, tz, None, names=("lead_follow_up_days",), intervals=follow_up_intervals(settings))
    t = KpiLeadFollowUpDay
    counted = {None: t.due, "yes": t.on_time, "no": t.due - t.on_time}[on_time]
    stmt = narrowed(select(t.day, func.sum(counted)), t, f, staff="specialist_id")
    if klass is not None:
        stmt = stmt.where(t.lead_class == klass)
    with engine.connect() as conn:
        return [(d, int(n or 0)) for d, n in conn.execute(stmt.group_by(t.day).order_by(t.day.desc()))]


def drill_lead_follow_ups_on_schedule(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                                      limit: int, offset: int, settings=None) -> Rows:
    """The follow-up contacts of one class: pick {"lead_class": "A" | "B" | "C", "on_time": "yes" | "no"}
    (on_time left out: all of the class's follow-ups; lead_class left out: every class's, as the headline
    "follow-ups on time" lists its numerator, {"on_time": "yes"}). An empty pick is refused. `settings`: the
    office (its intervals), read when None.

    L-1's rule (core.kpi.leads.follow_ups) looks at each touched lead's whole contact history, seconds over two
    years at a million contacts; so the total and the days the page falls on come from the daily rollup, and the
    rule runs only over the newest days that hold the page (a contact's class and due day depend on its lead's
    earlier contacts alone, not on the range it is listed in)."""
    klass, on_time = only(pick, "lead_class", "on_time").get("lead_class"), pick.get("on_time")
    if not pick or (klass is not None and klass not in {"A", "B", "C"}) or (
            on_time is not None and on_time not in ON_TIME):
        raise ValueError(pick)
    settings = settings or load_office(engine)
    days = _follow_up_days(engine, f, tz, settings, klass, on_time)
    total, first, seen = sum(n for _, n in days), f.start, 0
    for day, n in days:  # the oldest day the page still needs: the rows up to offset + limit, newest first
        if n:
            seen, first = seen + n, day
        if seen >= offset + limit:
            break
    if offset >= total:
        return [], min(total, CAP + 1)
    fu = follow_ups(replace(f, start=first), tz, settings, engine.dialect.name)
    stmt = select(fu.c.contact_id, fu.c.lead_id, fu.c.contacted_at.label("at"), fu.c.user_id).where(
        *([] if klass is None else [fu.c.lead_class == klass]),
        *([] if on_time is None else [fu.c.on_time == ON_TIME[on_time]]))
    return _page(engine, stmt, limit, offset, total=total)


def drill_lead_sales(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
                     offset: int) -> Rows:
    """The sales behind the headline figures (sales amount, conversion): every sale in the range;
    pick {} or {"stage": "sales"}."""
    if only(pick, "stage").get("stage", "sales") != "sales":
        raise ValueError(pick["stage"])
    return _stage_contacts(engine, f, tz, "sales", limit=limit, offset=offset)


LEAD_DRILLS = {fn.__name__.removeprefix("drill_"): fn for fn in (
    drill_lead_funnel_per_week, drill_lead_funnel_per_specialist, drill_lead_funnel_per_weekday,
    drill_lead_follow_ups_on_schedule)} | {"lead_sales_amount": drill_lead_sales,
                                           "lead_conversion_rate": drill_lead_sales}
