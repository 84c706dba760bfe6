"""A demo work order's history checked against the app's own gate (core.work_orders.flow, WO-4/WO-5): every
move and act of the history is one `flow.refusal` / `flow.act_refusal` lets the recorded user's role make at
that status, with the order's columns as they stand at that step. The demo's histories come from a few
shapes (the moves plus which acts were done), so each shape is replayed through the gate once and
remembered: the check costs nothing at the benchmark's million orders."""

from __future__ import annotations

from functools import cache

from core.permissions import Actor
from core.work_orders.flow import Act, Context, Move, Party, act_refusal, refusal, target_of
from db.enums import Role, ServiceType, WorkOrderStatus
from demo.people import FINANCE, MANAGER

Step = Move | Act
WHO: dict[Step, Party] = {  # the party the demo has make each move or act (flow's table allows it)
    Move.DISPATCH: Party.DISPATCHER, Move.SEND_BACK: Party.DESK, Move.ACCEPT: Party.DESK, Move.CLOSE: Party.DESK,
    Move.SETTLE: Party.FINANCE, Act.INVOICE: Party.FINANCE, Act.COUNTERSIGN: Party.COUNTERSIGNER,
    Act.APPROVE: Party.APPROVER,
}  # the rest (receive .. return, pend, resume, both signatures on the technician's device, the fee): technician
ROLES = {Party.DISPATCHER: Role.MANAGER, Party.TECHNICIAN: Role.ENGINEER, Party.DESK: Role.SPECIALIST,
         Party.FINANCE: Role.FINANCE, Party.COUNTERSIGNER: Role.MANAGER, Party.APPROVER: Role.MANAGER}
TECH = -1  # the order's technician while a shape is checked (any id: only "is it the assigned one" matters)


class IllegalHistory(AssertionError):
    """A demo history the app could not have written (a bug in the demo, never in the office's data)."""


def party(step: Step) -> Party:
    return WHO.get(step, Party.TECHNICIAN)


def users(desk: int, tech: int) -> dict[Party, int]:
    """The user the demo records for each party: the manager dispatches, countersigns and approves, the
    order's technician works and signs, the desk specialist sends back, accepts and closes, finance settles."""
    return {Party.DISPATCHER: MANAGER, Party.COUNTERSIGNER: MANAGER, Party.APPROVER: MANAGER, Party.DESK: desk,
            Party.FINANCE: FINANCE, Party.TECHNICIAN: tech}


def _actor(step: Step) -> Actor:
    p = party(step)
    return Actor(TECH if p == Party.TECHNICIAN else 0, p.value, p.value, ROLES[p])


def _apply(step: Step, wo: dict, signed: set[Act]) -> None:
    """What the step changes that the gate looks at."""
    if isinstance(step, Move):
        if step == Move.PEND:
            wo["pending_from"] = wo["status"]
        wo["status"] = target_of(step, wo)
        return
    signed.add(step)
    field = {Act.COUNTERSIGN: "manager_countersigned_at", Act.APPROVE: "special_approval_at",
             Act.INVOICE: "invoice_no", Act.FEE: "fee_cents"}.get(step)
    if field:
        wo[field] = True


@cache
def check_shape(paid: bool, steps: tuple[Step, ...]) -> tuple[str, ...]:
    """Replays the shape through the gate from intake; returns the status after each step, or raises
    IllegalHistory naming the step the gate refuses."""
    stype = ServiceType.PAID if paid else ServiceType.CONTRACT
    wo: dict = {"status": WorkOrderStatus.NEW, "service_type": stype, "technician_id": TECH}
    signed: set[Act] = set()
    reached = []
    for i, step in enumerate(steps):
        ctx = Context(technician_signed=Act.SIGN_TECHNICIAN in signed, customer_signed=Act.SIGN_CUSTOMER in signed)
        gate = refusal if isinstance(step, Move) else act_refusal
        refused = gate(step, wo, _actor(step), ctx)
        if refused is not None:
            raise IllegalHistory(f"{step.value} (step {i}) refused at {wo['status']}: {refused.key} {steps}")
        _apply(step, wo, signed)
        reached.append(WorkOrderStatus(wo["status"]).value)
    return tuple(reached)


def history(steps: list[tuple[int, Step]], paid: bool) -> list[tuple[int, Step, str, str]]:
    """The timed steps in time order (ties keep their order), each checked: (time, step, from, to)."""
    ordered = sorted(steps, key=lambda s: s[0])
    if any(a[0] > b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        raise IllegalHistory("times out of order")
    reached = check_shape(paid, tuple(step for _, step in ordered))
    before = (WorkOrderStatus.NEW.value, *reached)
    return [(ts, step, before[i], reached[i]) for i, (ts, step) in enumerate(ordered)]


STEPS: dict[Step, tuple[str, Party]] = {step: (step.value, party(step)) for step in (*Move, *Act)}  # value, who
