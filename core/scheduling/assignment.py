"""Who calls (CB-1: L1 callbacks are made by specialists). A new callback goes to the customer's own
specialist when that user is an active specialist; otherwise the setting `callback.assignment` decides:
"least_load" gives it to the active specialist with the fewest open or in-progress L1 callbacks (ties:
the lowest id), "round_robin" to the next specialist after the last one assigned. Loads are counted once
per sweep with one GROUP BY and kept up to date in memory. A manager reassigns callbacks by hand."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from core.audit import log as audit
from core.callbacks.flow import LEVEL_ACTION
from core.errors import Invalid, Unchanged
from core.permissions import Action, Actor, allowed, require
from db.engine import session_scope
from db.enums import AuditAction, CallbackLevel, CallbackStatus, Role
from db.models import Callback, Customer, User

OPEN_STATUSES = (CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS)
ASSIGNABLE_ROLES = (Role.SPECIALIST, Role.MANAGER)
CHUNK = 1000  # ids per IN (...) list


class Assigner:
    """Picks the assignee of each new callback, in the order they are asked for (deterministic)."""

    def __init__(self, specialists: list[int], policy: str, load: dict[int, int], last: int | None) -> None:
        self.specialists = sorted(specialists)
        self.policy = policy
        self.load = {sid: load.get(sid, 0) for sid in self.specialists}
        self.last = last

    def pick(self, own_specialist: int | None) -> int | None:
        if own_specialist in self.load:
            chosen = own_specialist
        elif not self.specialists:
            return None
        elif self.policy == "round_robin":
            chosen = next((sid for sid in self.specialists if self.last is None or sid > self.last),
                          self.specialists[0])
        else:
            chosen = min(self.specialists, key=lambda sid: (self.load[sid], sid))
        self.load[chosen] += 1
        self.last = chosen
        return chosen


def load_assigner(s: Session, policy: str) -> Assigner:
    """Active specialists, their open L1 load (one GROUP BY) and the last L1 assignee (round robin)."""
    specialists = list(s.scalars(select(User.id).where(User.role == Role.SPECIALIST, User.active.is_(True))))
    load = dict(s.execute(
        select(Callback.assignee_id, func.count()).where(
            Callback.assignee_id.in_(specialists), Callback.status.in_(OPEN_STATUSES),
            Callback.level == CallbackLevel.L1,
        ).group_by(Callback.assignee_id)
    ).all()) if specialists and policy != "round_robin" else {}
    last = s.scalar(select(Callback.assignee_id).where(Callback.level == CallbackLevel.L1).order_by(
        Callback.id.desc()).limit(1)) if policy == "round_robin" else None  # newest first, from the primary key
    return Assigner(specialists, policy, load, last)


def owners(s: Session, customer_ids: Iterable[int]) -> dict[int, int | None]:
    """Each customer's own specialist, read in chunks."""
    ids, out = sorted(set(customer_ids)), {}
    for i in range(0, len(ids), CHUNK):
        out.update(s.execute(select(Customer.id, Customer.specialist_id)
                             .where(Customer.id.in_(ids[i:i + CHUNK]))).all())
    return out


def reassign(engine: Engine, actor: Actor, callback_ids: Iterable[int], to_user_id: int, now: datetime) -> list[int]:
    """A manager hands open or in-progress callbacks to an active specialist or manager (one or many);
    finished ones and those already with that user are left alone. Each change is audited with the
    assignee before and after. Returns the ids reassigned. Nothing chosen is Invalid (issue 10: not a green
    "0 reassigned"); a choice of which none would move is Unchanged."""
    with session_scope(engine) as s:
        require(actor, Action.REASSIGN_CALLBACK)
        chosen = sorted(set(callback_ids))
        if not chosen:
            raise Invalid("cb.reassign.none_chosen", field="callback_ids")
        check_target(s, to_user_id)
        return move_to(s, actor, [Callback.id.in_(chosen)], to_user_id, now)


def check_target(s: Session, to_user_id: int | None) -> None:
    """Who may receive callbacks: an active specialist or manager; none chosen says so."""
    if to_user_id is None:
        raise Invalid("cb.reassign.no_target", field="assignee_id")
    target = s.get(User, to_user_id)
    if target is None or not target.active or target.role not in ASSIGNABLE_ROLES:
        raise Invalid("cb.reassign.bad_target", field="assignee_id")


def workable_by(role: Role | None) -> list:
    """CB-1 as a condition: only callbacks of a level the role works (a specialist L1, a manager L1 and L2),
    so a reassign never hands a re-check to someone who may not make it (issue 10 review, finding 1)."""
    levels = [lv for lv in CallbackLevel
              if role is not None and allowed(role, Action.WORK_CALLBACK) and allowed(role, LEVEL_ACTION[lv])]
    return [Callback.level.in_(levels)]


def move_to(s: Session, actor: Actor, where: list, to_user_id: int, now: datetime) -> list[int]:
    """Hand the open callbacks matching `where` and not yet with `to_user_id` to that user, in the caller's
    transaction, one audit row per callback (assignee before and after); Unchanged when none would move.
    Only callbacks of a level the new owner works move (CB-1).
    The UPDATE repeats the open condition, so a callback finished meanwhile is neither moved nor audited."""
    movable = [*where, Callback.status.in_(OPEN_STATUSES), Callback.assignee_id.is_distinct_from(to_user_id),
               *workable_by(s.scalar(select(User.role).where(User.id == to_user_id)))]
    before = dict(s.execute(select(Callback.id, Callback.assignee_id).where(*movable)).all())
    if not before:
        raise Unchanged()
    ids = sorted(before)
    moved: list[int] = []
    for i in range(0, len(ids), CHUNK):
        moved += s.scalars(update(Callback).where(Callback.id.in_(ids[i:i + CHUNK]), *movable)
                           .values(assignee_id=to_user_id, version=Callback.version + 1)
                           .returning(Callback.id).execution_options(synchronize_session=False)).all()
    if not moved:
        raise Unchanged()
    for cb_id in sorted(moved):
        audit.record(s, actor, "callback", cb_id, AuditAction.UPDATE, {"assignee_id": before[cb_id]},
                     {"assignee_id": to_user_id}, at=now)
    return sorted(moved)
