"""Lead KPIs (K-5): the weekly funnel of L-2 and the A/B/C follow-ups of L-1. One SQL aggregate,
`lead_contact_days` (lead contacts per office day and specialist), feeds the funnel per week, per specialist
and per weekday and the headline figures; `lead_follow_ups` counts the follow-ups per class. The KPI functions
are pure functions of those frames; their docstrings are the definitions managers read."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import BigInteger, Engine, Select, case, cast, func, select

from core.kpi.local_days import day_number, day_of, epoch_seconds, offsets
from core.kpi.sql import KpiFilter, in_range, monday, narrow, ratio, weeks
from core.leads.rules import interval_days
from core.lists import day_bounds_utc
from db.engine import session_scope
from db.enums import LeadClass, LeadResult
from db.models import Lead, LeadContact

RESULT = LeadContact.result
# L-2's stages, each the condition a lead contact meets to count (None: every contact). "Completed" is the
# office's own definition (core.my_work.queries.weekly_activity): the lead answered, any result but no_answer.
STAGES = {
    "dialed": None,
    "completed": RESULT != LeadResult.NO_ANSWER,
    "appointments": RESULT == LeadResult.APPOINTMENT,
    "recommendations": RESULT == LeadResult.RECOMMENDATION,
    "sales": RESULT == LeadResult.SALE,
}
MEASURES = (*STAGES, "sales_amount_cents")
DAY_COLUMNS = ["day", "user_id", *MEASURES]
WEEKDAYS = range(7)  # Monday 0 .. Sunday 6, the office day of the contact
FOLLOW_UP_COLUMNS = ["lead_class", "due", "on_time"]
MARGIN = timedelta(days=2)  # the offsets are exact this far around the range (a due date outside it decides alone)


def graded_leads(f: KpiFilter) -> Select:
    """The ids of the leads the customer-grade filter keeps: leads of a customer of those grades."""
    return narrow(select(Lead.id), f, customer=Lead.customer_id)


def contacts(f: KpiFilter, tz: str, *columns) -> Select:
    """Lead contacts made in the date range, narrowed to the staff member (the contact's user) and to leads
    of customers of the chosen grades."""
    stmt = narrow(select(*columns).select_from(LeadContact), f, staff=LeadContact.user_id)
    if f.grades:
        stmt = stmt.where(LeadContact.lead_id.in_(graded_leads(f)))
    return in_range(stmt, LeadContact.contacted_at, f, tz)


def span(f: KpiFilter, tz: str):
    """The office's UTC offsets over the range and a margin around it (core.kpi.local_days)."""
    lo, hi = day_bounds_utc(f.start, f.end, tz)
    return offsets(lo - MARGIN, hi + MARGIN, tz)


def office_day_number(column, f: KpiFilter, tz: str, dialect: str):
    return day_number(epoch_seconds(column, dialect), span(f, tz))


def lead_contact_days(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """The aggregate behind K-5 (L-2): lead contacts made in the date range per office day of the contact
    and per specialist (the contact's user): dialed, completed, appointments, recommendations, sales and the
    sales amount in cents; one row per (day, user_id) with at least one contact."""
    day = office_day_number(LeadContact.contacted_at, f, tz, engine.dialect.name).label("day_no")
    counts = [(func.count() if c is None else func.sum(case((c, 1), else_=0))).label(n) for n, c in STAGES.items()]
    amount = cast(func.sum(case((STAGES["sales"], LeadContact.sale_amount_cents), else_=0)), BigInteger)
    stmt = contacts(f, tz, day, LeadContact.user_id, *counts, amount.label("sales_amount_cents"))
    with session_scope(engine) as s:
        rows = s.execute(stmt.group_by("day_no", LeadContact.user_id).order_by("day_no", LeadContact.user_id)).all()
    return pd.DataFrame([[day_of(r[0]), r[1], *(int(v or 0) for v in r[2:])] for r in rows], columns=DAY_COLUMNS)


def _summed(days: pd.DataFrame, key: pd.Series, name: str, keys) -> pd.DataFrame:
    sums = days[list(MEASURES)].groupby(key.rename(name)).sum() if len(days) else pd.DataFrame()
    rows = [{name: k, **{m: int(sums.at[k, m]) if k in sums.index else 0 for m in MEASURES}} for k in keys]
    return pd.DataFrame(rows, columns=[name, *MEASURES])


def lead_funnel_per_week(days: pd.DataFrame, f: KpiFilter) -> pd.DataFrame:
    """Lead funnel per week (K-5, L-2): lead contacts made in the week (the contact time, office-local weeks
    Monday to Sunday) counted per stage: dialed (every contact), completed (the lead answered: any result but
    no answer), appointments, recommendations and sales (contacts with that result), and the sales amount (the
    sum of the sales' amounts). Every week of the date range is listed; a week without contacts counts
    0. Filters: staff (the contact's user), customer grade (leads linked to a customer of that grade)."""
    return _summed(days, days["day"].map(monday), "week", [w for w in weeks(f.start, f.end)])


def lead_funnel_per_specialist(days: pd.DataFrame) -> pd.DataFrame:
    """Lead funnel per specialist (K-5, L-2): lead contacts made in the date range counted per stage as in the
    weekly funnel (dialed, completed, appointments, recommendations, sales, sales amount), per
    specialist who made the contact; only specialists with a contact are listed.
    Timestamp: the contact time. Filters: staff (the contact's user), customer grade."""
    keys = sorted(set(days["user_id"]))
    return _summed(days, days["user_id"], "user_id", keys)


def lead_funnel_per_weekday(days: pd.DataFrame) -> pd.DataFrame:
    """Lead funnel per weekday (K-5, L-2): lead contacts made in the date range counted per stage as in the
    weekly funnel, per day of the week of the contact (office-local; 0 Monday to 6 Sunday). Every weekday is
    listed; a weekday without contacts counts 0. Filters: staff (the contact's user), customer grade."""
    return _summed(days, days["day"].map(date.weekday), "weekday", list(WEEKDAYS))


def lead_sales_amount(days: pd.DataFrame) -> int | None:
    """Lead sales amount (K-5, L-2): the sum of the amounts of the lead contacts that made a sale in the date
    range (kept in cents, shown in the office's currency). Timestamp: the contact time. No lead contact at all:
    no data (None, shown as —); contacts but no sale: 0. Filters: staff (the contact's user), customer grade."""
    return int(days["sales_amount_cents"].sum()) if len(days) else None


def lead_conversion_rate(days: pd.DataFrame) -> float | None:
    """Lead conversion rate (K-5, L-2). Numerator: lead contacts that made a sale. Denominator: lead contacts
    made (dialed) in the date range. Timestamp: the contact time. No contact: no data (None, shown as —).
    Filters: staff (the contact's user), customer grade."""
    return ratio(days["sales"].sum(), days["dialed"].sum())


def follow_ups(f: KpiFilter, tz: str, settings, dialect: str):
    """Every follow-up contact made in the date range, with its class and whether it was on time (see
    lead_follow_ups_on_schedule): a subquery [contact_id, lead_id, user_id, contacted_at, lead_class, on_time]."""
    c, lo_hi = LeadContact, day_bounds_utc(f.start, f.end, tz)
    leads = narrow(select(Lead.id), f, staff=Lead.specialist_id, customer=Lead.customer_id)
    touched = in_range(select(c.lead_id).where(c.lead_id.in_(leads)), c.contacted_at, f, tz)
    order = (c.contacted_at, c.id)
    # the class after each contact: its own new class, else the last one set before it (a running group)
    grouped = select(c.id, c.lead_id, c.user_id, c.contacted_at, c.new_class, func.count(c.new_class).over(
        partition_by=c.lead_id, order_by=order).label("grp")).where(c.lead_id.in_(touched), c.contacted_at < lo_hi[1])
    g = grouped.subquery()
    classed = select(g.c.id, g.c.lead_id, g.c.user_id, g.c.contacted_at,
                     func.max(g.c.new_class).over(partition_by=(g.c.lead_id, g.c.grp)).label("cls")).subquery()
    window = {"partition_by": classed.c.lead_id, "order_by": (classed.c.contacted_at, classed.c.id)}
    lagged = select(classed, func.lag(classed.c.contacted_at).over(**window).label("prev_at"),
                    func.lag(classed.c.cls).over(**window).label("prev_cls")).subquery()
    klass = func.coalesce(lagged.c.prev_cls, Lead.lead_class)
    interval = case({k.value: interval_days(k, settings) * 86400 for k in LeadClass}, value=klass)
    changes = span(f, tz)
    made = day_number(epoch_seconds(lagged.c.contacted_at, dialect), changes)
    due = day_number(epoch_seconds(lagged.c.prev_at, dialect) + interval, changes)
    stmt = (select(lagged.c.id.label("contact_id"), lagged.c.lead_id, lagged.c.user_id, lagged.c.contacted_at,
                   klass.label("lead_class"), case((made <= due, 1), else_=0).label("on_time"))
            .join(Lead, Lead.id == lagged.c.lead_id).where(lagged.c.prev_at.is_not(None),
                                                            lagged.c.contacted_at >= lo_hi[0]))
    return stmt.subquery()


def lead_follow_ups(engine: Engine, f: KpiFilter, tz: str, settings) -> pd.DataFrame:
    """The aggregate behind the A/B/C follow-ups (K-5, L-1): per class, follow-up contacts made in the date
    range (`due`) and those made on time (`on_time`); every class listed. `settings`: the office (intervals)."""
    fu = follow_ups(f, tz, settings, engine.dialect.name)
    stmt = select(fu.c.lead_class, func.count(), func.sum(fu.c.on_time)).group_by(fu.c.lead_class)
    with session_scope(engine) as s:
        found = {LeadClass(r[0]): (int(r[1]), int(r[2] or 0)) for r in s.execute(stmt)}
    return pd.DataFrame([[k, *found.get(k, (0, 0))] for k in LeadClass], columns=FOLLOW_UP_COLUMNS)


def lead_follow_ups_on_schedule(counts: pd.DataFrame) -> pd.DataFrame:
    """A/B/C follow-ups on schedule (K-5, L-1). The app keeps only each lead's next follow-up, not the history
    of those due, so the schedule is read from the contacts: every contact with a lead after its first is a
    follow-up, due the class interval (the settings: A 2 days, B 7, C 30 by default) after the lead's previous
    contact, in the class the lead had after that previous contact (the last class a contact set, else the
    lead's class as it stands now). Due: follow-up contacts made in the date range, per class. On time: those
    made on or before the office day the follow-up fell due. Rate: on time ÷ due; a class with no follow-up
    counts 0 and has no rate (None). Follow-ups never made are not counted (the leads list shows the overdue
    ones). Timestamp: the contact time. Filters: staff (the lead's specialist), customer grade."""
    rates = [ratio(o, d) for o, d in zip(counts["on_time"], counts["due"], strict=True)]
    return counts.assign(on_time_rate=pd.Series(rates, index=counts.index, dtype=object))


def lead_follow_up_on_time_rate(counts: pd.DataFrame) -> float | None:
    """Lead follow-ups on time (K-5, L-1). Numerator: follow-up contacts made on or before the office day
    they fell due (the class interval after the lead's previous contact). Denominator: follow-up contacts
    (every contact with a lead after its first) made in the date range. Timestamp: the contact time. No
    follow-up: no data (None, shown as —). Filters: staff (the lead's specialist), customer grade."""
    return ratio(counts["on_time"].sum(), counts["due"].sum())
