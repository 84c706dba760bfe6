"""The complaints (K-3) and leads (K-5) areas read from their rollups (kpi_complaint_days, kpi_lead_contact_days):
the same names and contracts as the reference functions over the base tables (core.kpi.complaints,
core.kpi.leads), which stay the reference these must equal (tests/usecases/test_kpi_rollups.py). Each brings its
rollup up to date first (core.kpi.rollups.refresh), then sums its rows of the range; every filter is a column of
the rollup, so no join.

What stays exact, and how: every complaint figure that depends only on the complaint's own row is a rollup
column; `repeat` (an earlier complaint of the customer about the same model within 90 days) is recounted with
its day, and the trigger marks a customer's later complaints whenever one of theirs is written, moved or removed
(and a product's model change marks its complaints' customers'). The one figure that depends on `now`, whether
an OPEN complaint's promise is decided (its reply deadline passed), is the rollup's count of open complaints
with a deadline less a small live count of those not due yet (index ix_complaints_open_deadline); closed
complaints with a deadline are decided whatever `now`."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from core.kpi import complaints as reference
from core.kpi import leads as lead_reference
from core.kpi.complaints import MEASURES, NO_PRODUCT, UNDECIDED, ComplaintCounts
from core.kpi.rollups import follow_up_intervals, refresh
from core.kpi.rollups.read import narrowed
from core.kpi.sql import KpiFilter, in_range, ratio
from db.enums import ComplaintChannel, ComplaintStatus, LeadClass
from db.models import Complaint, Customer, KpiComplaintDay, KpiLeadContactDay, KpiLeadFollowUpDay, Product

COUNTS = ("received", "responded", "response_ms", "closed", "close_ms", "closed_promised", "open_promised", "kept",
          "judged", "ours", "verified", "repeat", "reopened", "ever_closed")
PROMISES = ("closed_promised", "open_promised")


def _complaint_rows(engine: Engine, f: KpiFilter, tz: str, keys: tuple[str, ...],
                    measures: tuple[str, ...] = COUNTS) -> list[dict]:
    """The rollup's sums of `measures` over the range and filter, per `keys` (columns of kpi_complaint_days)."""
    refresh(engine, tz, None, names=("complaint_days",))
    t = KpiComplaintDay
    group = [getattr(t, k) for k in keys]
    stmt = narrowed(select(*group, *[func.sum(getattr(t, m)).label(m) for m in measures]), t, f, staff="owner_id",
                    complaints=True)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt.group_by(*group) if group else stmt)]


def _decided(engine: Engine, f: KpiFilter, tz: str, now: datetime, sums: dict) -> int:
    """Complaints whose promise is decided at `now` (CP-2): those closed with a reply deadline and those open
    with one (the rollup's), less the open ones whose deadline has not passed yet: a live count that reads only
    open complaints not due (a partial index on the deadline)."""
    promised = int(sums["closed_promised"] or 0) + int(sums["open_promised"] or 0)
    if not int(sums["open_promised"] or 0):
        return promised
    c = Complaint
    stmt = select(func.count()).select_from(c).where(c.closed_at.is_(None), c.reply_deadline >= now)
    if f.staff_id:
        stmt = stmt.where(c.owner_id == f.staff_id)
    if f.grades:
        stmt = stmt.join(Customer, Customer.id == c.customer_id).where(Customer.grade.in_(f.grades))
    if f.complaint_channels:
        stmt = stmt.where(c.channel.in_(f.complaint_channels))
    if f.models:
        stmt = stmt.join(Product, Product.id == c.product_id).where(Product.model.in_(f.models))
    with engine.connect() as conn:
        return promised - int(conn.execute(in_range(stmt, c.received_at, f, tz)).scalar_one())


def complaint_counts(engine: Engine, f: KpiFilter, tz: str, now: datetime) -> ComplaintCounts:
    rows = _complaint_rows(engine, f, tz, ("model", "cause"))
    sums = {m: sum(int(r[m] or 0) for r in rows) for m in COUNTS}
    totals: dict[str, float] = {m: sums[m] for m in MEASURES if m in sums}
    totals["response_s"] = sums["response_ms"] / 1000.0
    totals["close_s"] = sums["close_ms"] / 1000.0
    totals["decided"] = _decided(engine, f, tz, now, sums)
    by_model: dict[str, int] = {}
    by_cause: dict[str, int] = {}
    for r in rows:
        model, cause = r["model"] or NO_PRODUCT, r["cause"] or UNDECIDED
        by_model[model] = by_model.get(model, 0) + int(r["received"])
        by_cause[cause] = by_cause.get(cause, 0) + int(r["received"])
    return ComplaintCounts({m: totals[m] for m in MEASURES}, by_model, by_cause)


def complaints_by_channel(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    rows = _complaint_rows(engine, f, tz, ("channel", "status"), ("received",))
    return pd.DataFrame([{"channel": ComplaintChannel(r["channel"]), "status": ComplaintStatus(r["status"]),
                          "count": int(r["received"])} for r in rows], columns=["channel", "status", "count"])


def complaints_closed_by_deadline(engine: Engine, f: KpiFilter, tz: str, now: datetime) -> float | None:
    (row,) = _complaint_rows(engine, f, tz, (), ("received", "kept", *PROMISES))
    if not row["received"]:
        return None
    return ratio(row["kept"], _decided(engine, f, tz, now, row))


def lead_contact_days(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    refresh(engine, tz, None, names=("lead_contact_days",))
    t, measures = KpiLeadContactDay, lead_reference.MEASURES
    stmt = narrowed(select(t.day, t.user_id, *[func.sum(getattr(t, m)) for m in measures]), t, f, staff="user_id")
    with engine.connect() as conn:
        rows = conn.execute(stmt.group_by(t.day, t.user_id).order_by(t.day, t.user_id)).all()
    return pd.DataFrame([[r[0], r[1], *(int(v or 0) for v in r[2:])] for r in rows],
                        columns=lead_reference.DAY_COLUMNS)


def lead_follow_ups(engine: Engine, f: KpiFilter, tz: str, settings) -> pd.DataFrame:
    intervals = follow_up_intervals(settings)
    refresh(engine, tz, None, names=("lead_follow_up_days",), intervals=intervals)
    t = KpiLeadFollowUpDay
    stmt = narrowed(select(t.lead_class, func.sum(t.due), func.sum(t.on_time)), t, f, staff="specialist_id")
    with engine.connect() as conn:
        found = {LeadClass(r[0]): (int(r[1]), int(r[2] or 0)) for r in conn.execute(stmt.group_by(t.lead_class))}
    return pd.DataFrame([[k, *found.get(k, (0, 0))] for k in LeadClass], columns=lead_reference.FOLLOW_UP_COLUMNS)


# The same definitions as the reference (their docstrings are the KPI definitions the catalog carries).
for _fn, _ref in ((complaint_counts, reference.complaint_counts),
                  (complaints_by_channel, reference.complaints_by_channel),
                  (complaints_closed_by_deadline, reference.complaints_closed_by_deadline),
                  (lead_contact_days, lead_reference.lead_contact_days),
                  (lead_follow_ups, lead_reference.lead_follow_ups)):
    _fn.__doc__ = _ref.__doc__
