"""Working the queue (CB-1, CB-5..CB-9, C-3): claim a callback, release it, record a call; each a move of
core.callbacks.flow, checked by its gate.

A claim is one compare-and-set UPDATE (open → in progress, or your own claim renewed), so of two
specialists reaching for the same callback exactly one wins and the other learns who holds it, on
SQLite and PostgreSQL alike. Recording a call is allowed to the claimer only and is again one
compare-and-set on the callback's version; the attempt, the callback's transition and every follow-up
(core.callbacks.followups) are written and audited in one transaction, or nothing is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.callbacks import flow
from core.callbacks import followups as follow
from core.callbacks.flow import IN_PROGRESS, OPEN, TRANSITIONS, AlreadyClaimed, Move, NotClaimed, next_state
from core.callbacks.queries import CallbackFilter, matching
from core.callbacks.rules import CallInput, check_call, qa_score
from core.checks import blank_to_none
from core.customers.search import search_region
from core.errors import Invalid, NotFound
from core.office.settings import Office, load_office
from core.permissions import Action, Actor, require
from core.scheduling.assignment import check_target, move_to
from db.engine import session_scope
from db.enums import ArchiveValidity, AuditAction, CallbackStatus, CallOutcome
from db.models import CallAttempt, Callback, Customer, User

LOADED = ("id", "customer_id", "kind", "level", "status", "due_start", "due_end", "assignee_id", "product_id",
          "work_order_id", "complaint_id", "attempts_count", "claimed_by_id", "claimed_at", "completed_at", "version")
MOVED = ("status", "due_start", "due_end", "claimed_by_id", "claimed_at", "attempts_count", "completed_at")
# C-3: what a final outcome says about the customer's record.
VALIDITY = {CallOutcome.REACHED: ArchiveValidity.VALID, CallOutcome.CALL_LATER: ArchiveValidity.VALID,
            CallOutcome.WRONG_NUMBER: ArchiveValidity.INVALID}


@dataclass(frozen=True)
class Claimed:
    callback_id: int
    claimed_by_id: int
    claimed_at: datetime
    version: int


@dataclass(frozen=True)
class CallResult:
    callback_id: int
    attempt_id: int
    status: CallbackStatus
    attempts_count: int
    due_start: datetime
    due_end: datetime
    customer_validity: ArchiveValidity
    promised_reply_id: int | None = None
    complaint_id: int | None = None
    complaint_number: str | None = None
    lead_id: int | None = None


def claim(engine: Engine, actor: Actor, callback_id: int, now: datetime) -> Claimed:
    """Take an open callback (or renew your own claim); refused with who holds it when somebody does."""
    with session_scope(engine) as s:
        cb = _load(s, actor, callback_id)
        mine = and_(Callback.status == IN_PROGRESS, Callback.claimed_by_id == actor.id)
        version = s.execute(
            update(Callback).where(Callback.id == callback_id, Callback.status.in_(TRANSITIONS[Move.CLAIM].sources),
                                   or_(Callback.status == OPEN, mine))
            .values(status=IN_PROGRESS, claimed_by_id=actor.id, claimed_at=now, version=Callback.version + 1)
            .returning(Callback.version).execution_options(synchronize_session=False)
        ).scalar()
        if version is None:
            _refuse_claim(s, actor, callback_id)
        after = {"status": IN_PROGRESS, "claimed_by_id": actor.id, "claimed_at": now}
        audit.record(s, actor, "callback", callback_id, AuditAction.TRANSITION,
                     {k: cb[k] for k in after}, after, at=now)
        return Claimed(callback_id, actor.id, now, version)


def release(engine: Engine, actor: Actor, callback_id: int, now: datetime) -> None:
    """Give your claimed callback back to the queue, open and unclaimed."""
    with session_scope(engine) as s:
        cb = _load(s, actor, callback_id)
        flow.check(Move.RELEASE, cb, actor)
        after = {"status": OPEN, "claimed_by_id": None, "claimed_at": None}
        _move(s, cb, actor, Move.RELEASE, after)
        audit.record(s, actor, "callback", callback_id, AuditAction.TRANSITION, {k: cb[k] for k in after}, after,
                     at=now)


def record_call(engine: Engine, actor: Actor, callback_id: int, call: CallInput, now: datetime) -> CallResult:
    """Record one attempt on the callback you hold, move the callback on (CB-6) and hand on what the call
    produced (C-3, CB-7, CB-8); any broken rule raises before anything is written."""
    require(actor, Action.WORK_CALLBACK)
    office = load_office(engine)
    with session_scope(engine) as s:
        cb = _load(s, actor, callback_id)
        check_call(call, cb["kind"], cb["level"], now)
        unreached = _unreached(s, callback_id)
        move = flow.outcome_move(call.outcome, unreached, int(office.get("callback.max_attempts")))
        flow.check(move, cb, actor)
        after = next_state(cb | {"unreached": unreached}, call.outcome, call.call_again_at, office, now)
        _move(s, cb, actor, move, after, version=cb["version"])
        attempt = _add_attempt(s, actor, cb, call, now)
        handed = _hand_on(s, actor, cb, call, after, attempt.id, office, now)
        audit.record(s, actor, "callback", callback_id, AuditAction.TRANSITION, {k: cb[k] for k in after}, after,
                     at=now, extra={"attempt_id": attempt.id, "outcome": CallOutcome(call.outcome).value})
        validity = s.get(Customer, cb["customer_id"]).validity
        return CallResult(callback_id, attempt.id, after["status"], after["attempts_count"], after["due_start"],
                          after["due_end"], validity, **handed)


def reassign_matching(engine: Engine, actor: Actor, f: CallbackFilter, tz: str, to_user_id: int | None,
                      now: datetime, expected: int | None = None) -> int:
    """Bulk reassign (issue 10): every open callback of the list under `f` (its own conditions, every page of
    it) goes to `to_user_id` in one transaction, each change audited as a single reassign is. Returns how
    many moved. No target chosen is Invalid; nothing matching, or all already with the target, is Unchanged.
    With `expected` (the count the manager confirmed), a different number moving is Invalid and nothing moves:
    the list changed between the confirmation and the click (issue 10 review, finding 9)."""
    region = search_region(engine, f.search)
    with session_scope(engine) as s:
        require(actor, Action.REASSIGN_CALLBACK)
        check_target(s, to_user_id)
        moved = len(move_to(s, actor, matching(actor, f, tz, now, region), to_user_id, now))
        if expected is not None and moved != expected:
            raise Invalid("cb.reassign.count_changed", field="assignee_id", count=moved, expected=expected)
        return moved


def _unreached(s: Session, callback_id: int) -> int:
    return s.scalar(select(func.count()).select_from(CallAttempt)
                    .where(CallAttempt.callback_id == callback_id, CallAttempt.outcome == CallOutcome.NOT_REACHED))


def _load(s: Session, actor: Actor, callback_id: int) -> dict:
    """The callback as plain data, after the permission gate: anyone working calls, then the level's own (CB-1)."""
    require(actor, Action.WORK_CALLBACK)
    cb = s.get(Callback, callback_id)
    if cb is None:
        raise NotFound()
    flow.require_level(actor, cb.level)
    return follow.columns(cb, LOADED)


def _move(s: Session, cb: dict, actor: Actor, move: Move, values: dict, version: int | None = None) -> None:
    """Compare-and-set: the move's source states and the actor as the claimer (flow.TRANSITIONS), and, when
    given, the version the callback was read at; a race lost is NotClaimed."""
    cond = [Callback.id == cb["id"], Callback.status.in_(TRANSITIONS[move].sources), Callback.claimed_by_id == actor.id]
    if version is not None:
        cond.append(Callback.version == version)
    done = s.execute(update(Callback).where(*cond).values(**values, version=Callback.version + 1)
                     .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise NotClaimed()


def _refuse_claim(s: Session, actor: Actor, callback_id: int) -> None:
    """The claim lost: say why from the callback as it is now (flow.refusal), naming who holds it."""
    row = s.execute(select(Callback.status, Callback.claimed_by_id, Callback.claimed_at, User.display_name)
                    .outerjoin(User, User.id == Callback.claimed_by_id).where(Callback.id == callback_id)).one()
    refused = flow.refusal(Move.CLAIM, row._asdict(), actor)
    if refused is None or isinstance(refused, AlreadyClaimed):  # somebody else's now (or was, a moment ago)
        raise AlreadyClaimed(who=row.display_name or "?", since=row.claimed_at)
    raise refused


def _add_attempt(s: Session, actor: Actor, cb: dict, call: CallInput, now: datetime) -> CallAttempt:
    attempt = CallAttempt(
        callback_id=cb["id"], caller_id=actor.id, attempted_at=now, channel=call.channel, outcome=call.outcome,
        recorded_at=now,  # C-5: the moment it is saved (a call made in the app is recorded as it is made)
        satisfaction=call.satisfaction, score=call.score,
        dissatisfaction_reason=blank_to_none(call.dissatisfaction_reason), questions=blank_to_none(call.questions),
        suggestions=blank_to_none(call.suggestions), notes=blank_to_none(call.notes),
        promised_reply_at=call.promised_reply_at, call_again_at=call.call_again_at,
        qa_checklist=dict(call.qa_checklist) if call.qa_checklist is not None else None,
        qa_score=qa_score(call.qa_checklist), problem_solved=call.problem_solved,
    )
    s.add(attempt)
    s.flush()
    return attempt


def _hand_on(s: Session, actor: Actor, cb: dict, call: CallInput, after: dict, attempt_id: int, office: Office,
             now: datetime) -> dict:
    """C-3 validity (reached or asked for later: valid; wrong number: invalid; not reached the last allowed
    time: unreachable), CB-8 promised reply, CB-7 complaint (linked to the attempt) and lead."""
    out: dict = {}
    gave_up = after["status"] == CallbackStatus.NOT_COMPLETED and call.outcome == CallOutcome.NOT_REACHED
    validity = ArchiveValidity.UNREACHABLE if gave_up else VALIDITY.get(call.outcome)
    if validity is not None:
        follow.mark_validity(s, actor, cb["customer_id"], validity, now)
    if call.promised_reply_at is not None:
        out["promised_reply_id"] = follow.promise_reply(s, actor, cb, attempt_id, call.questions,
                                                        call.promised_reply_at, now)
    if call.wants_complaint:
        cid, number = follow.open_complaint(s, actor, cb, call.complaint_description, call.channel, office, now)
        s.get(CallAttempt, attempt_id).complaint_id = cid
        out |= {"complaint_id": cid, "complaint_number": number}
    if call.wants_products:
        out["lead_id"] = follow.hand_over_lead(s, actor, cb, call.product_interest.strip(), office, now)
    return out
