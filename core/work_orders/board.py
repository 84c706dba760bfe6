"""The dispatcher's and engineering's read side: the dispatch board (WO-3), each technician's open load, and
the summary of unfinished orders with their reasons (WO-7). Every figure is one SQL query on the work
orders' indexes; `now` and the office come in as arguments."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, and_, case, func, select
from sqlalchemy.orm import aliased

from core.clock import office_day
from core.lists import Page, as_dict, paginate
from core.office.settings import Office
from core.permissions import Action, Actor, allowed, require
from core.scheduling.rules import day_start
from core.work_orders.flow import UNFINISHED, Act, Context, Move, may, moves_for
from db.engine import session_scope
from db.enums import Role, SignatureKind, WorkOrderStatus
from db.models import Customer, User, WorkOrder, WorkOrderSignature

W = WorkOrderStatus
BOARD_MAX = 200  # undispatched orders shown; an office with more has a bigger problem than the list
SUMMARY_ROWS_MAX = 500
IN_HAND = (W.DISPATCHED, W.RECEIVED, W.SURVEY, W.IN_REPAIR, W.PENDING, W.COMPLETED)  # the technician's to act on
LOAD_GROUPS = {"to_receive": (W.DISPATCHED,), "working": (W.RECEIVED, W.SURVEY, W.IN_REPAIR), "pending": (W.PENDING,)}


def minutes_since(at: datetime, now: datetime) -> int:
    return max(int((now - at).total_seconds() // 60), 0)


def dispatch_board(engine: Engine, actor: Actor, office: Office, now: datetime) -> Page:
    """WO-3: the orders not yet dispatched (status new), each with the minutes since intake, `late` past
    `work_order.dispatch_target_minutes`, and `carried_over` when taken in before today (office day): those
    come first, then the oldest first (one walk of ix_work_orders_status_intake, since an order carried over
    is older than any of today's). At most BOARD_MAX rows; `total` counts them all, so the page says when
    it shows only part."""
    require(actor, Action.DISPATCH_WORK_ORDER)
    target = int(office.get("work_order.dispatch_target_minutes"))
    today = day_start(office_day(now, office.timezone), office.timezone)
    stmt = (select(WorkOrder.id, WorkOrder.number, WorkOrder.version, Customer.name.label("customer"),
                   WorkOrder.address, WorkOrder.request, WorkOrder.service_type, WorkOrder.intake_at)
            .join(Customer, Customer.id == WorkOrder.customer_id).where(WorkOrder.status == W.NEW)
            .order_by(WorkOrder.intake_at, WorkOrder.id))
    count = select(func.count()).select_from(WorkOrder).where(WorkOrder.status == W.NEW)
    with session_scope(engine) as s:
        page = paginate(s, stmt, 1, BOARD_MAX, count)
    return replace(page, rows=[r | {"minutes": minutes_since(r["intake_at"], now),
                                    "late": minutes_since(r["intake_at"], now) > target,
                                    "carried_over": r["intake_at"] < today} for r in page.rows])


def technician_loads(engine: Engine, actor: Actor) -> list[dict]:
    """Active engineers by name, each with their open orders counted by group (LOAD_GROUPS: to receive,
    working on, pending) and in all; shown beside the dispatcher's choice of technician."""
    require(actor, Action.DISPATCH_WORK_ORDER)
    counts = [func.coalesce(func.sum(case((WorkOrder.status.in_(statuses), 1), else_=0)), 0).label(name)
              for name, statuses in LOAD_GROUPS.items()]
    open_ = [s for group in LOAD_GROUPS.values() for s in group]
    stmt = (select(User.id, User.display_name.label("name"), *counts)
            .outerjoin(WorkOrder, and_(WorkOrder.technician_id == User.id, WorkOrder.status.in_(open_)))
            .where(User.role == Role.ENGINEER, User.active.is_(True))
            .group_by(User.id, User.display_name).order_by(User.display_name, User.id))
    with session_scope(engine) as s:
        rows = [dict(r) for r in s.execute(stmt).mappings()]
    return [r | {"open": sum(int(r[name]) for name in LOAD_GROUPS)} for r in rows]


def _summary_scope(actor: Actor) -> list:
    """An engineer sees their own orders; the dispatcher (the manager) the office's."""
    if allowed(actor.role, Action.RECORD_REPAIR):
        return [WorkOrder.technician_id == actor.id]
    require(actor, Action.DISPATCH_WORK_ORDER)
    return []


def reason_of(status: WorkOrderStatus | str, pending_reason: object) -> str:
    """WO-7's reason: the pending reason of a waiting order, its status otherwise."""
    return str(pending_reason) if status == W.PENDING and pending_reason else str(status)


def unfinished_summary(engine: Engine, actor: Actor, office: Office, now: datetime) -> dict:
    """WO-7: the orders not yet completed (flow.UNFINISHED) grouped by technician and reason (reason_of), each
    group with its count and the age in office days of its oldest order; and the orders themselves, the
    oldest first (at most SUMMARY_ROWS_MAX, `total` counts all). An engineer sees their own."""
    scope = [WorkOrder.status.in_(UNFINISHED), *_summary_scope(actor)]
    tech = aliased(User, name="tech")
    groups_q = (select(WorkOrder.technician_id, tech.display_name.label("technician"), WorkOrder.status,
                       WorkOrder.pending_reason, func.count().label("count"),
                       func.min(WorkOrder.intake_at).label("oldest"))
                .outerjoin(tech, tech.id == WorkOrder.technician_id).where(*scope)
                .group_by(WorkOrder.technician_id, tech.display_name, WorkOrder.status, WorkOrder.pending_reason))
    rows_q = (select(WorkOrder.id, WorkOrder.number, Customer.name.label("customer"),
                     tech.display_name.label("technician"), WorkOrder.status, WorkOrder.pending_reason,
                     WorkOrder.intake_at)
              .join(Customer, Customer.id == WorkOrder.customer_id).outerjoin(tech, tech.id == WorkOrder.technician_id)
              .where(*scope).order_by(WorkOrder.intake_at, WorkOrder.id).limit(SUMMARY_ROWS_MAX))
    with session_scope(engine) as s:
        groups = [dict(r) for r in s.execute(groups_q).mappings()]
        rows = [dict(r) for r in s.execute(rows_q).mappings()]
    tz, today = office.timezone, office_day(now, office.timezone)

    def age(at: datetime) -> int:
        return (today - office_day(at, tz)).days

    merged: dict[tuple, dict] = {}
    for g in groups:
        key = (g["technician"] or "", reason_of(g["status"], g["pending_reason"]))
        entry = merged.setdefault(key, {"technician": g["technician"], "reason": key[1], "count": 0, "oldest_days": 0})
        entry["count"] += g["count"]
        entry["oldest_days"] = max(entry["oldest_days"], age(g["oldest"]))
    return {"groups": [merged[k] for k in sorted(merged)], "total": sum(g["count"] for g in groups),
            "rows": [r | {"reason": reason_of(r["status"], r["pending_reason"]), "age_days": age(r["intake_at"])}
                     for r in rows]}


def next_step(wo: dict, actor: Actor, ctx: Context) -> str | None:
    """What the technician does next on `wo`, read from the flow: their signature, then (after the manager's
    countersign, which they wait for) the customer's, then the first move the table offers them besides
    going pending. A Move or Act value, `await_countersign`, or None."""
    for act, done in ((Act.SIGN_TECHNICIAN, ctx.technician_signed), (Act.SIGN_CUSTOMER, ctx.customer_signed)):
        if not done and may(act, wo, actor, ctx):
            return act.value
    if wo["status"] == W.COMPLETED and not wo.get("manager_countersigned_at"):
        return "await_countersign"
    moves = [m for m in moves_for(wo, actor, ctx) if m != Move.PEND]
    return moves[0].value if moves else None


def engineer_orders(engine: Engine, actor: Actor, limit: int = 50) -> Page:
    """An engineer's own orders still in their hands (dispatched to completed, not yet returned), the longest
    waiting first, each with its `next` step (next_step); at most `limit`, `total` counts them all."""
    require(actor, Action.RECORD_REPAIR)
    mine = (WorkOrder.technician_id == actor.id, WorkOrder.status.in_(IN_HAND))
    stmt = select(WorkOrder).where(*mine).order_by(WorkOrder.intake_at, WorkOrder.id).limit(limit)
    with session_scope(engine) as s:
        total = s.scalar(select(func.count()).select_from(WorkOrder).where(*mine)) or 0
        orders = [as_dict(wo) for wo in s.scalars(stmt)]
        signed = set(s.execute(select(WorkOrderSignature.work_order_id, WorkOrderSignature.kind)
                               .where(WorkOrderSignature.work_order_id.in_([o["id"] for o in orders]))).all())
        customers = dict(s.execute(select(Customer.id, Customer.name)
                                   .where(Customer.id.in_({o["customer_id"] for o in orders}))).all())
    out = []
    for wo in orders:
        ctx = Context(technician_signed=(wo["id"], SignatureKind.TECHNICIAN) in signed,
                      customer_signed=(wo["id"], SignatureKind.CUSTOMER) in signed)
        out.append({"id": wo["id"], "number": wo["number"], "customer": customers.get(wo["customer_id"]),
                    "status": wo["status"], "intake_at": wo["intake_at"], "next": next_step(wo, actor, ctx)})
    return Page(out, total, 1, limit)
