"""The daily sweep: turns recent events into the L1 callbacks CB-2 and CB-11 call for.

It is idempotent: each callback's `source_key` names its event, so a second run creates nothing; an OPEN
callback whose event changed (a corrected delivery date) gets its new window; callbacks in progress or
finished are never touched. It works in sets, not rows: each kind of event is read once, and only the
recent ones (a window's length plus a week back, the horizon ahead) through the indexes on their dates;
stored keys are looked up and new callbacks inserted in bulk.

Audit volume: one audit row per sweep run (entity "sweep", the counts in its changes), not one per
created callback (a holiday can create tens of thousands); a moved callback is rare and gets its own row
with the window before and after. The latest sweep row also tells when the sweep last ran, so the app
can run it on the first sign-in of an office day (`run_if_not_today`).

Saving a triggering record (a delivery date, a logged missed call, a complaint) plans its callbacks at once
in the save's own transaction (`schedule_at_save`), with the same rules and keys, so the sweep later finds
them and creates nothing twice (CB-2: it runs when the record is saved, and as a daily sweep).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, case, extract, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.office.settings import Office, load_office
from core.permissions import Actor
from core.scheduling.assignment import CHUNK, load_assigner, owners
from core.scheduling.rules import (
    LOOKBACK_MARGIN_DAYS,
    WINDOW_SETTING,
    Events,
    Existing,
    Plan,
    Planned,
    Windows,
    day_end,
    day_start,
    office_day,
    plan_wanted,
    touches,
    wanted_callbacks,
)
from db.engine import session_scope
from db.enums import ArchiveValidity, AuditAction, CallbackLevel, CallbackStatus, ServiceType
from db.models import AuditEntry, Callback, Complaint, Customer, IncomingCall, Product, WorkOrder

SWEEP = "sweep"
HORIZON_DAYS = 7


@dataclass(frozen=True)
class SweepResult:
    created: int
    moved: int
    skipped: int


def schedule_due_callbacks(engine: Engine, now: datetime, horizon_days: int = HORIZON_DAYS) -> SweepResult:
    """Plan and write the due callbacks in one transaction. Two sweeps racing (two first sign-ins) make
    one of them hit the unique source key; it then plans again and finds the other's work."""
    for attempt in range(3):
        try:
            return _sweep(engine, now, horizon_days)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _sweep(engine: Engine, now: datetime, horizon_days: int) -> SweepResult:
    office = load_office(engine)
    tz, w = office.timezone, Windows.from_settings(office.get)
    with session_scope(engine) as s:
        wanted = wanted_callbacks(load_events(s, now, tz, w, horizon_days), now, tz, w, horizon_days)
        stamp_unstamped(s, w)
        plan = plan_wanted(wanted, existing(s, [p.source_key for p in wanted]), tz)
        _insert(s, plan.create, str(office.get("callback.assignment")), now)
        moved = _move(s, plan, now)
        result = SweepResult(len(plan.create), moved, plan.skipped + len(plan.move) - moved)
        audit.record(s, None, SWEEP, None, AuditAction.CREATE, username=SWEEP, at=now,
                     extra={"created": result.created, "moved": result.moved, "skipped": result.skipped,
                            "horizon_days": horizon_days})
    return result


def last_sweep(engine: Engine) -> datetime | None:
    """When the sweep last ran (its latest audit row), or None if it never has."""
    with session_scope(engine) as s:
        return s.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.entity == SWEEP))


def run_if_not_today(engine: Engine, now: datetime, tz: str, horizon_days: int = HORIZON_DAYS) -> SweepResult | None:
    """Run the sweep unless it already ran this office day (called on the first sign-in of a day)."""
    last = last_sweep(engine)
    if last is not None and office_day(last, tz) >= office_day(now, tz):
        return None
    return schedule_due_callbacks(engine, now, horizon_days)


# --- reading the recent events ----------------------------------------------------------------------

def load_events(s: Session, now: datetime, tz: str, w: Windows, horizon_days: int) -> Events:
    """The events whose callback windows can touch [today - window - a week, today + horizon]."""
    today = office_day(now, tz)
    last = today + timedelta(days=horizon_days)

    def since(window_days: int) -> date:
        return today - timedelta(days=window_days + LOOKBACK_MARGIN_DAYS)

    def between(column, window_days: int):
        return column.between(day_start(since(window_days), tz), day_end(last, tz))

    return Events(
        products=_products(s, since(w.first_call_delay_days), since(w.new_customer_window_days), last),
        work_orders=_rows(s, select(WorkOrder.id, WorkOrder.customer_id, WorkOrder.product_id, WorkOrder.completed_at)
                          .where(between(WorkOrder.completed_at, w.after_repair_window_days),
                                 WorkOrder.service_type != ServiceType.INTERNAL)),
        complaints=_rows(s, select(Complaint.id, Complaint.customer_id, Complaint.product_id, Complaint.received_at)
                         .where(between(Complaint.received_at, w.complaint_window_days))),
        incoming_calls=_rows(s, select(IncomingCall.id, IncomingCall.customer_id, IncomingCall.received_at,
                                       IncomingCall.answered, IncomingCall.resolved).where(
            between(IncomingCall.received_at, w.missed_call_window_days), IncomingCall.customer_id.is_not(None),
            or_(IncomingCall.answered.is_(False), IncomingCall.resolved.is_(False)))),
        care_customers=_care_customers(s, today, last, w),
    )


def _rows(s: Session, stmt) -> list[dict]:
    return [dict(r) for r in s.execute(stmt).mappings()]


def _products(s: Session, effective_from: date, delivered_from: date, last: date) -> list[dict]:
    cols = (Product.id, Product.customer_id, Product.effective_date, Product.delivery_date)
    delivered = _rows(s, select(*cols).where(Product.delivery_date.between(delivered_from, last)))
    effective = _rows(s, select(*cols).where(Product.effective_date.between(effective_from, last)))
    return list({p["id"]: p for p in delivered + effective}.values())


def _care_customers(s: Session, today: date, last: date, w: Windows) -> list[dict]:
    """Valid (C-3) customers of the care grades (C-2, setting `callback.care_grades`): all of them if a
    holiday greeting falls due in the horizon, otherwise only those whose birthday does."""
    if not w.care_grades:
        return []
    stmt = select(Customer.id, Customer.birthday).where(
        Customer.grade.in_(w.care_grades), Customer.validity == ArchiveValidity.VALID)
    if w.holidays.between(today, last + timedelta(days=w.holiday_lead_days)):
        return _rows(s, stmt)
    days = [today + timedelta(days=i) for i in range((last - today).days + 1)]
    pairs = {(d.month, d.day) for d in days} | ({(2, 29)} if (2, 28) in {(d.month, d.day) for d in days} else set())
    month, day = extract("month", Customer.birthday), extract("day", Customer.birthday)
    return _rows(s, stmt.where(or_(*(and_(month == m, day == d) for m, d in sorted(pairs)))))


def existing(s: Session, keys: list[str]) -> dict[str, Existing]:
    """The stored callbacks under these source keys, looked up in chunks through the unique index."""
    out: dict[str, Existing] = {}
    cols = (Callback.source_key, Callback.id, Callback.status, Callback.due_start, Callback.due_end,
            Callback.window_days)
    for i in range(0, len(keys), CHUNK):
        for key, *rest in s.execute(select(*cols).where(Callback.source_key.in_(keys[i:i + CHUNK]))):
            out[key] = Existing(*rest)
    return out


def stamp_unstamped(s: Session, w: Windows) -> None:
    """Open callbacks stored before they kept their window length (or made outside the planner, such as the
    demo's) take the current setting's, as the sweep that planned them would have: from then on a changed
    setting no longer moves them (issue 9). Bookkeeping, not a change of any due date: not audited."""
    kinds = list(WINDOW_SETTING)
    length = case(*((Callback.kind == k, getattr(w, WINDOW_SETTING[k])) for k in kinds))
    s.execute(update(Callback).where(Callback.status == CallbackStatus.OPEN, Callback.window_days.is_(None),
                                     Callback.kind.in_(kinds))
              .values(window_days=length).execution_options(synchronize_session=False))


# --- writing ----------------------------------------------------------------------------------------

def _insert(s: Session, planned: list[Planned], policy: str, now: datetime) -> None:
    if not planned:
        return
    assigner, own = load_assigner(s, policy), owners(s, (p.customer_id for p in planned))
    rows = [_row(p, assigner.pick(own.get(p.customer_id)), now) for p in planned]
    for i in range(0, len(rows), CHUNK):
        s.execute(insert(Callback), rows[i:i + CHUNK])


def _row(p: Planned, assignee_id: int | None, now: datetime) -> dict:
    """A new open L1 callback for a planned one."""
    return {"customer_id": p.customer_id, "kind": p.kind, "level": CallbackLevel.L1, "status": CallbackStatus.OPEN,
            "due_start": p.due_start, "due_end": p.due_end, "assignee_id": assignee_id, "product_id": p.product_id,
            "work_order_id": p.work_order_id, "complaint_id": p.complaint_id, "source_key": p.source_key,
            "attempts_count": 0, "created_at": now, "version": 1, "window_days": p.window_days}


def _move(s: Session, plan: Plan, now: datetime, actor: Actor | None = None) -> int:
    """A new window for each callback still open whose event changed; audited one row per callback.
    Returns how many moved (one claimed meanwhile is left alone)."""
    moved = 0
    for old, p in plan.move:
        done = s.execute(update(Callback).where(Callback.id == old.id, Callback.status == CallbackStatus.OPEN)
                         .values(due_start=p.due_start, due_end=p.due_end, version=Callback.version + 1)
                         .execution_options(synchronize_session=False)).rowcount
        if done:
            moved += 1
            audit.record(s, actor, "callback", old.id, AuditAction.UPDATE,
                         {"due_start": old.due_start, "due_end": old.due_end},
                         {"due_start": p.due_start, "due_end": p.due_end}, username=None if actor else SWEEP, at=now)
    return moved


# --- at save ----------------------------------------------------------------------------------------

def schedule_at_save(s: Session, actor: Actor, planned: list[Planned], office: Office, now: datetime) -> list[int]:
    """CB-2 at save: the callbacks a just-saved event calls for, in the caller's transaction. A new one is
    created (assigned as the sweep would, audited as the actor's) when its window touches today's reach,
    so a back-dated event does not make a callback long overdue; a stored OPEN one whose event changed gets
    its new window (a corrected delivery date); one being worked or finished is left alone. Returns the
    ids of the callbacks created."""
    plan = plan_wanted(planned, existing(s, [p.source_key for p in planned]), office.timezone)
    fresh = [p for p in plan.create if touches(p, now, office.timezone, HORIZON_DAYS)]
    assigner = load_assigner(s, str(office.get("callback.assignment"))) if fresh else None
    own = owners(s, (p.customer_id for p in fresh))
    created = []
    for p in fresh:
        cb = Callback(**_row(p, assigner.pick(own.get(p.customer_id)), now))
        s.add(cb)
        s.flush()
        audit.record(s, actor, "callback", cb.id, AuditAction.CREATE, None,
                     {"kind": p.kind, "customer_id": p.customer_id, "due_start": p.due_start,
                      "due_end": p.due_end, "assignee_id": cb.assignee_id, "source_key": p.source_key}, at=now)
        created.append(cb.id)
    _move(s, plan, now, actor)
    return created
