"""The complaint's state machine (CP-2): its states are `db.enums.ComplaintStatus`, its moves one table,
and one gate. Like core.permissions, the table is the rule: every use case checks its move with `check`
and applies it with a compare-and-set on the status it was checked against; pages ask `can` which
actions to offer.

  verify        received → verifying: first response, owner and promised reply date set   handler, quality
  ours          verifying → CAPA requested from a department, with an owner and a due date handler, quality
  not_ours      verifying → replied: the explanation given to the customer recorded         handler, quality
  solve         CAPA requested → solution carried out (what was done, the actions)          handler, owner, CAPA owner
  reply         solution → replied (how and when; late: a reason)                           handler, owner
  follow_up     replied → followed up: the complaint call (CB-2) completed                  handler, owner
  verify_effect followed up → verified: corrective and preventive action both recorded      quality
  close         verified → closed; or replied → closed when not ours                        handler
  reopen        closed → verifying, with a reason (counted)                                 handler, quality

Who is a party is read from the permission table (the handler: Action.HANDLE_COMPLAINT, the manager)
and from the complaint itself (its owner, its CAPA owner). The seeds give verification to the quality
department: a user the admin marks as quality verifies; while no active user is, the manager acts for
quality (`quality_present`). Escalating (anyone who reads complaints, CP-5), notes, returned goods (CP-3)
and evidence do not move the status; they are in ACTIONS with the parties allowed them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import DomainError, Forbidden
from core.permissions import Action, Actor, allowed, require
from db.enums import ComplaintStatus, Responsibility

C = ComplaintStatus


class Party(StrEnum):
    HANDLER = "handler"  # Action.HANDLE_COMPLAINT: the service manager
    QUALITY = "quality"  # a quality user; the handler while the office has none
    OWNER = "owner"  # the complaint's owner
    CAPA_OWNER = "capa_owner"  # the owner of its corrective action
    REGISTRAR = "registrar"  # Action.REGISTER_COMPLAINT: whoever takes complaints in
    READER = "reader"  # Action.VIEW_COMPLAINTS: anyone who reads complaints


class Move(StrEnum):
    VERIFY = "verify"
    OURS = "ours"
    NOT_OURS = "not_ours"
    SOLVE = "solve"
    REPLY = "reply"
    FOLLOW_UP = "follow_up"
    VERIFY_EFFECT = "verify_effect"
    CLOSE = "close"
    REOPEN = "reopen"


class Act(StrEnum):
    """What is done on a complaint without moving it."""

    ESCALATE = "escalate"
    NOTE = "note"
    GOODS = "goods"
    EVIDENCE = "evidence"
    PLAN_CALL = "plan_call"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[ComplaintStatus]
    target: ComplaintStatus
    parties: frozenset[Party]


H, Q, OW, CO = Party.HANDLER, Party.QUALITY, Party.OWNER, Party.CAPA_OWNER
TRANSITIONS: dict[Move, Transition] = {
    Move.VERIFY: Transition(frozenset({C.RECEIVED}), C.VERIFYING, frozenset({H, Q})),
    Move.OURS: Transition(frozenset({C.VERIFYING}), C.CAPA_REQUESTED, frozenset({H, Q})),
    Move.NOT_OURS: Transition(frozenset({C.VERIFYING}), C.REPLIED, frozenset({H, Q})),
    Move.SOLVE: Transition(frozenset({C.CAPA_REQUESTED}), C.SOLUTION, frozenset({H, OW, CO})),
    Move.REPLY: Transition(frozenset({C.SOLUTION}), C.REPLIED, frozenset({H, OW})),
    Move.FOLLOW_UP: Transition(frozenset({C.REPLIED}), C.FOLLOWED_UP, frozenset({H, OW})),
    Move.VERIFY_EFFECT: Transition(frozenset({C.FOLLOWED_UP}), C.VERIFIED, frozenset({Q})),
    Move.CLOSE: Transition(frozenset({C.VERIFIED, C.REPLIED}), C.CLOSED, frozenset({H})),
    Move.REOPEN: Transition(frozenset({C.CLOSED}), C.VERIFYING, frozenset({H, Q})),
}
OPEN = frozenset(C) - {C.CLOSED}
ACTIONS: dict[Act, tuple[frozenset[ComplaintStatus], frozenset[Party]]] = {
    Act.ESCALATE: (OPEN, frozenset({Party.READER})),  # CP-5: anyone can escalate
    Act.NOTE: (frozenset(C), frozenset({H, Q, OW, CO, Party.REGISTRAR})),
    Act.GOODS: (OPEN, frozenset({H, Q})),  # CP-3: quality inspects the returned goods
    # CB-2: another complaint call when none is to be made
    Act.PLAN_CALL: (frozenset({C.RECEIVED, C.VERIFYING, C.CAPA_REQUESTED, C.SOLUTION, C.REPLIED}),
                    frozenset({H, OW})),
    Act.EVIDENCE: (OPEN, frozenset({H, Q, OW, CO, Party.REGISTRAR})),  # a closed complaint is reopened first
}


@dataclass(frozen=True)
class Context:
    """What the gate needs beyond the complaint: whether the office has a quality user, and whether the
    complaint's CB-2 complaint call is completed."""

    quality_present: bool = False
    call_done: bool = False
    call_open: bool = False  # a complaint call is still to be made
    call_reached: bool = False  # this round's call reached the customer


MISSING = ("cp.move.needs_call", "cp.move.needs_capa")


class NotNow(DomainError):
    """The move does not start from the complaint's status; params: status."""

    key = "cp.move.not_now"


def is_party(actor: Actor, party: Party, cp: dict, ctx: Context) -> bool:
    """Whether the actor is this party for the complaint `cp` (owner_id, capa_owner_id)."""
    if not allowed(actor.role, Action.VIEW_COMPLAINTS):
        return False
    if party == Party.HANDLER:
        return allowed(actor.role, Action.HANDLE_COMPLAINT)
    if party == Party.QUALITY:
        return actor.quality or (not ctx.quality_present and allowed(actor.role, Action.HANDLE_COMPLAINT))
    if party == Party.OWNER:
        return cp.get("owner_id") == actor.id
    if party == Party.CAPA_OWNER:
        return cp.get("capa_owner_id") == actor.id
    if party == Party.REGISTRAR:
        return allowed(actor.role, Action.REGISTER_COMPLAINT)
    return True


def _guard(move: Move, cp: dict, ctx: Context) -> DomainError | None:
    """The move's own condition beyond status and party, naming what is missing."""
    ours = cp.get("responsibility") == Responsibility.OURS
    if move == Move.FOLLOW_UP and not ours:
        return DomainError("cp.move.ours_only")
    if move == Move.FOLLOW_UP and not ctx.call_done:
        return DomainError("cp.move.needs_call")
    if move == Move.VERIFY_EFFECT and not (cp.get("capa_action") and cp.get("preventive_action")):
        return DomainError("cp.move.needs_capa")
    if move == Move.CLOSE and cp["status"] == C.REPLIED and cp.get("responsibility") != Responsibility.NOT_OURS:
        return DomainError("cp.move.close_needs_verified")
    return None


def refusal(move: Move, cp: dict, actor: Actor | None, ctx: Context) -> DomainError | None:
    """Why `move` is not open on `cp` for `actor`, or None when it is: the status first (NotNow), then the
    parties (Forbidden), then the move's own condition (what is missing)."""
    t = TRANSITIONS[move]
    if cp["status"] not in t.sources:
        return NotNow(status=ComplaintStatus(cp["status"]).value)
    if actor is None or not any(is_party(actor, p, cp, ctx) for p in t.parties):
        return Forbidden(action=f"complaint.{move.value}")
    return _guard(move, cp, ctx)


def check(move: Move, cp: dict, actor: Actor | None, ctx: Context) -> Transition:
    """The gate: reading complaints at all, then the move's rule; raises, or returns the transition."""
    require(actor, Action.VIEW_COMPLAINTS)
    refused = refusal(move, cp, actor, ctx)
    if refused is not None:
        raise refused
    return TRANSITIONS[move]


def can(move: Move, cp: dict, actor: Actor | None, ctx: Context) -> bool:
    """What a page offers: would `check` let this actor make this move now? A move refused only for
    something still missing (the complaint call, an action) is offered, so its refusal tells the user what
    to do; a move off this complaint's path (closing an "ours" complaint before verification) is not."""
    refused = refusal(move, cp, actor, ctx)
    return refused is None or refused.key in MISSING


def moves_for(cp: dict, actor: Actor | None, ctx: Context) -> list[Move]:
    """The moves the record page offers this actor, in the table's order."""
    return [m for m in Move if can(m, cp, actor, ctx)]


def act_refusal(act: Act, cp: dict, actor: Actor | None, ctx: Context) -> DomainError | None:
    statuses, parties = ACTIONS[act]
    if actor is None or not any(is_party(actor, p, cp, ctx) for p in parties):
        return Forbidden(action=f"complaint.{act.value}")
    if cp["status"] not in statuses:
        return NotNow(status=ComplaintStatus(cp["status"]).value)
    if act == Act.ESCALATE and cp.get("escalated"):
        return DomainError("cp.already_escalated")
    if act == Act.GOODS and cp.get("channel") != "return":
        return DomainError("cp.goods_only_returns")
    if act == Act.PLAN_CALL and (ctx.call_open or ctx.call_reached):
        return DomainError("cp.call_planned")
    return None


def check_act(act: Act, cp: dict, actor: Actor | None, ctx: Context) -> None:
    require(actor, Action.VIEW_COMPLAINTS)
    refused = act_refusal(act, cp, actor, ctx)
    if refused is not None:
        raise refused


def may(act: Act, cp: dict, actor: Actor | None, ctx: Context) -> bool:
    return act_refusal(act, cp, actor, ctx) is None
