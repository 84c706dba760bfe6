"""The work order's state machine (WO-4): its states are `db.enums.WorkOrderStatus`, its moves one table,
and one gate, as the complaint's (core.complaints.flow). Every use case checks its move with `check` and
applies it with a compare-and-set on the status it was checked against; pages ask `can` / `may` what to
offer.

  dispatch   new → dispatched: a technician assigned (again, before they receive it)   dispatcher
  receive    dispatched → received: engineering's receipt time (WO-3, WO-6)           the technician
  survey     received → on-site survey                                                the technician
  repair     survey → in repair: the actual service start                             the technician
  pend       dispatched, received, survey, in repair → pending, with a reason          technician, dispatcher
  resume     pending → the status it waited from                                      technician, dispatcher
  complete   in repair → completed: service times, work done, delay/incompletion      the technician
  return     completed → returned to the service desk (who and when)                  the technician
  send_back  returned → completed: what the desk found missing                        desk
  accept     returned → accepted: everything of WO-5/WO-6 there, or a special approval desk
  settle     accepted → settled: the paid order in finance's signed week (WO-8)       finance
  close      accepted (not paid), settled → closed                                    desk

Acts that do not move the status: the technician's signature (completed, before the countersign), the
manager's countersign (after it), the customer's signature on the technician's device (after the
countersign and, for paid service, the fee; before the return; once), the special approval (returned), the fee
(paid orders, until the customer signs for it),
the invoice number (finance, accepted), a note. The technician is the order's assigned technician with
RECORD_REPAIR: nobody signs or repairs for somebody else (WO-5)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import DomainError, Forbidden
from core.permissions import Action, Actor, allowed, require
from db.enums import ServiceType, WorkOrderStatus

W = WorkOrderStatus


class Party(StrEnum):
    DISPATCHER = "dispatcher"  # Action.DISPATCH_WORK_ORDER
    TECHNICIAN = "technician"  # the order's own technician (Action.RECORD_REPAIR)
    COUNTERSIGNER = "countersigner"  # Action.COUNTERSIGN_WORK_ORDER: the department manager
    DESK = "desk"  # Action.ACCEPT_WORK_ORDER: the service desk that took the order in and accepts it back
    APPROVER = "approver"  # Action.SPECIAL_APPROVAL
    FINANCE = "finance"  # Action.SETTLE_FEE


class Move(StrEnum):
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    SURVEY = "survey"
    REPAIR = "repair"
    PEND = "pend"
    RESUME = "resume"
    COMPLETE = "complete"
    RETURN = "return"
    SEND_BACK = "send_back"
    ACCEPT = "accept"
    SETTLE = "settle"
    CLOSE = "close"


class Act(StrEnum):
    """What is done on an order without moving it."""

    SIGN_TECHNICIAN = "sign_technician"
    COUNTERSIGN = "countersign"
    SIGN_CUSTOMER = "sign_customer"
    APPROVE = "approve"
    FEE = "fee"
    INVOICE = "invoice"
    NOTE = "note"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[WorkOrderStatus]
    target: WorkOrderStatus | None  # None: the status the order waited from (resume)
    parties: frozenset[Party]


DI, TE, DE, FI = Party.DISPATCHER, Party.TECHNICIAN, Party.DESK, Party.FINANCE
WORKING = frozenset({W.DISPATCHED, W.RECEIVED, W.SURVEY, W.IN_REPAIR})  # where an order may go pending from
TRANSITIONS: dict[Move, Transition] = {
    Move.DISPATCH: Transition(frozenset({W.NEW, W.DISPATCHED}), W.DISPATCHED, frozenset({DI})),
    Move.RECEIVE: Transition(frozenset({W.DISPATCHED}), W.RECEIVED, frozenset({TE})),
    Move.SURVEY: Transition(frozenset({W.RECEIVED}), W.SURVEY, frozenset({TE})),
    Move.REPAIR: Transition(frozenset({W.SURVEY}), W.IN_REPAIR, frozenset({TE})),
    Move.PEND: Transition(WORKING, W.PENDING, frozenset({TE, DI})),
    Move.RESUME: Transition(frozenset({W.PENDING}), None, frozenset({TE, DI})),
    Move.COMPLETE: Transition(frozenset({W.IN_REPAIR}), W.COMPLETED, frozenset({TE})),
    Move.RETURN: Transition(frozenset({W.COMPLETED}), W.RETURNED, frozenset({TE})),
    Move.SEND_BACK: Transition(frozenset({W.RETURNED}), W.COMPLETED, frozenset({DE})),
    Move.ACCEPT: Transition(frozenset({W.RETURNED}), W.ACCEPTED, frozenset({DE})),
    Move.SETTLE: Transition(frozenset({W.ACCEPTED}), W.SETTLED, frozenset({FI})),
    Move.CLOSE: Transition(frozenset({W.ACCEPTED, W.SETTLED}), W.CLOSED, frozenset({DE})),
}
OPEN = frozenset(W) - {W.CLOSED}
UNFINISHED = frozenset({W.NEW, W.DISPATCHED, W.RECEIVED, W.SURVEY, W.IN_REPAIR, W.PENDING})  # WO-7
ACTIONS: dict[Act, tuple[frozenset[WorkOrderStatus], frozenset[Party]]] = {
    Act.SIGN_TECHNICIAN: (frozenset({W.COMPLETED}), frozenset({TE})),
    Act.COUNTERSIGN: (frozenset({W.COMPLETED}), frozenset({Party.COUNTERSIGNER})),
    Act.SIGN_CUSTOMER: (frozenset({W.COMPLETED}), frozenset({TE})),  # on the technician's device, at the site
    Act.APPROVE: (frozenset({W.RETURNED}), frozenset({Party.APPROVER})),
    Act.FEE: (frozenset({W.IN_REPAIR, W.COMPLETED, W.RETURNED}), frozenset({TE, DE})),
    Act.INVOICE: (frozenset({W.ACCEPTED}), frozenset({FI})),
    Act.NOTE: (OPEN, frozenset({TE, DE, DI, FI})),  # those who work the order, not every reader
}


@dataclass(frozen=True)
class Context:
    """What the gate needs beyond the order's row: which signatures are drawn, whether its finance week is
    signed off (WO-8: a signed week is closed to changes)."""

    technician_signed: bool = False
    customer_signed: bool = False
    week_signed: bool = False


class NotNow(DomainError):
    """The move does not start from the order's status; params: status."""

    key = "wo.move.not_now"


def is_paid(wo: dict) -> bool:
    """WO-2: paid service is type A; the other types are not charged."""
    return wo.get("service_type") == ServiceType.PAID


def is_party(actor: Actor, party: Party, wo: dict) -> bool:
    """Whether the actor is this party for the order `wo` (its technician_id)."""
    if not allowed(actor.role, Action.VIEW_WORK_ORDERS):
        return False
    if party == Party.TECHNICIAN:
        return allowed(actor.role, Action.RECORD_REPAIR) and wo.get("technician_id") == actor.id
    action = {Party.DISPATCHER: Action.DISPATCH_WORK_ORDER, Party.COUNTERSIGNER: Action.COUNTERSIGN_WORK_ORDER,
              Party.DESK: Action.ACCEPT_WORK_ORDER, Party.APPROVER: Action.SPECIAL_APPROVAL,
              Party.FINANCE: Action.SETTLE_FEE}.get(party)
    return action is None or allowed(actor.role, action)


def _guard(move: Move, wo: dict, ctx: Context) -> DomainError | None:
    """The move's own condition beyond status and party."""
    if move == Move.SETTLE and not is_paid(wo):
        return DomainError("wo.move.settle_paid_only")
    if move == Move.SETTLE and not wo.get("invoice_no"):
        return DomainError("wo.move.needs_invoice")
    if move == Move.CLOSE and wo["status"] == W.ACCEPTED and is_paid(wo):
        return DomainError("wo.move.close_needs_settled")
    return None


def refusal(move: Move, wo: dict, actor: Actor | None, ctx: Context) -> DomainError | None:
    """Why `move` is not open on `wo` for `actor`, or None: the status first (NotNow), then the parties
    (Forbidden), then the move's own condition. The acceptance gate's checklist is `rules.missing`."""
    t = TRANSITIONS[move]
    if wo["status"] not in t.sources:
        return NotNow(status=WorkOrderStatus(wo["status"]).value)
    if actor is None or not any(is_party(actor, p, wo) for p in t.parties):
        return Forbidden(action=f"work_order.{move.value}")
    return _guard(move, wo, ctx)


def target_of(move: Move, wo: dict) -> WorkOrderStatus:
    """Where the move takes the order: resume goes back to where it waited from (WO-4)."""
    target = TRANSITIONS[move].target
    return target if target is not None else WorkOrderStatus(wo.get("pending_from") or W.DISPATCHED)


def check(move: Move, wo: dict, actor: Actor | None, ctx: Context) -> Transition:
    """The gate: reading work orders at all, then the move's rule; raises, or returns the transition."""
    require(actor, Action.VIEW_WORK_ORDERS)
    refused = refusal(move, wo, actor, ctx)
    if refused is not None:
        raise refused
    return TRANSITIONS[move]


def can(move: Move, wo: dict, actor: Actor | None, ctx: Context) -> bool:
    """What a page offers: the status and the party fit. A move refused only for something missing (an
    invoice number) is offered, so its refusal says what to do."""
    refused = refusal(move, wo, actor, ctx)
    return refused is None or not isinstance(refused, (NotNow, Forbidden))


def moves_for(wo: dict, actor: Actor | None, ctx: Context) -> list[Move]:
    """The moves the record page offers this actor, in the table's order (settling is finance's week)."""
    return [m for m in Move if m != Move.SETTLE and can(m, wo, actor, ctx)]


def act_refusal(act: Act, wo: dict, actor: Actor | None, ctx: Context) -> DomainError | None:
    """Why `act` is not open, or None. The signatures follow WO-6's order: the technician signs, the
    manager countersigns the recorded service time and work done, then the customer signs; none is
    redrawn once the next one stands."""
    statuses, parties = ACTIONS[act]
    if actor is None or not any(is_party(actor, p, wo) for p in parties):
        return Forbidden(action=f"work_order.{act.value}")
    if wo["status"] not in statuses:
        return NotNow(status=WorkOrderStatus(wo["status"]).value)
    countersigned = bool(wo.get("manager_countersigned_at"))
    if act == Act.SIGN_TECHNICIAN and countersigned:
        return DomainError("wo.sign.after_countersign")
    if act == Act.COUNTERSIGN and countersigned:
        return DomainError("wo.sign.already_countersigned")
    if act == Act.COUNTERSIGN and not ctx.technician_signed:
        return DomainError("wo.sign.needs_technician")
    if act == Act.SIGN_CUSTOMER and not countersigned:
        return DomainError("wo.sign.needs_countersign")
    if act == Act.SIGN_CUSTOMER and ctx.customer_signed:
        return DomainError("wo.sign.customer_already")  # the customer's signature is never redrawn over
    if act == Act.SIGN_CUSTOMER and is_paid(wo) and not wo.get("fee_cents"):
        return DomainError("wo.sign.needs_fee")  # the customer signs for the fee they will pay
    if act in (Act.FEE, Act.INVOICE) and not is_paid(wo):
        return DomainError("wo.fee.paid_only")
    if act == Act.FEE and ctx.customer_signed:
        return DomainError("wo.fee.after_customer_signature")
    if act == Act.INVOICE and ctx.week_signed:
        return DomainError("wo.week.signed")
    if act == Act.APPROVE and wo.get("special_approval_at"):
        return DomainError("wo.approve.already")
    return None


def check_act(act: Act, wo: dict, actor: Actor | None, ctx: Context) -> None:
    require(actor, Action.VIEW_WORK_ORDERS)
    refused = act_refusal(act, wo, actor, ctx)
    if refused is not None:
        raise refused


def may(act: Act, wo: dict, actor: Actor | None, ctx: Context) -> bool:
    return act_refusal(act, wo, actor, ctx) is None
