"""Finance's week (WO-8): each week finance receives the list of that week's paid orders (the week an order
was accepted, `rules.finance_week`), records their invoice numbers and signs the week off; a signed week is
closed to changes and settles its orders in the same transaction. Settled orders are then closed by the
service desk from the order's record (flow: CLOSE is the desk's move), not by finance."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import inputs
from core.audit import log as audit
from core.clock import office_day
from core.errors import DomainError, Invalid
from core.lists import as_dict, day_bounds_utc
from core.office.settings import Office, load_office
from core.permissions import Action, Actor, require
from core.work_orders import flow, store
from core.work_orders.flow import Act, Move
from core.work_orders.rules import INVOICE_MAX, finance_week, week_start
from db.engine import session_scope
from db.enums import AuditAction, ServiceType, WorkOrderStatus
from db.models import Customer, FinanceBatch, User, WorkOrder

WEEKS_LISTED = 26  # the week select box: this many weeks back, plus any older week still to sign


def set_invoice(engine: Engine, actor: Actor, order_id: int, version: int, invoice_no: str | None,
                now: datetime) -> int:
    """WO-8: finance records the invoice number of an accepted paid order (Act.INVOICE), until its week is
    signed off. Returns the order's new version."""
    require(actor, Action.SETTLE_FEE)
    text = inputs.required(invoice_no, "invoice_no", INVOICE_MAX, inputs.Kind.NAME,
                           missing="wo.finance.invoice_required")
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        store.lock(s, order_id)
        wo = store.load(s, order_id)
        store.fresh(s, wo, version)
        ctx = store.context(s, wo, tz)
        if ctx.week_signed:  # said first: a signed week's orders have also moved on (settled)
            raise DomainError("wo.week.signed")
        flow.check_act(Act.INVOICE, wo, actor, ctx)
        return store.write(s, actor, wo, version, {"invoice_no": text}, wo["status"], Act.INVOICE.value, None, now)


def is_over(week: date, now: datetime, tz: str) -> bool:
    """Whether the week starting `week` has ended (office days): only then is it signed off."""
    return week < week_start(office_day(now, tz))


def _check_week(week: date, now: datetime, tz: str) -> None:
    """A week is named by its Monday and is signed off once it is over: an order accepted later in a week
    already signed could never be settled (a signed week is closed to changes)."""
    if week.weekday() != 0:
        raise Invalid("wo.week.not_monday", field="week_start")
    if not is_over(week, now, tz):
        raise Invalid("wo.week.not_over", field="week_start")


def _week_conditions(week: date, tz: str) -> tuple:
    """The paid orders accepted in the office week starting `week` (ix_work_orders_type_accepted)."""
    lo, hi = day_bounds_utc(week, week + timedelta(days=6), tz)
    return WorkOrder.service_type == ServiceType.PAID, WorkOrder.accepted_at >= lo, WorkOrder.accepted_at < hi


def _batch(s: Session, week: date) -> FinanceBatch:
    """The week's batch row, taken for this transaction by a write before anything is read (as store.lock
    does: SQLite serialises writers, PostgreSQL locks the row), made when the week has none yet; of two
    sign-offs at once the second waits and then reads the first one's signature."""
    taken = s.execute(update(FinanceBatch).where(FinanceBatch.week_start == week)
                      .values(week_start=FinanceBatch.week_start).execution_options(synchronize_session=False))
    if not taken.rowcount:
        s.add(FinanceBatch(week_start=week))
        s.flush()  # a second first sign-off waits on the unique week and fails: sign_week retries it
    return s.scalar(select(FinanceBatch).where(FinanceBatch.week_start == week))


def _refuse_signed(s: Session, batch: FinanceBatch) -> None:
    if batch.signed_at is not None:
        who = s.scalar(select(User.display_name).where(User.id == batch.signed_by_id))
        raise DomainError("wo.week.already_signed", who=who or "?", when=batch.signed_at)


def _settle(s: Session, actor: Actor, batch: FinanceBatch, orders: list[dict], now: datetime) -> None:
    for wo in orders:
        flow.check(Move.SETTLE, wo, actor, flow.Context())
        store.write(s, actor, wo, wo["version"], {"settled_at": now, "finance_batch_id": batch.id},
                    WorkOrderStatus.SETTLED, Move.SETTLE.value, None, now)


def sign_week(engine: Engine, actor: Actor, week: date, office: Office, now: datetime) -> int:
    """WO-8: finance signs off the week starting `week` (a Monday, once the week is over): every paid order
    accepted in it and not yet settled is settled into the week's batch, which records who signed and when;
    one audit row for the batch besides each order's own. Refused when the week is already signed (naming
    who and when), has nothing to settle, or lists orders without an invoice number (naming them).
    Returns how many orders were settled."""
    require(actor, Action.SETTLE_FEE)
    _check_week(week, now, office.timezone)
    try:
        return _sign(engine, actor, week, office.timezone, now)
    except IntegrityError:  # two first sign-offs made the batch row at once: the loser reads the winner's
        return _sign(engine, actor, week, office.timezone, now)


def _sign(engine: Engine, actor: Actor, week: date, tz: str, now: datetime) -> int:
    with session_scope(engine) as s:
        batch = _batch(s, week)
        _refuse_signed(s, batch)
        rows = s.scalars(select(WorkOrder)
                         .where(*_week_conditions(week, tz), WorkOrder.status == WorkOrderStatus.ACCEPTED)
                         .order_by(WorkOrder.number).with_for_update()).all()
        orders = [as_dict(wo) for wo in rows]
        if not orders:
            raise DomainError("wo.week.nothing_to_sign")
        lacking = [wo["number"] for wo in orders if not wo.get("invoice_no")]
        if lacking:
            raise DomainError("wo.week.missing_invoice", numbers=", ".join(lacking))
        _settle(s, actor, batch, orders, now)
        batch.signed_by_id, batch.signed_at = actor.id, now
        audit.record(s, actor, "finance_batch", batch.id, AuditAction.UPDATE, {"signed_at": None},
                     {"signed_at": now, "week_start": week}, at=now, extra={"settled": [wo["number"] for wo in orders]})
        return len(orders)


def week_orders(engine: Engine, actor: Actor, week: date, tz: str) -> dict:
    """WO-8: the week's paid orders (accepted in it, whatever their status since) with customer, fee, collected
    on site or to invoice, invoice number; the totals in cents (on site: collected by the technician and
    handed over; to invoice: the rest); who signed the week off and when (None: open)."""
    require(actor, Action.SETTLE_FEE)
    return paid_week(engine, week, tz)


def paid_week(engine: Engine, week: date, tz: str) -> dict:
    """week_orders without the gate, for the weekly office report (issue 14), which the server builds for nobody
    in particular and shows to those who read the KPIs."""
    stmt = (select(WorkOrder.number, Customer.name.label("customer"), WorkOrder.fee_cents,
                   WorkOrder.fee_collected_on_site.label("collected_on_site"), WorkOrder.invoice_no, WorkOrder.status,
                   WorkOrder.id, WorkOrder.version)
            .join(Customer, Customer.id == WorkOrder.customer_id)
            .where(*_week_conditions(week, tz)).order_by(WorkOrder.number))
    with session_scope(engine) as s:
        rows = [dict(r) for r in s.execute(stmt).mappings()]
        signed = s.execute(select(User.display_name, FinanceBatch.signed_at)
                           .join(User, User.id == FinanceBatch.signed_by_id)
                           .where(FinanceBatch.week_start == week)).first()
    total = sum(r["fee_cents"] or 0 for r in rows)
    on_site = sum(r["fee_cents"] or 0 for r in rows if r["collected_on_site"])
    return {"week_start": week, "signed_by": signed[0] if signed else None, "signed_at": signed[1] if signed else None,
            "rows": rows, "total_cents": total, "on_site_cents": on_site, "to_invoice_cents": total - on_site}


def paid_weeks(engine: Engine, actor: Actor, now: datetime, tz: str) -> list[date]:
    """The weeks the Finance page offers, newest first: this week, the last WEEKS_LISTED weeks that had paid
    orders accepted, any older week with a paid order still to settle, and every week signed off (a settled
    week stays readable however old)."""
    require(actor, Action.SETTLE_FEE)
    this_week = week_start(office_day(now, tz))
    since, _ = day_bounds_utc(this_week - timedelta(weeks=WEEKS_LISTED), None, tz)
    paid = WorkOrder.service_type == ServiceType.PAID
    with session_scope(engine) as s:
        recent = s.scalars(select(WorkOrder.accepted_at).where(paid, WorkOrder.accepted_at >= since)).all()
        open_ = s.scalars(select(WorkOrder.accepted_at).where(paid, WorkOrder.status == WorkOrderStatus.ACCEPTED)).all()
        signed = s.scalars(select(FinanceBatch.week_start).where(FinanceBatch.signed_at.is_not(None))).all()
    weeks = {finance_week(at, tz) for at in [*recent, *open_]} | set(signed) | {this_week}
    return sorted((w for w in weeks if w <= this_week), reverse=True)


def weeks_to_sign(engine: Engine, actor: Actor, now: datetime, tz: str) -> list[date]:
    """WO-8: the weeks that have ended (is_over) with paid orders accepted and not yet settled, the oldest first
    (finance's My work). The running week is not listed: it cannot be signed off until it is over."""
    require(actor, Action.SETTLE_FEE)
    with session_scope(engine) as s:
        accepted = s.scalars(select(WorkOrder.accepted_at).distinct().where(
            WorkOrder.service_type == ServiceType.PAID, WorkOrder.status == WorkOrderStatus.ACCEPTED)).all()
    return sorted(w for w in {finance_week(at, tz) for at in accepted} if is_over(w, now, tz))
