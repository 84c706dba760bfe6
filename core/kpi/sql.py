"""What every KPI query shares: the manager's filter, office weeks counted as index ranges (exact on
SQLite and PostgreSQL), elapsed seconds between two timestamps, and the filters that narrow a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from core.lists import day_bounds_utc, within
from db.engine import session_scope
from db.enums import CallbackKind, ComplaintChannel, CustomerGrade, ServiceType
from db.models import Customer, Product

WEEKS_SHOWN = 12
EARLIEST_WEEKS = 3 * 52


@dataclass(frozen=True)
class KpiFilter:
    """A manager's filter; each KPI applies the parts that concern it (its docstring says which)."""

    start: date
    end: date
    staff_id: int | None = None
    grades: tuple[CustomerGrade, ...] = ()
    service_types: tuple[ServiceType, ...] = ()
    callback_kinds: tuple[CallbackKind, ...] = ()
    complaint_channels: tuple[ComplaintChannel, ...] = ()
    models: tuple[str, ...] = ()  # product models (products.model): complaints and work orders


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_range(today: date) -> tuple[date, date]:
    """The last 12 weeks ending today: from the Monday eleven weeks before this week's Monday, to today."""
    return monday(today) - timedelta(weeks=WEEKS_SHOWN - 1), today


def earliest(today: date) -> date:
    """The first day a manager can pick: three years back keeps every weekly query a few hundred ranges."""
    return today - timedelta(weeks=EARLIEST_WEEKS)


def weeks(start: date, end: date) -> list[date]:
    """Every Monday from the week of `start` to the week of `end`."""
    first, last = monday(start), monday(end)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def partial_weeks(f: KpiFilter, today: date) -> set[date]:
    """The Mondays of the range's weeks that are not counted in full: a week the range enters after its
    Monday or leaves before its Sunday, and a week whose days after `today` have not happened yet (the
    current week). Their counts cover fewer than seven days, so a chart marks them rather than let the
    current week read as a collapse."""
    last = min(f.end, today)
    return {w for w in weeks(f.start, f.end) if f.start > w or last < w + timedelta(days=6)}


def week_bounds(f: KpiFilter, tz: str) -> list[tuple[date, datetime, datetime]]:
    """Each office week of the range as (its Monday, UTC start, UTC end), clipped to the range's days.
    Weeks run Monday to Sunday in the office time zone; the boundaries are office midnights converted
    with the zone's own rules (zoneinfo), so bucketing is exact on SQLite and PostgreSQL alike, daylight
    saving included, and needs no per-row date function: each week is an index range."""
    return [(w, *day_bounds_utc(max(w, f.start), min(w + timedelta(days=6), f.end), tz))
            for w in weeks(f.start, f.end)]


Rows = Callable[..., Select]  # (*columns) → SELECT columns FROM the table WHERE the filter's conditions
Counts = dict[tuple[str, int], int]  # (measure, week number) → count


def _range_counts(s: Session, bounds, rows: Rows, column, measures: dict) -> Counts:
    """Each (week, measure) a range count an index answers alone; all in one statement."""
    cells = [rows(func.count()).where(column >= lo, column < hi, *([] if c is None else [c]))
             .scalar_subquery().label(f"{n}_{i}") for i, (_, lo, hi) in enumerate(bounds) for n, c in measures.items()]
    row = s.execute(select(*cells)).one()._mapping
    return {(n, i): row[f"{n}_{i}"] for i in range(len(bounds)) for n in measures}


def _one_pass(s: Session, bounds, rows: Rows, column, measures: dict) -> Counts:
    """One pass over the rows, each put in its week by a CASE of the week boundaries."""
    week = case(*[(column < hi, i) for i, (_, _, hi) in enumerate(bounds)]).label("week_no")
    sums = [func.count() if c is None else func.sum(case((c, 1), else_=0)) for c in measures.values()]
    stmt = rows(week, *[v.label(n) for n, v in zip(measures, sums, strict=True)])
    stmt = stmt.where(column >= bounds[0][1], column < bounds[-1][2]).group_by("week_no")
    return {(n, r.week_no): r._mapping[n] for r in s.execute(stmt) for n in measures}


def per_week(engine: Engine, f: KpiFilter, tz: str, rows: Rows, column, measures: dict) -> pd.DataFrame:
    """Counts per office week of `rows`, bucketed by the UTC timestamp `column`; `measures` maps a name to
    the condition a row meets to count (None: every row). A week without rows counts 0. With no filter but
    the dates, indexes answer each count alone; a filter that must read the rows gets one pass instead."""
    bounds = week_bounds(f, tz)
    count = _range_counts if f == KpiFilter(f.start, f.end) else _one_pass
    with session_scope(engine) as s:
        counts = count(s, bounds, rows, column, measures)
    return pd.DataFrame([{"week": w, **{n: int(counts.get((n, i)) or 0) for n in measures}}
                         for i, (w, _, _) in enumerate(bounds)], columns=["week", *measures])


def seconds_between(earlier, later, dialect: str):
    """`later - earlier` in seconds, exact to the millisecond: the one dialect-aware expression."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def in_range(stmt: Select, column, f: KpiFilter, tz: str) -> Select:
    """Rows whose `column` falls on an office-local day of the filter's range."""
    return within(stmt, column, f.start, f.end, tz)


class unindexed(ColumnElement):  # used like a function: unindexed(column) == value
    """A column SQLite may not look up by an index (`+column`; as it is elsewhere): a list read in the order of
    another index is then walked in that order, not driven from this column's index and sorted."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column) -> None:
        self.column = column
        self.type = column.type


@compiles(unindexed)
def _unindexed(element: unindexed, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler, **kw) -> str:
    return "+" + compiler.process(element.column, **kw)


def narrow(stmt: Select, f: KpiFilter, *, staff=None, customer=None, kinds=None, types=None, channels=None,
           product=None) -> Select:
    """Apply the filter parts that concern this table: pass the table's staff, customer, kind,
    service type, channel and product columns (those it has)."""
    if staff is not None and f.staff_id:
        stmt = stmt.where(staff == f.staff_id)
    if customer is not None and f.grades:
        # `+ 0`: the customers of a grade are a third of the archive; SQLite must not drive the query from them
        # through the table's customer index (1.7 s at a million orders) but from its own date or status index
        stmt = stmt.where((customer + 0).in_(select(Customer.id).where(Customer.grade.in_(f.grades))))
    if kinds is not None and f.callback_kinds:
        stmt = stmt.where(kinds.in_(f.callback_kinds))
    if types is not None and f.service_types:
        stmt = stmt.where(types.in_(f.service_types))
    if channels is not None and f.complaint_channels:
        stmt = stmt.where(channels.in_(f.complaint_channels))
    if product is not None and f.models:
        stmt = stmt.where(product.in_(select(Product.id).where(Product.model.in_(f.models))))
    return stmt


def ratio(numerator, denominator) -> float | None:
    """A rate with no denominator is no data: None, never 0."""
    return None if not denominator else float(numerator or 0) / float(denominator)
