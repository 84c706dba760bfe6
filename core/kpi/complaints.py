"""Complaint KPIs (K-3). Each docstring is the definition managers read. Every complaint KPI selects the
complaints received in the date range (their `received_at`, office-local days). One aggregate,
`complaint_counts`, reads them once, grouped by channel, status, product model and cause, with a count per
condition (`conditions`); the KPI functions below only sum and divide its frame. The conditions are defined
once, here, so that the drill-down (core.kpi.drill_complaints) lists exactly the complaints counted."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, Interval, and_, case, exists, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from core.complaints.log import promise_decided, promise_kept
from core.kpi.sql import KpiFilter, in_range, narrow, ratio, seconds_between
from db.engine import session_scope
from db.enums import ComplaintCause, Responsibility
from db.models import Complaint, Product

REPEAT_DAYS = 90  # K-3 repeats: an earlier complaint about the same model this many days back makes a repeat
NO_PRODUCT = ""  # the `model` key of complaints with no product on record
UNDECIDED = "undecided"  # the `cause` key of complaints whose cause is not decided yet
CAUSES = (*(c.value for c in ComplaintCause), UNDECIDED)
HOUR, DAY = 3600.0, 86400.0
GROUPS = ["channel", "status", "model", "cause"]


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


def repeat(dialect: str):
    """Whether a complaint is a repeat: the same customer had an earlier complaint (received before it, at
    most REPEAT_DAYS before) about a product of the same model; whatever that complaint's owner, channel or
    status. A complaint with no product on record is never a repeat."""
    prev, prev_product, product = aliased(Complaint), aliased(Product), aliased(Product)
    earlier = or_(prev.received_at < Complaint.received_at,
                  and_(prev.received_at == Complaint.received_at, prev.id < Complaint.id))
    return exists().where(
        prev.customer_id == Complaint.customer_id, prev.id != Complaint.id, earlier,
        prev.received_at >= _days_before(Complaint.received_at, REPEAT_DAYS, dialect),
        product.id == Complaint.product_id, prev.product_id == prev_product.id, prev_product.model == product.model)


def conditions(now: datetime, dialect: str) -> dict:
    """Each condition a K-3 figure counts, by name (SQL expressions over `complaints`)."""
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
        "repeat": repeat(dialect),
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


def complaint_counts(engine: Engine, f: KpiFilter, tz: str, now: datetime) -> pd.DataFrame:
    """The aggregate behind K-3: complaints received in the range, one row per (channel, status, model,
    cause) that has any, with the number meeting each of `conditions` and the summed seconds to first
    response (`response_s`, over those responded) and to close (`close_s`, over those closed). `model` is
    NO_PRODUCT for complaints with no product, `cause` UNDECIDED while none is recorded. One statement."""
    dialect = engine.dialect.name
    cond = conditions(now, dialect)
    counts = {n: func.count() if n == "received" else func.sum(case((c, 1), else_=0)) for n, c in cond.items()}
    counts["response_s"] = func.sum(case((cond["responded"], seconds_between(
        Complaint.received_at, Complaint.first_response_at, dialect)), else_=0))
    counts["close_s"] = func.sum(case((cond["closed"], seconds_between(
        Complaint.received_at, Complaint.closed_at, dialect)), else_=0))
    stmt = (complaints(f, tz, Complaint.channel, Complaint.status, Product.model, Complaint.cause,
                        *(counts[m].label(m) for m in MEASURES))
            .outerjoin(Product, Product.id == Complaint.product_id)
            .group_by(Complaint.channel, Complaint.status, Product.model, Complaint.cause))
    with session_scope(engine) as s:
        rows = s.execute(stmt).all()
    frame = pd.DataFrame([{
        "channel": r.channel.value, "status": r.status.value,
        "model": NO_PRODUCT if r.model is None else r.model,
        "cause": UNDECIDED if r.cause is None else r.cause.value,
        **{m: float(r._mapping[m] or 0) if m.endswith("_s") else int(r._mapping[m] or 0) for m in MEASURES},
    } for r in rows], columns=GROUPS + MEASURES)
    return frame


def _sums(counts: pd.DataFrame, *names: str) -> list:
    return [counts[n].sum() if len(counts) else 0 for n in names]


def _share(counts: pd.DataFrame, name: str) -> float | None:
    return ratio(*_sums(counts, *SHARES[name]))


def _counted(counts: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    totals = counts.groupby(key, sort=False)["received"].sum() if len(counts) else pd.Series(dtype=int)
    rows = [{key: k, "count": int(totals[k])} for k in order if k in totals.index and totals[k]]
    return pd.DataFrame(rows, columns=[key, "count"])


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


def complaints_by_model(counts: pd.DataFrame) -> pd.DataFrame:
    """Complaints by product model (K-3, CP-4): complaints received in the date range, counted per model of
    the product complained about, most first; complaints with no product on record are one group of their
    own. Timestamp: the time received. No complaint: an empty chart. Filters: staff (the owner), customer
    grade, complaint channel, product model."""
    if counts.empty:
        return pd.DataFrame([], columns=["model", "count"])
    totals = counts.groupby("model")["received"].sum().reset_index()
    totals = totals.rename(columns={"received": "count"}).sort_values(["count", "model"], ascending=[False, True])
    return totals.reset_index(drop=True).astype({"count": int})


def complaints_by_cause(counts: pd.DataFrame) -> pd.DataFrame:
    """Complaints by cause (K-3, CP-4): complaints received in the date range, counted per cause (quality,
    delivery, service, billing, usage, other); those whose cause is not decided yet are one group of their
    own, listed last. Timestamp: the time received. No complaint: an empty chart. Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return _counted(counts, "cause", list(CAUSES))


def complaint_response_hours(counts: pd.DataFrame) -> float | None:
    """Average time to first response (K-3, CP-2), in hours. Numerator: the hours from receipt to the first
    response, summed. Denominator: complaints received in the date range that have had a first response.
    Timestamps: the time received selects them; the time of the first response ends the wait. None
    responded to: no data (None, shown as —). Filters: staff (the owner), customer grade, complaint channel,
    product model."""
    seconds, n = _sums(counts, "response_s", "responded")
    return None if not n else float(seconds) / n / HOUR


def complaint_close_days(counts: pd.DataFrame) -> float | None:
    """Average time to close (K-3, CP-2), in days. Numerator: the days from receipt to closing, summed.
    Denominator: complaints received in the date range that are closed (a reopened complaint counts again
    once it is closed again, from its receipt to its last closing). Timestamps: the time received selects
    them; the closing time ends the wait. None closed: no data (None, shown as —). Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    seconds, n = _sums(counts, "close_s", "closed")
    return None if not n else float(seconds) / n / DAY


def complaint_ours_share(counts: pd.DataFrame) -> float | None:
    """Share of complaints found ours (K-3, CP-2). Numerator: complaints whose responsibility is decided as
    ours. Denominator: complaints received in the date range whose responsibility is decided (ours or not
    ours). Timestamp: the time received. Nothing decided: no data (None, shown as —). Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_ours_share")


def complaint_capa_verified(counts: pd.DataFrame) -> float | None:
    """Corrective action verified (K-3, CP-2). Numerator: complaints found ours whose corrective and
    preventive action quality has verified as effective. Denominator: complaints received in the date range
    whose responsibility is decided as ours. Timestamp: the time received. None ours: no data (None, shown
    as —). Filters: staff (the owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_capa_verified")


def complaint_repeat_share(counts: pd.DataFrame) -> float | None:
    """Repeat complaints (K-3, CP-4). Numerator: complaints whose customer had already complained about a
    product of the same model in the 90 days before (any earlier complaint, whatever its owner, channel or
    status; a complaint with no product on record is never a repeat). Denominator: complaints received in
    the date range. Timestamp: the time received, of both complaints. No complaint: no data (None, shown
    as —). Filters: staff (the owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_repeat_share")


def complaint_reopen_rate(counts: pd.DataFrame) -> float | None:
    """Reopen rate (K-3, CP-2). Numerator: complaints reopened at least once. Denominator: complaints
    received in the date range that have been closed: closed now, or reopened (only a closed complaint can
    be reopened). Timestamp: the time received. None closed: no data (None, shown as —). Filters: staff (the
    owner), customer grade, complaint channel, product model."""
    return _share(counts, "complaint_reopen_rate")
