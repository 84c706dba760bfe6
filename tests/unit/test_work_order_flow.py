"""The work order's transition table by role (WO-4, WO-5), pure: who may make each move and act from which
status, and a hypothesis state machine driving random moves and acts by random people against flow's gate
and an independent model of the table written here from DOMAIN.md."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.errors import DomainError, Forbidden
from core.permissions import Actor
from core.work_orders import flow
from core.work_orders.flow import Act, Context, Move, NotNow
from db.enums import Role, ServiceType, WorkOrderStatus

W = WorkOrderStatus
AT = datetime(2026, 11, 20, 6, tzinfo=UTC)
PEOPLE = {"specialist": Actor(1, "sam", "Sam", Role.SPECIALIST), "manager": Actor(2, "mia", "Mia", Role.MANAGER),
          "director": Actor(3, "dan", "Dan", Role.DIRECTOR), "engineer": Actor(4, "eli", "Eli", Role.ENGINEER),
          "other_engineer": Actor(5, "oz", "Oz", Role.ENGINEER), "finance": Actor(6, "fay", "Fay", Role.FINANCE),
          "admin": Actor(7, "root", "Root", Role.ADMIN)}
TECH = "technician"  # the order's own engineer
DESK = {"specialist", "manager"}
# The model (WO-4): move → (from, to, who); to None: back where it waited from.
WORKING = {W.DISPATCHED, W.RECEIVED, W.SURVEY, W.IN_REPAIR}
MODEL = {
    Move.DISPATCH: ({W.NEW, W.DISPATCHED}, W.DISPATCHED, {"manager"}),
    Move.RECEIVE: ({W.DISPATCHED}, W.RECEIVED, {TECH}),
    Move.SURVEY: ({W.RECEIVED}, W.SURVEY, {TECH}),
    Move.REPAIR: ({W.SURVEY}, W.IN_REPAIR, {TECH}),
    Move.PEND: (WORKING, W.PENDING, {TECH, "manager"}),
    Move.RESUME: ({W.PENDING}, None, {TECH, "manager"}),
    Move.COMPLETE: ({W.IN_REPAIR}, W.COMPLETED, {TECH}),
    Move.RETURN: ({W.COMPLETED}, W.RETURNED, {TECH}),
    Move.SEND_BACK: ({W.RETURNED}, W.COMPLETED, DESK),
    Move.ACCEPT: ({W.RETURNED}, W.ACCEPTED, DESK),
    Move.SETTLE: ({W.ACCEPTED}, W.SETTLED, {"finance"}),
    Move.CLOSE: ({W.ACCEPTED, W.SETTLED}, W.CLOSED, DESK),
}
ACTS = {
    Act.SIGN_TECHNICIAN: ({W.COMPLETED}, {TECH}), Act.COUNTERSIGN: ({W.COMPLETED}, {"manager"}),
    Act.SIGN_CUSTOMER: ({W.COMPLETED}, {TECH}), Act.APPROVE: ({W.RETURNED}, {"manager"}),
    Act.FEE: ({W.IN_REPAIR, W.COMPLETED, W.RETURNED}, {TECH} | DESK), Act.INVOICE: ({W.ACCEPTED}, {"finance"}),
    Act.NOTE: (set(W) - {W.CLOSED}, {TECH, "finance"} | DESK),  # who works the order (issue 12 review)
}


def is_(who: str, name: str, wo: dict) -> bool:
    """Whether the person `name` is the party `who` for the order."""
    return name == who or (who == TECH and PEOPLE[name].id == wo.get("technician_id")
                           and PEOPLE[name].role == Role.ENGINEER)


def order(status: W, **kw) -> dict:
    return {"status": status, "technician_id": PEOPLE["engineer"].id, "service_type": ServiceType.WARRANTY} | kw


CASES = [(m, s, name) for m, (sources, _to, _who) in MODEL.items() for s in sorted(sources) for name in PEOPLE]


@pytest.mark.parametrize("mv, status, name", CASES, ids=[f"{m}-{s}-{n}" for m, s, n in CASES])
def test_each_move_is_offered_to_its_party_only(mv, status, name):
    """WO-4: the table's party, and nobody else, is offered the move from each of its statuses."""
    wo = order(status, pending_from=W.SURVEY, invoice_no="INV-1")
    assert flow.can(mv, wo, PEOPLE[name], Context()) == any(is_(w, name, wo) for w in MODEL[mv][2])


@pytest.mark.parametrize("mv", list(Move))
def test_no_move_starts_from_a_status_outside_the_table(mv):
    for status in set(W) - MODEL[mv][0]:
        with pytest.raises(NotNow) as err:
            flow.check(mv, order(status), PEOPLE["manager"], Context())
        assert err.value.params == {"status": status.value}


def test_resume_goes_back_to_where_the_order_waited():
    for waited in WORKING:
        assert flow.target_of(Move.RESUME, order(W.PENDING, pending_from=waited)) == waited


@pytest.mark.parametrize("wo, mv, key", [
    (order(W.ACCEPTED, invoice_no="INV-1"), Move.SETTLE, "wo.move.settle_paid_only"),
    (order(W.ACCEPTED, service_type=ServiceType.PAID), Move.SETTLE, "wo.move.needs_invoice"),
    (order(W.ACCEPTED, service_type=ServiceType.PAID), Move.CLOSE, "wo.move.close_needs_settled"),
], ids=["settle-free", "settle-no-invoice", "close-paid-unsettled"])
def test_a_moves_own_condition_is_named(wo, mv, key):
    """WO-8: only paid orders settle, with an invoice number; a paid order closes once settled."""
    who = PEOPLE["finance"] if mv == Move.SETTLE else PEOPLE["specialist"]
    with pytest.raises(DomainError) as err:
        flow.check(mv, wo, who, Context())
    assert err.value.key == key


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_a_note_is_written_by_who_works_the_order_not_by_every_reader(name):
    """Issue 12 review: the order's technician, the desk, the dispatcher and finance write notes; a director who
    only reads, or another engineer, does not."""
    wo = order(W.IN_REPAIR)
    assert flow.may(Act.NOTE, wo, PEOPLE[name], Context()) == (name in {"engineer", "specialist", "manager", "finance"})


TECHS = st.sampled_from(["engineer", "other_engineer"])


class WorkOrderMachine(RuleBasedStateMachine):
    """Random moves and acts by random people: the gate agrees with the model; an allowed move is applied."""

    @initialize(paid=st.booleans())
    def intake(self, paid):
        self.wo = {"status": W.NEW, "technician_id": None, "pending_from": None, "invoice_no": None,
                   "service_type": ServiceType.PAID if paid else ServiceType.CONTRACT,
                   "manager_countersigned_at": None, "special_approval_at": None, "fee_cents": None}
        self.signed = {"technician": False, "customer": False}

    def ctx(self) -> Context:
        return Context(technician_signed=self.signed["technician"], customer_signed=self.signed["customer"])

    def expected_move(self, mv: Move, name: str) -> type[DomainError] | None:
        sources, _to, who = MODEL[mv]
        if name == "admin":
            return Forbidden
        if self.wo["status"] not in sources:
            return NotNow
        if not any(is_(w, name, self.wo) for w in who):
            return Forbidden
        paid = self.wo["service_type"] == ServiceType.PAID
        blocked = (mv == Move.SETTLE and not (paid and self.wo["invoice_no"])) or \
            (mv == Move.CLOSE and self.wo["status"] == W.ACCEPTED and paid)
        return DomainError if blocked else None

    @rule(mv=st.sampled_from(list(Move)), name=st.sampled_from(sorted(PEOPLE)), tech=TECHS)
    def move(self, mv, name, tech):
        self.try_move(mv, name, tech)

    @rule(data=st.data())
    def advance(self, data):
        """A move the model allows, so the walk reaches the late statuses too."""
        options = [(m, n) for m in Move for n in sorted(PEOPLE) if self.expected_move(m, n) is None]
        options += [(a, n) for a in (Act.SIGN_TECHNICIAN, Act.COUNTERSIGN, Act.FEE, Act.SIGN_CUSTOMER, Act.APPROVE,
                                     Act.INVOICE) for n in sorted(PEOPLE) if self.expected_act(a, n)]
        if options:
            step, name = data.draw(st.sampled_from(options))
            if isinstance(step, Move):
                self.try_move(step, name, data.draw(TECHS))
            else:
                self.try_act(step, name)

    def try_move(self, mv: Move, name: str, tech: str) -> None:
        expected = self.expected_move(mv, name)
        try:
            flow.check(mv, self.wo, PEOPLE[name], self.ctx())
        except DomainError as err:
            assert expected is not None and isinstance(err, expected), (mv, name, self.wo, err)
            return
        assert expected is None, (mv, name, self.wo)
        target = flow.target_of(mv, self.wo)
        assert target == (MODEL[mv][1] or self.wo["pending_from"])
        self.wo |= {"technician_id": PEOPLE[tech].id} if mv == Move.DISPATCH else {}
        self.wo |= {"pending_from": self.wo["status"]} if mv == Move.PEND else {}
        self.wo["status"] = target

    def expected_act(self, act: Act, name: str) -> bool:
        statuses, who = ACTS[act]
        countersigned = bool(self.wo["manager_countersigned_at"])
        ok = self.wo["status"] in statuses and any(is_(w, name, self.wo) for w in who) and {
            Act.SIGN_TECHNICIAN: not countersigned, Act.COUNTERSIGN: self.signed["technician"] and not countersigned,
            Act.SIGN_CUSTOMER: countersigned and not self.signed["customer"]  # once, and for the fee (WO-5, WO-8)
            and (self.wo["service_type"] != ServiceType.PAID or bool(self.wo["fee_cents"])),
            Act.APPROVE: not self.wo["special_approval_at"],
            Act.FEE: self.wo["service_type"] == ServiceType.PAID and not self.signed["customer"],
            Act.INVOICE: self.wo["service_type"] == ServiceType.PAID}.get(act, True)
        return ok and name != "admin"

    @rule(act=st.sampled_from(list(Act)), name=st.sampled_from(sorted(PEOPLE)))
    def act(self, act, name):
        self.try_act(act, name)

    def try_act(self, act: Act, name: str) -> None:
        allowed = self.expected_act(act, name)
        assert flow.may(act, self.wo, PEOPLE[name], self.ctx()) == allowed
        try:
            flow.check_act(act, self.wo, PEOPLE[name], self.ctx())
        except DomainError:
            assert not allowed, (act, name, self.wo)
            return
        assert allowed, (act, name, self.wo)
        self.signed |= {"technician": True} if act == Act.SIGN_TECHNICIAN else {}
        self.signed |= {"customer": True} if act == Act.SIGN_CUSTOMER else {}
        self.wo |= {"manager_countersigned_at": AT} if act == Act.COUNTERSIGN else {}
        self.wo |= {"special_approval_at": AT} if act == Act.APPROVE else {}
        self.wo |= {"invoice_no": "INV-1"} if act == Act.INVOICE else {}
        self.wo |= {"fee_cents": 12_000} if act == Act.FEE else {}

    @invariant()
    def status_is_known(self):
        assert self.wo["status"] in set(W)


WorkOrderMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_the_gate_agrees_with_the_table_for_random_moves_by_random_people = WorkOrderMachine.TestCase
