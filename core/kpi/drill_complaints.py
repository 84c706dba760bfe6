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
from core.kpi.drill_page import Rows, need, only, page
from core.kpi.rollups import refresh
from core.kpi.rollups.read import narrowed
from core.kpi.sql import KpiFilter
from db.enums import ComplaintCause
from db.models import Complaint, Customer, KpiComplaintDay, Product, User

PARTS = ("numerator", "denominator")


def _page(engine: Engine, f: KpiFilter, tz: str, where: list, limit: int, offset: int, back=None,
          total: int | None = None) -> Rows:
    """One page of the complaints `complaints` selects that meet `where`; `back`: the `lookback` subquery
    the conditions read, joined in; `total`: their count when already known (`_received`)."""
    owner = aliased(User)
    stmt = complaints(f, tz, Complaint.id, Complaint.number, Customer.name.label("customer"),
                      Complaint.received_at.label("at"), Complaint.status, owner.display_name.label("staff"))
    stmt = stmt if back is None else stmt.outerjoin(back, back.c.id == Complaint.id)
    stmt = (stmt.join(Customer, Customer.id == Complaint.customer_id).outerjoin(owner, owner.id == Complaint.owner_id)
            .where(*where))
    return page(engine, "complaint", stmt, [Complaint.received_at, Complaint.id], limit, offset, total=total)


def _received(engine: Engine, f: KpiFilter, tz: str, column: str, value: str) -> int:
    """The complaints of the range and filter whose rollup `column` (model, cause: '' none) is `value`, read from
    the rollup the bar itself is drawn from (kpi_complaint_days, brought up to date first): the same number as
    the bar, without counting thousands of complaints again (issue 14, "a drill-down list ≤ 100 ms")."""
    refresh(engine, tz, None, names=("complaint_days",))
    t = KpiComplaintDay
    stmt = narrowed(select(func.coalesce(func.sum(t.received), 0)), t, f, staff="owner_id", complaints=True)
    with engine.connect() as conn:
        return int(conn.execute(stmt.where(getattr(t, column) == value)).scalar_one())


def _model(model: str):
    if model == NO_PRODUCT:
        return Complaint.product_id.is_(None)
    return Complaint.product_id.in_(select(Product.id).where(Product.model == model))


def _known_model(engine: Engine, model: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(Product.id).where(Product.model == model).limit(1)).first() is not None


def _cause(cause: str):
    return Complaint.cause.is_(None) if cause == UNDECIDED else Complaint.cause == ComplaintCause(cause)


def drill_complaints_by_model(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                              limit: int, offset: int) -> Rows:
    """The complaints of one bar of complaints_by_model: pick {"model": ...} ("" for no product; a model no
    product has is refused)."""
    model = need(only(pick, "model"), "model")
    rows, total = _page(engine, f, tz, [_model(model)], limit, offset, total=_received(engine, f, tz, "model", model))
    if not total and model != NO_PRODUCT and not _known_model(engine, model):  # looked up only for an empty list
        raise ValueError(model)
    return rows, total


def drill_complaints_by_cause(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str],
                              limit: int, offset: int) -> Rows:
    """The complaints of one bar of complaints_by_cause: pick {"cause": ...} ("undecided" for no cause)."""
    cause = need(only(pick, "cause"), "cause")
    where = _cause(cause)  # refuses a cause that is none
    total = _received(engine, f, tz, "cause", "" if cause == UNDECIDED else cause)
    return _page(engine, f, tz, [where], limit, offset, total=total)


def _share_drill(name: str):
    def drill(engine: Engine, f: KpiFilter, tz: str, now: datetime, pick: dict[str, str], limit: int,
              offset: int) -> Rows:
        part = only(pick, "part", "series").get("part") or pick.get("series") or "denominator"
        if part not in PARTS:
            raise ValueError(part)
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
