"""Complaint use cases: intake (CP-1) with its complaint call planned at once (CB-2), the duplicate guard,
every move of the flow (CP-2) with its event and audit row, escalation (CP-5) and notes. Each one:
permission, checks, compare-and-set write, event row, audit row, in one transaction opened here."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, exists, func, or_, select, update
from sqlalchemy.orm import Session

from core import inputs
from core.audit import log as audit
from core.audit.queries import latest_change
from core.complaints import flow
from core.complaints.flow import Act, Context, Move
from core.complaints.rules import (
    TEXT_MAX,
    MoveInput,
    NewComplaint,
    check_intake,
    default_reply_deadline,
    first_response_due,
    reopened_promise,
)
from core.complaints.steps import check_step
from core.customers.services import check_customer_product
from core.errors import Invalid, NotFound, StaleEdit
from core.lists import as_dict
from core.office.settings import Office, load_office
from core.permissions import Action, Actor, allowed, require
from core.scheduling.care import Holidays
from core.scheduling.rules import Windows, complaint_call
from core.scheduling.sweep import schedule_at_save
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, CallbackStatus, ComplaintStatus, Role
from db.models import Callback, Complaint, ComplaintEvent, Product, User

INTAKE_FIELDS = ("number", "customer_id", "product_id", "order_no", "product_desc", "channel", "severity",
                 "description", "defect_quantity", "defect_rate_pct", "received_by_id", "received_at", "status",
                 "reply_deadline", "first_response_due")


FINISHED = (CallbackStatus.COMPLETED, CallbackStatus.NOT_COMPLETED)
UNVERSIONED = (Act.NOTE.value, Act.EVIDENCE.value, Act.PLAN_CALL.value)  # events that leave the version as it was
WORKING = (CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS)


def context(s: Session, cp: Complaint) -> Context:
    """What the gate needs: does the office have an active quality user; is this round's complaint call (CB-2)
    finished: the latest one planned since the complaint was last reopened, made (completed, or given up after
    CB-6's tries: the attempts say which); is one still to be made."""
    quality = s.scalar(select(exists().where(User.quality.is_(True), User.active.is_(True))))
    calls = select(Callback.status, Callback.due_start).where(Callback.complaint_id == cp.id,
                                                             Callback.kind == CallbackKind.COMPLAINT)
    latest = s.execute(calls.order_by(Callback.id.desc()).limit(1)).first()
    reopened = last_reopened(s, cp.id)
    this_round = latest is not None and (reopened is None or latest.due_start >= reopened)
    return Context(quality_present=bool(quality), call_done=this_round and latest.status in FINISHED,
                   call_open=latest is not None and latest.status in WORKING,
                   call_reached=this_round and latest.status == CallbackStatus.COMPLETED)


def last_reopened(s: Session, complaint_id: int) -> datetime | None:
    """When the complaint was last reopened (CP-2), or None."""
    return s.scalar(select(func.max(ComplaintEvent.at)).where(ComplaintEvent.complaint_id == complaint_id,
                                                              ComplaintEvent.move == Move.REOPEN.value))


def round_start(s: Session, cp: Complaint) -> datetime:
    """When the complaint's current round began: its last reopening, or its receipt (CP-2)."""
    return last_reopened(s, cp.id) or cp.received_at


def mover(s: Session, complaint_id: int) -> tuple[str | None, datetime | None]:
    """Who made the complaint's latest change of version and when (a note or evidence is not one): named when
    somebody's stale move is refused."""
    row = s.execute(select(User.username, ComplaintEvent.at).join(User, User.id == ComplaintEvent.user_id)
                    .where(ComplaintEvent.complaint_id == complaint_id,
                           or_(ComplaintEvent.move.is_(None), ComplaintEvent.move.not_in(UNVERSIONED)))
                    .order_by(ComplaintEvent.id.desc()).limit(1)).first()
    return (row.username, row.at) if row else latest_change(s, "complaint", complaint_id)


def plan_call(s: Session, actor: Actor, cp: dict, office: Office, now: datetime) -> None:
    """CB-2: the complaint call planned again from now (a reopened complaint's new round, or another try after
    one given up), under a key of its own so the earlier call stays as it was; a call still open in the queue
    is the new round's, its window moved to start now (core.scheduling.sweep.schedule_at_save moves it)."""
    calls = s.scalars(select(Callback.status).where(Callback.complaint_id == cp["id"],
                                                    Callback.kind == CallbackKind.COMPLAINT)
                      .order_by(Callback.id)).all()
    n = len(calls) - 1 if calls and calls[-1] == CallbackStatus.OPEN else len(calls)
    planned = complaint_call(cp["id"], cp["customer_id"], now, office.timezone, Windows.from_settings(office.get),
                             cp["product_id"], n)
    schedule_at_save(s, actor, [planned], office, now)


def open_complaint(s: Session, actor: Actor, fields: dict, office: Office, now: datetime,
                   extra: dict | None = None) -> Complaint:
    """CP-1 → CP-2 "received", in the caller's transaction: numbered per office month (CP202611-00042), the
    promised reply (CP-5, by severity) and the first response (one working day) due, the intake event and
    audit row, and the complaint call of CB-2 planned at once."""
    product = s.get(Product, fields["product_id"]) if fields.get("product_id") else None
    received = fields["received_at"]
    complaint = Complaint(
        **fields, number=f"TMP{uuid4().hex[:20]}", received_by_id=actor.id, status=ComplaintStatus.RECEIVED,
        product_desc=product.model if product else None, created_at=now,
        reply_deadline=default_reply_deadline(received, fields["severity"], office, office.timezone),
        first_response_due=first_response_due(received, office.timezone,
                                              int(office.get("complaint.first_response_working_days")),
                                              Holidays.parse(str(office.get("callback.holidays")))),
    )
    if product is not None and not complaint.order_no:
        complaint.order_no = product.order_no
    s.add(complaint)
    s.flush()
    complaint.number = f"CP{received.astimezone(ZoneInfo(office.timezone)):%Y%m}-{complaint.id:05d}"
    s.add(ComplaintEvent(complaint_id=complaint.id, at=now, user_id=actor.id, from_status=None,
                         to_status=ComplaintStatus.RECEIVED, move="take_in"))
    audit.record(s, actor, "complaint", complaint.id, AuditAction.CREATE, None,
                 {k: getattr(complaint, k) for k in INTAKE_FIELDS}, at=now, extra=extra)
    planned = complaint_call(complaint.id, complaint.customer_id, received, office.timezone,
                             Windows.from_settings(office.get), complaint.product_id)
    schedule_at_save(s, actor, [planned], office, now)  # CB-2: the complaint call, within the week
    return complaint


def take_in(engine: Engine, actor: Actor, data: NewComplaint, office: Office, now: datetime) -> dict:
    """CP-1 intake from the Complaints page, a customer's page or the incoming-call register: checked, saved
    at "received", its complaint call planned (CB-2). Returns id and number. REGISTER_COMPLAINT only."""
    require(actor, Action.REGISTER_COMPLAINT)
    fields = check_intake(data, now, office.timezone)
    with session_scope(engine) as s:
        check_customer_product(s, fields["customer_id"], fields["product_id"], "cp")
        complaint = open_complaint(s, actor, fields, office, now)
        return {"id": complaint.id, "number": complaint.number}


def open_duplicates(engine: Engine, actor: Actor, customer_id: int, product_id: int | None) -> list[dict]:
    """CP-1 duplicate guard: the customer's complaints not closed about the same product (or, without a
    product, those without one), newest first, shown before a new one is saved."""
    require(actor, Action.VIEW_COMPLAINTS)
    same = Complaint.product_id == product_id if product_id else Complaint.product_id.is_(None)
    with session_scope(engine) as s:
        rows = s.execute(select(Complaint.id, Complaint.number, Complaint.status, Complaint.received_at,
                                Complaint.description, Complaint.version)
                         .where(Complaint.customer_id == customer_id, same, Complaint.status != ComplaintStatus.CLOSED)
                         .order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(20)).all()
        return [dict(r._mapping) for r in rows]


def lock(s: Session, complaint_id: int) -> None:
    """Take the complaint's row for this transaction before reading it: a write on it, which SQLite (where FOR
    UPDATE does nothing) also serialises, so what is read next is what is current."""
    s.execute(update(Complaint).where(Complaint.id == complaint_id).values(version=Complaint.version)
              .execution_options(synchronize_session=False))


def load(s: Session, complaint_id: int) -> tuple[Complaint, dict]:
    cp = s.get(Complaint, complaint_id)
    if cp is None:
        raise NotFound()
    return cp, as_dict(cp)


def write(s: Session, actor: Actor, cp: dict, version: int, changes: dict, to: ComplaintStatus, move: str,
           note: str | None, now: datetime) -> int:
    """One compare-and-set on the version and status the move was checked against, then the event and the
    audit row; the loser of a race learns who moved the complaint first."""
    result = s.execute(update(Complaint).where(Complaint.id == cp["id"], Complaint.version == version,
                                               Complaint.status == cp["status"])
                       .values(**changes, status=to, version=Complaint.version + 1)
                       .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        who, when = mover(s, cp["id"])
        raise StaleEdit(who=who or "?", when=when)
    s.add(ComplaintEvent(complaint_id=cp["id"], at=now, user_id=actor.id, from_status=cp["status"], to_status=to,
                         move=move, note=note))
    before = {k: cp[k] for k in changes} | {"status": cp["status"]}
    action = AuditAction.TRANSITION if to != cp["status"] else AuditAction.UPDATE
    audit.record(s, actor, "complaint", cp["id"], action, before, changes | {"status": to}, at=now,
                 extra={"move": move})
    return version + 1


def _check_person(s: Session, user_id: int | None, field: str, action: Action = Action.VIEW_COMPLAINTS) -> None:
    """An owner chosen on a form is an active user who reads complaints."""
    user = s.get(User, user_id) if user_id is not None else None
    if user_id is not None and (user is None or not user.active or not allowed(Role(user.role), action)):
        raise Invalid("cp.bad_person", field=field)


def apply_move(engine: Engine, actor: Actor, complaint_id: int, version: int, move: Move, data: MoveInput,
               now: datetime) -> int:
    """CP-2: one move of the flow by the party the table allows, with what the move needs (core.complaints.
    steps); refused moves change nothing. A reopening promises a new reply (rules.reopened_promise, unless one
    is given) and plans the new round's complaint call (CB-2). Returns the complaint's new version."""
    require(actor, Action.VIEW_COMPLAINTS)
    with session_scope(engine) as s:
        row, cp = load(s, complaint_id)
        if cp["version"] != version:
            who, when = mover(s, complaint_id)
            raise StaleEdit(who=who or "?", when=when)
        ctx = context(s, row)
        target = flow.check(move, cp, actor, ctx).target
        cp["round_start"] = round_start(s, row)
        office = load_office(engine) if move == Move.REOPEN else None
        if office is not None and data.reply_deadline is None:
            data = replace(data, reply_deadline=reopened_promise(cp, now, office, office.timezone))
        changes, note = check_step(move, data, cp, now)
        _check_person(s, changes.get("owner_id"), "owner_id")
        _check_person(s, changes.get("capa_owner_id"), "capa_owner_id")
        if move == Move.VERIFY_EFFECT:
            changes["capa_verified_by_id"] = actor.id
        version = write(s, actor, cp, version, changes, target, move.value, note, now)
        if office is not None:  # CB-2: the new round's complaint call
            plan_call(s, actor, cp, office, now)
        return version


def plan_complaint_call(engine: Engine, actor: Actor, complaint_id: int, now: datetime) -> None:
    """CB-2: the owner or the handler plans this round's complaint call again when none is to be made (the
    last one given up, or a round with none); an event and an audit row say who and when."""
    require(actor, Action.VIEW_COMPLAINTS)
    with session_scope(engine) as s:
        lock(s, complaint_id)  # two clicks at once: the second sees the first's call and is refused
        row, cp = load(s, complaint_id)
        flow.check_act(Act.PLAN_CALL, cp, actor, context(s, row))
        plan_call(s, actor, cp, load_office(engine), now)
        event = ComplaintEvent(complaint_id=complaint_id, at=now, user_id=actor.id, from_status=cp["status"],
                               to_status=cp["status"], move=Act.PLAN_CALL.value)
        s.add(event)
        s.flush()
        audit.record(s, actor, "complaint", complaint_id, AuditAction.UPDATE, None, None, at=now,
                     extra={"plan_call_event_id": event.id})


def escalate(engine: Engine, actor: Actor, complaint_id: int, version: int, reason: str | None,
             now: datetime) -> int:
    """CP-5: anyone who reads complaints escalates an open one with a reason; it stays on the manager's My
    work until it is closed."""
    require(actor, Action.VIEW_COMPLAINTS)
    text = inputs.required(reason, "reason", TEXT_MAX, inputs.Kind.TEXT, missing="cp.escalation_reason_required")
    with session_scope(engine) as s:
        row, cp = load(s, complaint_id)
        if cp["version"] != version:
            who, when = mover(s, complaint_id)
            raise StaleEdit(who=who or "?", when=when)
        flow.check_act(Act.ESCALATE, cp, actor, context(s, row))
        changes = {"escalated": True, "escalated_at": now, "escalated_by_id": actor.id, "escalation_reason": text}
        return write(s, actor, cp, version, changes, cp["status"], Act.ESCALATE.value, text, now)


def add_note(engine: Engine, actor: Actor, complaint_id: int, text: str | None, now: datetime) -> None:
    """A note on the complaint's history (CP-1 duplicate guard: a repeated report added to the open complaint
    instead of a second one). No version change: a note never collides with a move."""
    require(actor, Action.VIEW_COMPLAINTS)
    note = inputs.required(text, "note", TEXT_MAX, inputs.Kind.TEXT, missing="cp.note_required")
    with session_scope(engine) as s:
        row, cp = load(s, complaint_id)
        flow.check_act(Act.NOTE, cp, actor, context(s, row))
        event = ComplaintEvent(complaint_id=complaint_id, at=now, user_id=actor.id, from_status=cp["status"],
                               to_status=cp["status"], move=Act.NOTE.value, note=note)
        s.add(event)
        s.flush()
        audit.record(s, actor, "complaint", complaint_id, AuditAction.UPDATE, None, None, at=now,
                     extra={"note_event_id": event.id})
