"""Complaint KPIs (K-3). Each docstring is the definition managers read. Every complaint KPI selects the
complaints received in the date range (their `received_at`, office-local days). One aggregate,
`complaint_counts`, reads them in two statements: one row of totals (the number meeting each of
`conditions`, and the summed waits) and the counts per product model and per cause; the KPI functions below
only divide or rank. The conditions are defined once, here, so that the drill-down
(core.kpi.drill_complaints) lists exactly the complaints counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, Interval, String, and_, case, func, literal, or_, select, true, type_coerce, union_all

from core.complaints.log import promise_decided, promise_kept
from core.kpi.sql import KpiFilter, in_range, narrow, ratio, seconds_between
from core.lists import day_bounds_utc
from db.engine import session_scope
from db.enums import ComplaintCause, Responsibility
from db.models import Complaint, Product

REPEAT_DAYS = 90  # K-3 repeats: an earlier complaint about the same model this many days back makes a repeat
NO_PRODUCT = ""  # the `model` key of complaints with no product on record
UNDECIDED = "undecided"  # the `cause` key of complaints whose cause is not decided yet
CAUSES = (*(c.value for c in ComplaintCause), UNDECIDED)
HOUR, DAY = 3600.0, 86400.0


def complaints(f: KpiFilter, tz: str, *columns):
    """SELECT `columns` FROM the complaints received in the range that the filter keeps (staff: the owner,
    customer grade, complaint channel, product model): the rows every K-3 figure counts."""
    stmt = narrow(select(*columns).select_from(Complaint), f, staff=Complaint.owner_id,
                  customer=Complaint.customer_id, channels=Complaint.channel, product=Complaint.product_id)
    return in_range(stmt, Complaint.received_at, f, tz)


def _days_before(column, days: int, dialect: str):
    """`column` moved `days` back, comparable with the stored timestamps (SQLite keeps ISO text)."""
    if dialect == "postgresql":
        return column - literal(timedelta(days=days), Interval())
    return func.strftime("%Y-%m-%d %H:%M:%f", column, f"-{days} days")


def lookback(f: KpiFilter, tz: str):
    """Every complaint about a product received from REPEAT_DAYS before the range to its end, whatever the
    filter (the earlier complaint may be anyone's), with its product's `model` and `prev_at`: when the same
    customer last complained before it about a product of the same model. One window over the span, not a
    look-up per complaint."""
    lo, hi = day_bounds_utc(f.start, f.end, tz)
    prev_at = func.lag(Complaint.received_at).over(partition_by=(Complaint.customer_id, Product.model),
                                                   order_by=(Complaint.received_at, Complaint.id))
    stmt = (select(Complaint.id, Complaint.received_at, Product.model, prev_at.label("prev_at"))
            .join(Product, Product.id == Complaint.product_id)
            .where(Complaint.received_at >= lo - timedelta(days=REPEAT_DAYS), Complaint.received_at < hi))
    if f != KpiFilter(f.start, f.end):  # a narrowed selection: only its customers' complaints need the window
        stmt = stmt.where(Complaint.customer_id.in_(complaints(f, tz, Complaint.customer_id).correlate(None)))
    return stmt.subquery("lookback")


def repeat(back, dialect: str):
    """Whether a complaint (joined to its `lookback` row `back`) is a repeat: the same customer had an earlier
    complaint (received before it, ties by id, at most REPEAT_DAYS before) about a product of the same model;
    whatever that complaint's owner, channel or status. A complaint with no product is never a repeat."""
    return back.c.prev_at >= _days_before(back.c.received_at, REPEAT_DAYS, dialect)


def conditions(now: datetime, dialect: str, back=None) -> dict:
    """Each condition a K-3 figure counts, by name (SQL expressions over `complaints`); "repeat" reads the
    `lookback` subquery `back` joined to them (None: that one condition is left out)."""
    ours = Complaint.responsibility == Responsibility.OURS
    closed = Complaint.closed_at.is_not(None)  # a reopening clears closed_at (core.complaints.steps)
    reopened = Complaint.reopen_count > 0
    return {
        "received": true(),
        "responded": Complaint.first_response_at.is_not(None),
        "closed": closed,
        "decided": promise_decided(now),
        "kept": and_(promise_decided(now), promise_kept()),
        "judged": Complaint.responsibility.in_((Responsibility.OURS, Responsibility.NOT_OURS)),
        "ours": ours,
        "verified": and_(ours, Complaint.capa_verified_at.is_not(None)),
        **({} if back is None else {"repeat": repeat(back, dialect)}),
        "reopened": reopened,
        "ever_closed": or_(closed, reopened),  # only a closed complaint can be reopened (core.complaints.flow)
    }


# Each headline figure's numerator and denominator, as names of `conditions` (the drill-down's picks).
SHARES = {
    "complaints_closed_by_deadline": ("kept", "decided"),
    "complaint_response_hours": ("responded", "responded"),
    "complaint_close_days": ("closed", "closed"),
    "complaint_ours_share": ("ours", "judged"),
    "complaint_capa_verified": ("verified", "ours"),
    "complaint_repeat_share": ("repeat", "received"),
    "complaint_reopen_rate": ("reopened", "ever_closed"),
}
MEASURES = ["received", "responded", "response_s", "closed", "close_s", "decided", "kept", "judged", "ours",
            "verified", "repeat", "reopened", "ever_closed"]


@dataclass(frozen=True)
class ComplaintCounts:
    """What `complaint_counts` read: `totals` (each of MEASURES over every complaint selected) and the
    complaints counted per product model and per cause (`by_model`, `by_cause`: key → count)."""

    totals: dict[str, float]
    by_model: dict[str, int]
    by_cause: dict[str, int]


def _totals(f: KpiFilter, tz: str, now: datetime, dialect: str):
    back = lookback(f, tz)
    cond = conditions(now, dialect, back)
    sums = {n: func.count() if n == "received" else func.sum(case((c, 1), else_=0)) for n, c in cond.items()}
    sums["response_s"] = func.sum(case((cond["responded"], seconds_between(
        Complaint.received_at, Complaint.first_response_at, dialect)), else_=0))
    sums["close_s"] = func.sum(case((cond["closed"], seconds_between(
        Complaint.received_at, Complaint.closed_at, dialect)), else_=0))
    return complaints(f, tz, *(sums[m].label(m) for m in MEASURES)).outerjoin(back, back.c.id == Complaint.id)


def _groups(f: KpiFilter, tz: str):
    """Complaints per model and per cause, one statement: (dimension, key, count) rows."""
    def per(dim: str, key, *joins):
        stmt = complaints(f, tz, literal(dim).label("dim"), type_coerce(key, String).label("key"),
                          func.count().label("n"))
        for table, on in joins:
            stmt = stmt.outerjoin(table, on)
        return stmt.group_by(key)

    return union_all(per("model", Product.model, (Product, Product.id == Complaint.product_id)),
                     per("cause", Complaint.cause))


def complaint_counts(engine: Engine, f: KpiFilter, tz: str, now: datetime) -> ComplaintCounts:
    """The aggregate behind K-3, over the complaints received in the range that the filter keeps: the number
    meeting each of `conditions`, the summed seconds to first response (`response_s`, over those responded)
    and to close (`close_s`, over those closed), and the counts per model (NO_PRODUCT: no product) and per
    cause (UNDECIDED: none recorded yet). Two statements: the totals, and both groupings."""
    with session_scope(engine) as s:
        row = s.execute(_totals(f, tz, now, engine.dialect.name)).one()._mapping
        groups = s.execute(_groups(f, tz)).all()
    totals = {m: float(row[m] or 0) if m.endswith("_s") else int(row[m] or 0) for m in MEASURES}
    by = {"model": {}, "cause": {}}
    for dim, key, n in groups:
        by[dim][key if key is not None else NO_PRODUCT if dim == "model" else UNDECIDED] = int(n)
    return ComplaintCounts(totals, by["model"], by["cause"])


def _share(counts: ComplaintCounts, name: str) -> float | None:
    numerator, denominator = SHARES[name]
    return ratio(counts.totals[numerator], counts.totals[denominator])


def _average(counts: ComplaintCounts, seconds: str, n: str, unit: float) -> float | None:
    return None if not counts.totals[n] else counts.totals[seconds] / counts.totals[n] / unit


def complaints_by_channel(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """Complaints by channel (K-3, CP-1): complaints received in the date range, counted per intake channel
    and current status. Timestamp: the time received. No complaint: an empty chart. Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    stmt = complaints(f, tz, Complaint.channel, Complaint.status, func.count().label("count"))
    with session_scope(engine) as s:
        rows = s.execute(stmt.group_by(Complaint.channel, Complaint.status)).all()
    return pd.DataFrame([{"channel": r.channel, "status": r.status, "count": r.count} for r in rows],
                        columns=["channel", "status", "count"])


def complaints_closed_by_deadline(engine: Engine, f: KpiFilter, tz: str, now: datetime) -> float | None:
    """Complaints closed within the promised deadline (K-3, CP-2). Numerator: complaints closed no later
    than their reply deadline. Denominator: complaints received in the date range that have a reply deadline
    and are closed or past it (an open complaint still inside its deadline is not decided yet). Timestamps:
    the time received selects them; the closing time is compared with the deadline. Nothing decided: no data
    (None, shown as —). Filters: staff (the owner), customer grade, complaint channel, product model."""
    on_time = func.sum(case((promise_kept(), 1), else_=0))  # the log's summary shares both conditions
    stmt = complaints(f, tz, func.count().label("n"), on_time.label("on_time")).where(promise_decided(now))
    with session_scope(engine) as s:
        row = s.execute(stmt).one()
    return ratio(row.on_time, row.n)


def complaints_by_model(counts: ComplaintCounts) -> pd.DataFrame:
    """Complaints by product model (K-3, CP-4): complaints received in the date range, counted per model of
    the product complained about, most first; complaints with no product on record are one group of their
    own. Timestamp: the time received. No complaint: an empty chart. Filters: staff (the owner), customer
    grade, complaint channel, product model."""
    ranked = sorted(counts.by_model.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame([{"model": m, "count": n} for m, n in ranked], columns=["model", "count"])


def complaints_by_cause(counts: ComplaintCounts) -> pd.DataFrame:
    """Complaints by cause (K-3, CP-4): complaints received in the date range, counted per cause (quality,
    delivery, service, billing, usage, other); those whose cause is not decided yet are one group of their
    own, listed last. Timestamp: the time received. No complaint: an empty chart. Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return pd.DataFrame([{"cause": c, "count": counts.by_cause[c]} for c in CAUSES if c in counts.by_cause],
                        columns=["cause", "count"])


def complaint_response_hours(counts: ComplaintCounts) -> float | None:
    """Average time to first response (K-3, CP-2), in hours. Numerator: the hours from receipt to the first
    response, summed. Denominator: complaints received in the date range that have had a first response.
    Timestamps: the time received selects them; the time of the first response ends the wait. None
    responded to: no data (None, shown as —). Filters: staff (the owner), customer grade, complaint channel,
    product model."""
    return _average(counts, "response_s", "responded", HOUR)


def complaint_close_days(counts: ComplaintCounts) -> float | None:
    """Average time to close (K-3, CP-2), in days. Numerator: the days from receipt to closing, summed.
    Denominator: complaints received in the date range that are closed (a reopened complaint counts again
    once it is closed again, from its receipt to its last closing). Timestamps: the time received selects
    them; the closing time ends the wait. None closed: no data (None, shown as —). Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return _average(counts, "close_s", "closed", DAY)


def complaint_ours_share(counts: ComplaintCounts) -> float | None:
    """Share of complaints found ours (K-3, CP-2). Numerator: complaints whose responsibility is decided as
    ours. Denominator: complaints received in the date range whose responsibility is decided (ours or not
    ours). Timestamp: the time received. Nothing decided: no data (None, shown as —). Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_ours_share")


def complaint_capa_verified(counts: ComplaintCounts) -> float | None:
    """Corrective action verified (K-3, CP-2). Numerator: complaints found ours whose corrective and
    preventive action quality has verified as effective. Denominator: complaints received in the date range
    whose responsibility is decided as ours. Timestamp: the time received. None ours: no data (None, shown
    as —). Filters: staff (the owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_capa_verified")


def complaint_repeat_share(counts: ComplaintCounts) -> float | None:
    """Repeat complaints (K-3, CP-4). Numerator: complaints whose customer had already complained about a
    product of the same model in the 90 days before (any earlier complaint, whatever its owner, channel or
    status; a complaint with no product on record is never a repeat). Denominator: complaints received in
    the date range. Timestamp: the time received, of both complaints. No complaint: no data (None, shown
    as —). Filters: staff (the owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_repeat_share")


def complaint_reopen_rate(counts: ComplaintCounts) -> float | None:
    """Reopen rate (K-3, CP-2). Numerator: complaints reopened at least once. Denominator: complaints
    received in the date range that have been closed: closed now, or reopened (only a closed complaint can
    be reopened). Timestamp: the time received. None closed: no data (None, shown as —). Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_reopen_rate")
