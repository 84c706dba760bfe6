"""Re-check findings sent back as tasks (CB-4 L2/L3 re-checks, CB-9 quality checklist).

The manager (L2) or the director (L3) calls a sampled customer; what the re-check finds about the service
the customer got goes back, as a task, to the specialist who gave that service: by default the caller of
the customer's most recent L1 call attempt, else the customer's own specialist. The task links the
re-check callback and its latest attempt (the call the finding came from) and falls due at the end of the
office day `due_days` office days later (default 2). It stays open until the assignee, or the sender,
records what was done about it; that save is a compare-and-set on the task's version, so a second,
stale save is refused naming who closed it. Every write is audited in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session, aliased

from core import inputs
from core.audit import log as audit
from core.callbacks.flow import LEVEL_ACTION
from core.checks import whole_number
from core.clock import office_day
from core.errors import DomainError, Forbidden, Invalid, NotFound
from core.inputs import Kind
from core.lists import Page, paginate
from core.office.settings import load_office
from core.permissions import Action, Actor, allowed, require
from core.scheduling.rules import day_end
from core.versioning import save_versioned
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, CallbackLevel, Role, TaskStatus
from db.models import CallAttempt, Callback, Customer, Task, User

FINDING_MAX = 2000
RESOLUTION_MAX = 2000
DEFAULT_DUE_DAYS = 2  # the end of the office day after tomorrow: time to call back and put it right
MAX_DUE_DAYS = 30
CREATED = ("customer_id", "callback_id", "attempt_id", "assignee_id", "due_at", "finding", "status")


@dataclass(frozen=True)
class SentTask:
    id: int
    assignee_id: int
    due_at: datetime
    version: int


@dataclass(frozen=True)
class FindingChoices:
    """What the "send a finding" form offers: the default assignee (None: nobody fits, choose one) and
    the active specialists to choose from (the default among them even when not a specialist)."""

    default_id: int | None
    assignees: dict[int, str]


def due_at(now: datetime, due_days: int, tz: str) -> datetime:
    """The last second of the office day `due_days` office days after today (in the office's time zone)."""
    return day_end(office_day(now, tz) + timedelta(days=due_days), tz)


def send_finding(engine: Engine, actor: Actor, callback_id: int, finding: str, now: datetime,
                 assignee_id: int | None = None, due_days: int = DEFAULT_DUE_DAYS) -> SentTask:
    """CB-4 / CB-9: turn a worked re-check callback's finding into the specialist's task; audited."""
    require(actor, Action.SEND_FINDING)
    text = _text(finding, "finding", FINDING_MAX)
    days = _due_days(due_days)
    tz = load_office(engine).timezone
    with session_scope(engine) as s:
        cb, attempt_id = _source(s, actor, callback_id)
        assignee = _assignee(s, actor, cb.customer_id, assignee_id)
        task = Task(customer_id=cb.customer_id, callback_id=cb.id, attempt_id=attempt_id, assignee_id=assignee,
                    created_by_id=actor.id, created_at=now, due_at=due_at(now, days, tz), finding=text,
                    status=TaskStatus.OPEN, version=1)
        s.add(task)
        s.flush()
        audit.record(s, actor, "task", task.id, AuditAction.CREATE, None,
                     {k: getattr(task, k) for k in CREATED}, at=now)
        return SentTask(task.id, assignee, task.due_at, task.version)


def complete_task(engine: Engine, actor: Actor, task_id: int, resolution: str, loaded_version: int,
                  now: datetime) -> int:
    """Record what was done about a finding and close it: the assignee or the sender only, based on the
    version they loaded (a stale save raises StaleEdit naming who changed it); returns the new version."""
    require(actor, Action.VIEW_MY_WORK)
    text = _text(resolution, "resolution", RESOLUTION_MAX)
    with session_scope(engine) as s:
        task = s.get(Task, task_id)
        if task is None:
            raise NotFound()
        if actor.id not in (task.assignee_id, task.created_by_id):
            raise Forbidden(action="complete_task")
        if task.status == TaskStatus.DONE and task.version == loaded_version:
            raise Invalid("tasks.already_done", field="status")
        changes = {"status": TaskStatus.DONE, "done_at": now, "resolution": text}
        return save_versioned(s, actor, Task, "task", task_id, loaded_version, changes, now)


def finding_choices(engine: Engine, actor: Actor, callback_id: int) -> FindingChoices | None:
    """The form's choices when `actor` may send a finding from this callback (a re-check of their level
    with a recorded attempt), else None, by the same gates as `send_finding`."""
    if not allowed(actor.role, Action.SEND_FINDING):
        return None
    try:
        with session_scope(engine) as s:
            cb, _ = _source(s, actor, callback_id)
            default = _default_assignee(s, actor, cb.customer_id)
            return FindingChoices(default, _candidates(s, actor, default))
    except DomainError:
        return None


def open_tasks_for(engine: Engine, actor: Actor, now: datetime, page: int = 1, page_size: int = 10) -> Page:
    """The actor's open tasks, overdue first (earliest due first), each with its customer, the finding,
    who sent it and when it is due; `overdue` means its due time has passed."""
    require(actor, Action.VIEW_MY_WORK)
    sender = aliased(User)
    where = (Task.assignee_id == actor.id, Task.status == TaskStatus.OPEN)
    stmt = (select(Task.id, Task.version, Task.finding, Task.created_at, Task.due_at, Customer.name.label("customer"),
                   Customer.phone, sender.display_name.label("sent_by"))
            .join(Customer, Customer.id == Task.customer_id).join(sender, sender.id == Task.created_by_id)
            .where(*where).order_by(Task.due_at, Task.id))
    with session_scope(engine) as s:
        listed = paginate(s, stmt, page, page_size, select(func.count()).select_from(Task).where(*where))
    return _with_overdue(listed, now)


def sent_tasks(engine: Engine, actor: Actor, now: datetime, page: int = 1, page_size: int = 10,
               callback_id: int | None = None) -> Page:
    """The findings the actor sent (optionally from one callback): open ones first, earliest due first,
    then done ones, latest done first; each with customer, assignee, status, due, resolution."""
    require(actor, Action.SEND_FINDING)
    assignee = aliased(User)
    where = [Task.created_by_id == actor.id] + ([Task.callback_id == callback_id] if callback_id else [])
    is_open = Task.status == TaskStatus.OPEN
    stmt = (select(Task.id, Task.finding, Task.status, Task.created_at, Task.due_at, Task.done_at, Task.resolution,
                   Customer.name.label("customer"), assignee.display_name.label("assignee"))
            .join(Customer, Customer.id == Task.customer_id).join(assignee, assignee.id == Task.assignee_id)
            .where(*where)
            .order_by(case((is_open, 0), else_=1), case((is_open, Task.due_at)), Task.done_at.desc(), Task.id.desc()))
    with session_scope(engine) as s:
        listed = paginate(s, stmt, page, page_size, select(func.count()).select_from(Task).where(*where))
    return _with_overdue(listed, now)


def _with_overdue(listed: Page, now: datetime) -> Page:
    rows = [r | {"overdue": r.get("status", TaskStatus.OPEN) == TaskStatus.OPEN and r["due_at"] < now}
            for r in listed.rows]
    return Page(rows, listed.total, listed.page, listed.page_size)


def _text(value: str | None, field: str, limit: int) -> str:
    """Required free text, kept as typed apart from the surrounding blanks, at most `limit` characters."""
    return inputs.required(value, field, limit, Kind.TEXT, missing=f"tasks.{field}_required",
                           too_long=f"tasks.{field}_too_long", max=limit)


def _due_days(value: object) -> int:
    return whole_number(value, "due_days", 1, MAX_DUE_DAYS, "tasks.bad_due_days", max=MAX_DUE_DAYS)


def _source(s: Session, actor: Actor, callback_id: int) -> tuple[Callback, int]:
    """The re-check callback of the actor's level (CB-1, CB-4) and its latest recorded attempt."""
    cb = s.get(Callback, callback_id)
    if cb is None:
        raise NotFound()
    if cb.kind != CallbackKind.RECHECK or cb.level == CallbackLevel.L1:
        raise Invalid("tasks.not_recheck", field="callback")
    require(actor, LEVEL_ACTION[cb.level])
    attempt_id = s.scalar(select(CallAttempt.id).where(CallAttempt.callback_id == cb.id)
                          .order_by(CallAttempt.attempted_at.desc(), CallAttempt.id.desc()).limit(1))
    if attempt_id is None:
        raise Invalid("tasks.no_attempt", field="callback")
    return cb, attempt_id


def _default_assignee(s: Session, actor: Actor, customer_id: int) -> int | None:
    """The specialist whose service was re-checked: the caller of the customer's most recent L1 attempt,
    else the customer's own specialist; the first of them who may take the task."""
    last_caller = s.scalar(
        select(CallAttempt.caller_id).join(Callback, Callback.id == CallAttempt.callback_id)
        .where(Callback.customer_id == customer_id, Callback.level == CallbackLevel.L1)
        .order_by(CallAttempt.attempted_at.desc(), CallAttempt.id.desc()).limit(1))
    own = s.scalar(select(Customer.specialist_id).where(Customer.id == customer_id))
    return next((u for u in (last_caller, own) if u is not None and _eligible(s, actor, u)), None)


def _eligible(s: Session, actor: Actor, user_id: int) -> bool:
    """An active user who works callbacks (CB-1), other than the sender."""
    user = s.get(User, user_id)
    return (user is not None and user.active and user.id != actor.id
            and allowed(user.role, Action.WORK_CALLBACK))


def _assignee(s: Session, actor: Actor, customer_id: int, chosen: int | None) -> int:
    if chosen is None:
        found = _default_assignee(s, actor, customer_id)
        if found is None:
            raise Invalid("tasks.no_assignee", field="assignee")
        return found
    if not _eligible(s, actor, chosen):
        raise Invalid("tasks.bad_assignee", field="assignee")
    return chosen


def _candidates(s: Session, actor: Actor, default: int | None) -> dict[int, str]:
    who = (User.role == Role.SPECIALIST) | (User.id == (default or 0))
    rows = s.execute(select(User.id, User.display_name).where(who, User.active.is_(True), User.id != actor.id)
                     .order_by(User.display_name, User.id))
    return {r.id: r.display_name for r in rows}
