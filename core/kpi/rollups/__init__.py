"""The KPI rollups (issue 14 "Fast at scale"): the daily aggregates A1, A2, A4 and A5 (and the K-2
dissatisfaction reasons per day) kept in narrow tables
(db.models.kpi), one row per office-local day and dimensions, so that every dashboard area reads a few
thousand rows instead of millions.

Exact by marks: triggers (migration 0011) write, in the writer's own transaction, the rollup and the
timestamp whose office day a write changed (kpi_marks). `refresh` turns the pending marks into office days
and recounts exactly those days from the base rows; `rebuild` recounts everything. A rollup is counted
under a basis (the office's time zone, and for order intake the dispatch target of WO-3) stored in
kpi_rollup_state: a refresh under another basis rebuilds it.

Office days are bucketed exactly on both databases without a per-row date function: each day's UTC bounds
come from zoneinfo (daylight saving included) and a CASE over them names the day (as core.kpi.sql does for
weeks). What each rollup counts is core.kpi.rollups.specs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select

from core.clock import office_day
from core.kpi.rollups.specs import ROLLUPS, Options, Rollup, day_case
from db.enums import LeadClass
from db.models import KpiMark, KpiRollupState

__all__ = ["ROLLUPS", "Options", "Rollup", "day_case", "follow_up_intervals", "needs_rebuild", "office_basis",
           "rebuild", "rebuild_office", "refresh", "runs"]

MARKS_TO_REBUILD = 200_000  # more pending marks than this (a bulk load): rebuild without reading them
DAYS_TO_REBUILD = 400  # marks on more office days than this: one rebuild beats a statement per run of days
CHUNK_DAYS = 31  # days recounted by one statement: a CASE of at most this many branches per row
LOCK_KEY = 0x4B50_4931_3452  # pg_advisory_xact_lock: two refreshers serialize ("KPI14R")


def runs(days: Iterable[date], longest: int = CHUNK_DAYS) -> list[list[date]]:
    """The days sorted into runs of consecutive days, each at most `longest` long."""
    out: list[list[date]] = []
    for d in sorted(set(days)):
        if out and d - out[-1][-1] == timedelta(days=1) and len(out[-1]) < longest:
            out[-1].append(d)
        else:
            out.append([d])
    return out


def _recount(conn: Connection, spec: Rollup, days: Iterable[date], tz: str, target: Options) -> None:
    """Replace the rollup's rows of `days` by a recount of the base rows of those office days."""
    table = spec.table.__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    for run in runs(days):
        conn.execute(delete(table).where(table.c.day.between(run[0], run[-1])))
        if spec.ranged is not None:
            rows = spec.ranged(run, tz, conn.dialect.name, target)
        else:
            day, lo, hi = day_case(spec.stamp, run, tz)
            rows = spec.recount(day, conn.dialect.name, target).where(spec.stamp >= lo, spec.stamp < hi)
        conn.execute(insert(table).from_select(columns, rows))


def _begin_writing(conn: Connection) -> None:
    """Take the lock before anything is read: PostgreSQL an advisory lock two refreshers share; SQLite the
    database's write lock (its driver begins a transaction at the first write, not at a read)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
    else:
        conn.exec_driver_sql("DELETE FROM kpi_rollup_state WHERE 1 = 0")


def _store_basis(conn: Connection, name: str, basis: str) -> None:
    """The basis, stamped with the database's clock (core reads none)."""
    conn.execute(delete(KpiRollupState).where(KpiRollupState.rollup == name))
    conn.execute(insert(KpiRollupState).values(rollup=name, basis=basis, built_at=func.current_timestamp()))


def _rebuild_one(conn: Connection, spec: Rollup, tz: str, target: Options) -> int:
    """Recount the whole rollup, a month of days per statement; returns its rows. Its marks are deleted
    first: a write committed before that delete is seen by the recount after it (both databases), a later
    one keeps its mark for the next refresh."""
    conn.execute(delete(KpiMark).where(KpiMark.rollup == spec.name))
    conn.execute(delete(spec.table))
    first, last = conn.execute(select(func.min(spec.stamp), func.max(spec.stamp))).one()
    if first is not None:
        lo, hi = office_day(first, tz), office_day(last, tz)
        _recount(conn, spec, (lo + timedelta(days=i) for i in range((hi - lo).days + 1)), tz, target)
    _store_basis(conn, spec.name, spec.basis(tz, target))
    return conn.execute(select(func.count()).select_from(spec.table)).scalar_one()


def _names(names: Iterable[str] | None) -> list[str]:
    return list(ROLLUPS) if names is None else [n for n in ROLLUPS if n in set(names)]


def _target(engine: Engine, names: list[str], target_minutes: int | None,
            intervals: tuple[int, ...] | None = None) -> Options:
    """The options the named rollups are counted under: those given, else the office's settings."""
    from core.office.settings import load_office

    office = None
    if target_minutes is None and "order_intake_days" in names:
        office = load_office(engine)
        target_minutes = int(office.get("work_order.dispatch_target_minutes"))
    if intervals is None and any(ROLLUPS[n].uses_intervals for n in names):
        intervals = follow_up_intervals(office or load_office(engine))
    return Options(target_minutes, intervals)


def follow_up_intervals(settings) -> tuple[int, ...]:
    """L-1's follow-up interval in days of each lead class (A, B, C), from an Office or a plain mapping."""
    from core.leads.rules import interval_days

    return tuple(interval_days(k, settings) for k in LeadClass)


def rebuild(engine: Engine, tz: str, target_minutes: int | None, names: Iterable[str] | None = None
            ) -> dict[str, int]:
    """Recount the named rollups (all by default) from the base rows, in one transaction, and store their
    basis: each rollup's rows. `target_minutes` is WO-3's dispatch target (None: the office's setting)."""
    wanted = _names(names)
    target = _target(engine, wanted, target_minutes)
    out = {}
    with engine.begin() as conn:
        _begin_writing(conn)
        for name in wanted:
            out[name] = _rebuild_one(conn, ROLLUPS[name], tz, target)
    return out


def _stale(engine: Engine, wanted: list[str], tz: str, target: Options) -> bool:
    """A quick look without a lock: is any named rollup marked, or counted under another basis?"""
    with engine.connect() as conn:
        bases = dict(conn.execute(select(KpiRollupState.rollup, KpiRollupState.basis)).all())
        if any(bases.get(n) != ROLLUPS[n].basis(tz, target) for n in wanted):
            return True
        return any(conn.execute(select(KpiMark.id).where(KpiMark.rollup == n).limit(1)).first() for n in wanted)


def refresh(engine: Engine, tz: str, target_minutes: int | None = None, names: Iterable[str] | None = None,
            intervals: tuple[int, ...] | None = None) -> dict[str, str]:
    """Bring the named rollups (all by default) up to date in ONE transaction: per rollup, its pending marks
    are deleted and read back (RETURNING), their timestamps become office days, and those days are recounted;
    under another basis, with more than MARKS_TO_REBUILD marks or marks on more than DAYS_TO_REBUILD days, the
    rollup is rebuilt instead (the mark count alone says little: a busy day leaves thousands on one day).
    Cheap when nothing is marked (one look, no lock). Returns what was done per rollup ("rebuilt", "N days")."""
    wanted = _names(names)
    target = _target(engine, wanted, target_minutes, intervals)
    if not _stale(engine, wanted, tz, target):
        return {}
    done = {}
    with engine.begin() as conn:
        _begin_writing(conn)
        bases = dict(conn.execute(select(KpiRollupState.rollup, KpiRollupState.basis)).all())
        for name in wanted:
            spec, mine = ROLLUPS[name], KpiMark.rollup == name
            pending = conn.execute(select(func.count()).select_from(KpiMark).where(mine)).scalar_one()
            if bases.get(name) != spec.basis(tz, target) or pending > MARKS_TO_REBUILD:
                _rebuild_one(conn, spec, tz, target)
                done[name] = "rebuilt"
            elif pending:
                stamps = conn.execute(delete(KpiMark).where(mine).returning(KpiMark.at)).scalars().all()
                days = {office_day(at, tz) for at in stamps}
                if len(days) > DAYS_TO_REBUILD:
                    _rebuild_one(conn, spec, tz, target)
                    done[name] = "rebuilt"
                else:
                    _recount(conn, spec, days, tz, target)
                    done[name] = f"{len(days)} days"
    return done


def office_basis(engine: Engine) -> tuple[str, int]:
    """The office's time zone and WO-3 dispatch target (core.office), the basis the rollups are counted under."""
    from core.office.settings import load_office

    office = load_office(engine)
    return office.timezone, int(office.get("work_order.dispatch_target_minutes"))


def rebuild_office(engine: Engine, names: Iterable[str] | None = None) -> dict[str, int]:
    """Rebuild the named rollups (all by default) under the office's own basis (after a bulk load, or an
    upgraded office): rows per rollup. The marks a bulk load made go with it."""
    tz, target = office_basis(engine)
    return rebuild(engine, tz, target, names)


def needs_rebuild(engine: Engine) -> bool:
    """An office with records a rollup counts but no rollup built yet (upgraded from before migration 0011)."""
    with engine.connect() as conn:
        if conn.execute(select(KpiRollupState.rollup).limit(1)).first():
            return False
        return any(conn.execute(select(r.stamp).limit(1)).first() for r in ROLLUPS.values())
