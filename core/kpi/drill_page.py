"""What every drill function (core.kpi.drill's contract, issue 14) shares: reading a pick, the picked week's
bounds and one page of rows. One rule for a pick: a drill refuses one it cannot hold (a key it does not read,
a key missing, a value no mark has) with ValueError, never another error and never an empty list by accident.
A total is counted up to CAP rows: past it, the list says "more than CAP" (`more_than_cap`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, Select, func, literal, select

from core.kpi.sql import KpiFilter
from core.lists import day_bounds_utc
from db.engine import session_scope

Rows = tuple[list[dict], int]  # a page of rows and their total: exact up to CAP, CAP + 1 for "more than CAP"
CAP = 10_000
"""Rows a total counts at most (issue 14, "a drill-down list ≤ 100 ms"): an exact count(*) of a two-year mark
(a million rows at the large office) takes seconds; past CAP the list says "more than CAP"."""


def only(pick: dict, *keys: str) -> dict:
    """The pick, if it holds no key but `keys` (a hand-edited link's extra key: ValueError)."""
    extra = set(pick) - set(keys)
    if extra:
        raise ValueError(sorted(extra))
    return pick


def need(pick: dict, key: str) -> str:
    """The pick's `key` (missing: ValueError)."""
    value = pick.get(key)
    if value is None:
        raise ValueError(key)
    return value


def number(pick: dict, key: str) -> int:
    """The pick's `key` as a record id (missing or not a number: ValueError)."""
    value = need(pick, key)
    if not value.isdigit():
        raise ValueError(value)
    return int(value)


def week_days(f: KpiFilter, raw: str) -> tuple[date, date]:
    """The picked week's days (its Monday ISO date), clipped to the filter's days as the weekly charts count
    them; not a Monday, or no day of it in the range: ValueError."""
    monday = date.fromisoformat(raw)
    if monday > date.max - timedelta(days=6):  # its Sunday is past the last date there is (a hand-edited link)
        raise ValueError(raw)
    first, last = max(monday, f.start), min(monday + timedelta(days=6), f.end)
    if monday.weekday() or first > last:
        raise ValueError(raw)
    return first, last


def week_bounds(f: KpiFilter, tz: str, raw: str | None) -> tuple[datetime, datetime]:
    """The picked week's UTC bounds (`week_days`); no week picked (a headline's records): the whole period's."""
    return day_bounds_utc(*((f.start, f.end) if raw is None else week_days(f, raw)), tz)


def more_than_cap(total: int) -> bool:
    """Whether a drill's total is "more than CAP" rather than an exact count."""
    return total > CAP


def page(engine: Engine, kind: str, stmt: Select, order: list, limit: int, offset: int,
         rows_stmt: Select | None = None, total: int | None = None) -> Rows:
    """One page of `stmt` (its columns: id, number, customer, at, status, staff), by `order` (each descending;
    it ends with a column unique per row, so pages neither skip nor repeat one), and the total, both in SQL:
    exact up to CAP, CAP + 1 for any more (counting stops there). `rows_stmt`: the page's rows read by this
    statement instead, already ordered and cut to the page (a list sorted on a computed time finds its page's
    ids first and only then their names: core.kpi.drill_orders.pending_reasons). `total`: the total already known
    (from a rollup: core.kpi.drill_leads), not counted again; past CAP it is given as CAP + 1."""
    stmt = stmt.order_by(None)
    with session_scope(engine) as s:
        # counted without the display columns (a name per row, a scalar lookup per row): 2.5x faster at 200k rows;
        # and no further than CAP + 1 rows
        if total is None:
            counted = stmt.with_only_columns(literal(1), maintain_column_froms=True).limit(CAP + 1)
            total = s.scalar(select(func.count()).select_from(counted.subquery()))
        total = min(int(total or 0), CAP + 1)
        if rows_stmt is None:
            rows_stmt = stmt.order_by(*(c.desc() for c in order)).limit(limit).offset(offset)
        rows = s.execute(rows_stmt).all()
    return [{"kind": kind, "id": r.id, "number": str(r.number), "customer": r.customer, "at": r.at,
             "status": None if r.status is None else getattr(r.status, "value", r.status), "staff": r.staff}
            for r in rows], total
