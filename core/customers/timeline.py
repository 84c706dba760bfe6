"""C-4: one customer's whole history as one timeline, newest first: every callback, call attempt, complaint,
work order, lead and incoming call, with who and when. One UNION ALL of small selects, each found through its
table's customer_id index (a call through its callback's), paginated in SQL, so a customer with thousands of
rows costs a page. The read rules are the record pages' own: a kind is listed to the roles whose page reads
it (KIND_READ), re-check callbacks and their calls only to the levels' readers (core.callbacks.flow), an
engineer's work orders only their own (core.work_orders.queries.readable)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, String, func, literal_column, null, select, type_coerce, union_all
from sqlalchemy.orm import aliased

from core.callbacks.flow import visible_levels
from core.customers.completeness import recorded_on_time
from core.lists import Page
from core.permissions import Action, Actor, allowed, require
from core.work_orders.queries import readable
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackStatus,
    CallOutcome,
    ComplaintStatus,
    IncomingCategory,
    LeadStatus,
    WorkOrderStatus,
)
from db.models import CallAttempt, Callback, Complaint, IncomingCall, Lead, User, WorkOrder
from db.models.base import UTCDateTime


class TimelineKind(StrEnum):
    CALLBACK = "callback"
    CALL = "call"
    COMPLAINT = "complaint"
    WORK_ORDER = "work_order"
    LEAD = "lead"
    INCOMING = "incoming"


KIND_READ = {  # who may read each kind: the action of the page that opens it
    TimelineKind.CALLBACK: Action.VIEW_CALLBACKS, TimelineKind.CALL: Action.VIEW_CALLBACKS,
    TimelineKind.COMPLAINT: Action.VIEW_COMPLAINTS, TimelineKind.WORK_ORDER: Action.VIEW_WORK_ORDERS,
    TimelineKind.LEAD: Action.WORK_CALLBACK, TimelineKind.INCOMING: Action.REGISTER_INCOMING_CALL,
}
STATES = {TimelineKind.CALLBACK: CallbackStatus, TimelineKind.CALL: CallOutcome,
          TimelineKind.COMPLAINT: ComplaintStatus, TimelineKind.WORK_ORDER: WorkOrderStatus,
          TimelineKind.LEAD: LeadStatus, TimelineKind.INCOMING: IncomingCategory}


def readable_kinds(actor: Actor) -> tuple[TimelineKind, ...]:
    """The kinds of entry `actor` may read (and so filter by)."""
    return tuple(k for k, action in KIND_READ.items() if allowed(actor.role, action))


def _row(kind: TimelineKind, record_id, at, who_id, ref, state, callback_kind=None, recorded=None):
    """One select's columns, the same in every branch: the record to open, when, who, what (a number or a
    name), its state (the kind's own enum, as text), the callback's kind, and when a call was recorded."""
    return (literal_column(f"'{kind.value}'", String).label("kind"), record_id.label("id"),
            type_coerce(at, UTCDateTime).label("at"), who_id.label("who_id"), type_coerce(ref, String).label("ref"),
            type_coerce(state, String).label("state"),
            type_coerce(null() if callback_kind is None else callback_kind, String).label("callback_kind"),
            type_coerce(null() if recorded is None else recorded, UTCDateTime).label("recorded_at"))


def _callbacks(customer_id: int, actor: Actor):
    levels = Callback.level.in_(visible_levels(actor))
    return select(*_row(TimelineKind.CALLBACK, Callback.id, func.coalesce(Callback.completed_at, Callback.due_start),
                        Callback.assignee_id, null(), Callback.status, Callback.kind)
                  ).where(Callback.customer_id == customer_id, levels)


def _calls(customer_id: int, actor: Actor):
    cb = aliased(Callback)
    return (select(*_row(TimelineKind.CALL, cb.id, CallAttempt.attempted_at, CallAttempt.caller_id, null(),
                         CallAttempt.outcome, cb.kind, CallAttempt.recorded_at))
            .join(cb, cb.id == CallAttempt.callback_id)
            .where(cb.customer_id == customer_id, cb.level.in_(visible_levels(actor))))


def _complaints(customer_id: int, actor: Actor):
    return select(*_row(TimelineKind.COMPLAINT, Complaint.id, Complaint.received_at, Complaint.received_by_id,
                        Complaint.number, Complaint.status)).where(Complaint.customer_id == customer_id)


def _work_orders(customer_id: int, actor: Actor):
    return select(*_row(TimelineKind.WORK_ORDER, WorkOrder.id, WorkOrder.intake_at, WorkOrder.intake_by_id,
                        WorkOrder.number, WorkOrder.status)).where(WorkOrder.customer_id == customer_id,
                                                                   *readable(actor))


def _leads(customer_id: int, actor: Actor):
    return select(*_row(TimelineKind.LEAD, Lead.id, Lead.created_at, Lead.specialist_id, Lead.name,
                        Lead.status)).where(Lead.customer_id == customer_id)


def _incoming(customer_id: int, actor: Actor):
    return select(*_row(TimelineKind.INCOMING, IncomingCall.id, IncomingCall.received_at, IncomingCall.taken_by_id,
                        IncomingCall.need, IncomingCall.category)).where(IncomingCall.customer_id == customer_id)


BRANCHES = {TimelineKind.CALLBACK: _callbacks, TimelineKind.CALL: _calls, TimelineKind.COMPLAINT: _complaints,
            TimelineKind.WORK_ORDER: _work_orders, TimelineKind.LEAD: _leads, TimelineKind.INCOMING: _incoming}


@dataclass(frozen=True)
class TimelineFilter:
    kinds: tuple[TimelineKind, ...] = ()  # empty: every kind the actor reads


def customer_timeline(engine: Engine, actor: Actor, customer_id: int, tz: str, f: TimelineFilter = TimelineFilter(),
                      page: int = 1, page_size: int = 25) -> Page:
    """C-4: one page of the customer's timeline, newest first (then by kind and id, so pages never overlap),
    of the kinds asked for that `actor` may read. Each row: kind, id (the record to open: a call opens its
    callback), at, who, ref, state (the kind's enum), callback_kind, and for a call `recorded_at` and
    `on_time` (C-5: recorded the same office day it was made). VIEW_CUSTOMERS only."""
    require(actor, Action.VIEW_CUSTOMERS)
    kinds = [k for k in readable_kinds(actor) if not f.kinds or k in f.kinds]
    if not kinds:
        return Page([], 0, 1, page_size)
    entries = union_all(*[BRANCHES[k](customer_id, actor) for k in kinds]).subquery("entries")
    who = aliased(User)
    with session_scope(engine) as s:
        total = s.scalar(select(func.count()).select_from(entries)) or 0
        page = min(max(1, page), max(1, -(-total // page_size)))
        stmt = (select(entries, who.display_name.label("who")).outerjoin(who, who.id == entries.c.who_id)
                .order_by(entries.c.at.desc(), entries.c.kind, entries.c.id.desc())
                .limit(page_size).offset((page - 1) * page_size))
        rows = [_typed(dict(r), tz) for r in s.execute(stmt).mappings()]
    return Page(rows, total, page, page_size)


def _typed(row: dict, tz: str) -> dict:
    """The text columns back to the kind's enums; a call's C-5 mark."""
    kind = TimelineKind(row["kind"])
    recorded = row["recorded_at"]
    return row | {"kind": kind, "state": STATES[kind](row["state"]) if row["state"] else None,
                  "callback_kind": CallbackKind(row["callback_kind"]) if row["callback_kind"] else None,
                  "on_time": recorded_on_time(row["at"], recorded, tz) if kind == TimelineKind.CALL else None}

