"""The records behind the K-3 charts and headline figures (issue 14's drill-down contract): each function
returns one page of the complaints counted in the picked mark and their total, newest received first, paged
and counted in SQL. The rows are selected by the very conditions the KPI counted
(core.kpi.complaints.conditions), with the same filters, so a drill lists exactly the counted complaints.
Every row's `at` is the time received: the timestamp that selects a complaint for every K-3 figure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from core.kpi.complaints import NO_PRODUCT, SHARES, UNDECIDED, complaints, conditions, lookback
from core.kpi.sql import KpiFilter
from db.engine import session_scope
from db.enums import ComplaintCause
from db.models import Complaint, Customer, Product, User

Rows = tuple[list[dict], int]
PARTS = ("numerator", "denominator")
NONE: Rows = ([], 0)  # a pick naming no mark of the chart (a stale or edited link) lists nothing


def _enum(cls, value: str | None):
    return value if value is None else next((m for m in cls if m.value == value), None)


def _page(engine: Engine, f: KpiFilter, tz: str, where: list, limit: int, offset: int, back=None) -> Rows:
    """One page of the complaints `complaints` selects that meet `where`; `back`: the `lookback` subquery
    the conditions read, joined in."""
    def counted(*columns):
        stmt = complaints(f, tz, *columns)
        return stmt if back is None else stmt.outerjoin(back, back.c.id == Complaint.id)

    owner = aliased(User)
    stmt = (counted(Complaint.id, Complaint.number, Customer.name.label("customer"), Complaint.received_at,
                 Complaint.status, owner.display_name.label("staff"))
            .join(Customer, Customer.id == Complaint.customer_id)
            .outerjoin(owner, owner.id == Complaint.owner_id)
            .where(*where).order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit).offset(offset))
    with session_scope(engine) as s:
        total = s.scalar(counted(func.count()).where(*where)) or 0
        rows = s.execute(stmt).all()
    return [{"kind": "complaint", "id": r.id, "number": r.number, "customer": r.customer, "at": r.received_at,
             "status": r.status.value, "staff": r.staff} for r in rows], total


def _model(model: str):
    if model == NO_PRODUCT:
        return Complaint.product_id.is_(None)
    return Complaint.product_id.in_(select(Product.id).where(Product.model == model))


def _cause(cause: str | None):
    if cause == UNDECIDED:
        return Complaint.cause.is_(None)
    known = _enum(ComplaintCause, cause)
    return None if known is None else Complaint.cause == known


def drill_complaints_by_model(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                              limit: int, offset: int) -> Rows:
    """The complaints of one bar of complaints_by_model: pick {"model": ...} ("" for no product)."""
    model = pick.get("model")
    return NONE if model is None else _page(engine, f, tz, [_model(model)], limit, offset)


def drill_complaints_by_cause(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                              limit: int, offset: int) -> Rows:
    """The complaints of one bar of complaints_by_cause: pick {"cause": ...} ("undecided" for no cause)."""
    where = _cause(pick.get("cause"))
    return NONE if where is None else _page(engine, f, tz, [where], limit, offset)


def _share_drill(name: str):
    def drill(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
              offset: int) -> Rows:
        part = pick.get("part") or pick.get("series") or "denominator"
        if part not in PARTS:
            return NONE
        condition = SHARES[name][PARTS.index(part)]
        back = lookback(f, tz) if condition == "repeat" else None
        return _page(engine, f, tz, [conditions(now, engine.dialect.name, back)[condition]], limit, offset, back)

    drill.__name__ = drill.__qualname__ = f"drill_{name}"
    drill.__doc__ = (f"The complaints counted by {name}: pick {{\"part\": \"numerator\"}} or "
                     "{\"part\": \"denominator\"} (an average's numerator and denominator are the same complaints).")
    return drill


SHARE_DRILLS = {name: _share_drill(name) for name in SHARES}
# each one also a name of this module, as its __name__ says: the dashboard's cache (ui.charts.compute) calls a
# function by its module and name
globals().update({drill.__name__: drill for drill in SHARE_DRILLS.values()})

# chart name (the KPI function's __name__) → drill function, for core.kpi.drill.DRILLS (which holds
# complaints_by_channel's own)
DRILLS = {
    "complaints_by_model": drill_complaints_by_model,
    "complaints_by_cause": drill_complaints_by_cause,
    **SHARE_DRILLS,
}
