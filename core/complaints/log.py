"""The complaint log (CP-4): every complaint received in a period with its CAPA, one row each, and the periodic
summary that finds root causes and repeat problems. The summary's figures are the K-3 definitions the KPI page
charts too: each is defined here once, by a named function whose docstring is its definition, and aggregated
in SQL (GROUP BY), never by loading the table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from core.lists import Page, enum_rank, ordered, paginate, within
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import ComplaintCause, ComplaintStatus, Responsibility
from db.models import Complaint, Customer, Product

REPEAT_AT = 2  # CP-4: the same customer or product model with this many complaints in the period repeats


@dataclass(frozen=True)
class Period:
    """Office-local days `start`..`end` (both included) in the office time zone `tz`; a complaint belongs to
    the period of the day it was received (its `received_at`, read in `tz`)."""

    start: date
    end: date
    tz: str

    def of(self, stmt: Select) -> Select:
        return within(stmt, Complaint.received_at, self.start, self.end, self.tz)


# ---- the one definition of "closed by the promised date" (K-3), shared with core.kpi.complaints ----------

def promise_decided(now: datetime):
    """Whether a complaint's promise is decided at `now`: it has a reply deadline and is closed or past that
    deadline (an open complaint still inside its deadline is not decided yet)."""
    return and_(Complaint.reply_deadline.is_not(None),
                or_(Complaint.closed_at.is_not(None), Complaint.reply_deadline < now))


def promise_kept():
    """Whether a complaint was closed no later than its reply deadline (the promised date)."""
    return Complaint.closed_at <= Complaint.reply_deadline


def share(numerator, denominator) -> float | None:
    """A share with nothing to divide by is no data: None, never 0."""
    return None if not denominator else float(numerator or 0) / float(denominator)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# ---- the log ----------------------------------------------------------------------------------------------

def _sort_columns() -> dict:
    """The columns a user may sort the log by (the `sort` URL parameter is checked against these)."""
    return {"number": Complaint.number, "customer": Customer.name, "model": Product.model,
            "cause": enum_rank(Complaint.cause, ComplaintCause), "received_at": Complaint.received_at,
            "responsibility": enum_rank(Complaint.responsibility, Responsibility),
            "status": enum_rank(Complaint.status, ComplaintStatus), "reopen_count": Complaint.reopen_count}


SORTS = tuple(_sort_columns())


def _log_stmt(period: Period, sort: str | None) -> Select:
    order = ordered(sort, _sort_columns(), Complaint.id) or [Complaint.received_at, Complaint.id]
    stmt = (select(Complaint.id, Complaint.number, Customer.name.label("customer"), Product.model.label("model"),
                   Complaint.cause, Complaint.responsibility, Complaint.capa_action, Complaint.preventive_action,
                   Complaint.capa_verified_at, Complaint.received_at, Complaint.closed_at, Complaint.reopen_count,
                   Complaint.status)
            .outerjoin(Customer, Customer.id == Complaint.customer_id)
            .outerjoin(Product, Product.id == Complaint.product_id)
            .order_by(*order))
    return period.of(stmt)


def days_to_close(received_at: datetime, closed_at: datetime | None, status: ComplaintStatus) -> int | None:
    """Days to close (K-3 time to close, CP-4 log): whole days elapsed from receipt to closing (a complaint
    closed 47 hours after it came in took 1 day). None while the complaint is not closed, reopened included."""
    if status != ComplaintStatus.CLOSED or closed_at is None:
        return None
    return (closed_at - received_at).days


def _log_row(row: dict) -> dict:
    verified_at = row.pop("capa_verified_at")
    return row | {"verified": verified_at is not None,
                  "days_to_close": days_to_close(row["received_at"], row["closed_at"], row["status"])}


def complaint_log(engine: Engine, actor: Actor, period_start: date, period_end: date, tz: str,
                  page: int = 1, size: int = 25, sort: str | None = None) -> Page:
    """The complaint log (CP-4): one row per complaint received in the period (office-local days, `tz`) with
    its CAPA: number, customer, product model, cause, responsibility, corrective action (`capa_action`),
    preventive action, verified (effectiveness verified, `capa_verified_at` set), days to close, times
    reopened and status. In the order received, or sorted by one of SORTS; counted and paged in SQL.
    VIEW_COMPLAINTS only."""
    require(actor, Action.VIEW_COMPLAINTS)
    period = Period(period_start, period_end, tz)
    with session_scope(engine) as s:
        return paginate(s, _log_stmt(period, sort), page, size,
                        count=period.of(select(func.count()).select_from(Complaint)),
                        enrich=lambda rows: [_log_row(r) for r in rows])


# ---- the periodic summary (K-3 figures) -----------------------------------------------------------------

def counts_by_cause(s: Session, period: Period) -> dict[ComplaintCause | None, int]:
    """Complaints by cause (K-3, CP-4): complaints received in the period, counted per cause; those whose
    cause is not known yet are counted apart. Timestamp: the time received. No complaint: an empty chart."""
    stmt = period.of(select(Complaint.cause, func.count().label("n")).group_by(Complaint.cause))
    return {r.cause: r.n for r in s.execute(stmt)}


def counts_by_model(s: Session, period: Period) -> dict[str | None, int]:
    """Complaints by product model (K-3, CP-4): complaints received in the period, counted per model of the
    product complained about; those with no product on record are counted apart. Timestamp: the time
    received. No complaint: an empty chart."""
    stmt = period.of(select(Product.model, func.count().label("n"))
                     .select_from(Complaint).outerjoin(Product, Product.id == Complaint.product_id)
                     .group_by(Product.model))
    return {r.model: r.n for r in s.execute(stmt)}


def repeat_customers(s: Session, period: Period) -> list[dict]:
    """Repeat customers (K-3, CP-4): customers with two or more complaints received in the period,
    each with their count, most complaints first. Complaints received outside the period do not count."""
    n = func.count().label("count")
    stmt = period.of(select(Complaint.customer_id, Customer.name.label("customer"), n)
                     .join(Customer, Customer.id == Complaint.customer_id)
                     .group_by(Complaint.customer_id, Customer.name).having(func.count() >= REPEAT_AT)
                     .order_by(n.desc(), Customer.name, Complaint.customer_id))
    return [dict(r) for r in s.execute(stmt).mappings()]


def repeat_models(s: Session, period: Period) -> list[dict]:
    """Repeat product models (K-3, CP-4): product models with two or more complaints received in the
    period, whichever customers made them, most complaints first. Complaints with no product on record do not
    count, nor do complaints received outside the period."""
    n = func.count().label("count")
    stmt = period.of(select(Product.model, n).select_from(Complaint).join(Product, Product.id == Complaint.product_id)
                     .group_by(Product.model).having(func.count() >= REPEAT_AT).order_by(n.desc(), Product.model))
    return [dict(r) for r in s.execute(stmt).mappings()]


def _totals(s: Session, period: Period, now: datetime):
    decided = promise_decided(now)
    return s.execute(period.of(select(
        func.count().label("received"), _count_if(Complaint.reopen_count > 0).label("reopened"),
        _count_if(decided).label("decided"), _count_if(and_(decided, promise_kept())).label("kept"),
    ))).one()


def reopen_rate(received: int, reopened: int) -> float | None:
    """Reopen rate (K-3, CP-4). Numerator: complaints received in the period that were reopened at least once.
    Denominator: complaints received in the period. Timestamp: the time received. No complaint received: no
    data (None, shown as —)."""
    return share(reopened, received)


def closed_by_promised_date(decided: int, kept: int) -> float | None:
    """Share closed by the promised date (K-3, CP-5). Numerator: complaints closed no later than their reply
    deadline. Denominator: complaints received in the period that have a reply deadline and are closed or
    past it (an open complaint still inside its deadline is not decided yet). Timestamps: the time received
    selects them; the closing time is compared with the deadline. Nothing decided: no data (None, shown as
    —). The same figure as the KPI page's complaints closed by deadline."""
    return share(kept, decided)


FIGURES = (counts_by_cause, counts_by_model, repeat_customers, repeat_models, reopen_rate, closed_by_promised_date)


@dataclass(frozen=True)
class LogSummary:
    """The periodic summary of the complaint log (CP-4, K-3); each field is the figure of the function of the
    same name above, whose docstring defines it."""

    received: int
    counts_by_cause: dict
    counts_by_model: dict
    repeat_customers: list[dict]
    repeat_models: list[dict]
    reopen_rate: float | None
    closed_by_promised_date: float | None


def log_summary(engine: Engine, actor: Actor, start: date, end: date, tz: str, now: datetime) -> LogSummary:
    """The periodic summary (CP-4) of the complaints received from `start` to `end` (office-local days, `tz`):
    root causes, product models, repeats, reopen rate and the share closed by the promised date, as of `now`.
    VIEW_COMPLAINTS only."""
    require(actor, Action.VIEW_COMPLAINTS)
    period = Period(start, end, tz)
    with session_scope(engine) as s:
        totals = _totals(s, period, now)
        return LogSummary(
            received=totals.received, counts_by_cause=counts_by_cause(s, period),
            counts_by_model=counts_by_model(s, period), repeat_customers=repeat_customers(s, period),
            repeat_models=repeat_models(s, period), reopen_rate=reopen_rate(totals.received, totals.reopened),
            closed_by_promised_date=closed_by_promised_date(totals.decided, totals.kept))
