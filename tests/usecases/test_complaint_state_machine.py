"""The complaint flow (CP-2, CP-3, CP-5) driven at random through the use cases, on SQLite and PostgreSQL:
every move and act by every kind of actor, with and without a quality user in the office. After each step
the outcome is checked against an expectation computed from the table's data (flow.TRANSITIONS, flow.ACTIONS,
flow.is_party) and the steps' rules, not from the gate's own decision: a move succeeds iff its status is a
source, the actor is one of its parties and its guard holds (CP-2); every success writes exactly one event
and one audit row and bumps the version by one (a note: no bump); a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select, update

from core.complaints import goods, services
from core.complaints.flow import ACTIONS, TRANSITIONS, Act, Context, Move, is_party
from core.complaints.rules import MoveInput, NewComplaint
from core.errors import DomainError
from core.lists import as_dict
from core.office.settings import load_office
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackStatus,
    Channel,
    ComplaintCause,
    ComplaintChannel,
    ComplaintStatus,
    Responsibility,
    Role,
)
from db.models import AuditEntry, Callback, Complaint, ComplaintEvent, User
from tests.factories import NOW, make_account, make_customer, make_product

LATER = NOW + timedelta(days=2)
ACTORS = ("owner", "other", "manager", "director", "capa", "engineer", "quality", "finance")
ROLES = {"owner": Role.SPECIALIST, "other": Role.SPECIALIST, "manager": Role.MANAGER, "director": Role.DIRECTOR,
         "capa": Role.ENGINEER, "engineer": Role.ENGINEER, "quality": Role.ENGINEER, "finance": Role.FINANCE}
LIKELY = ("manager", "manager", "quality", "owner", "capa")  # parties of most moves: the walk goes deeper
NO_REQUIRED_FIELD = {Move.FOLLOW_UP, Move.CLOSE}  # steps.py: only an optional note


def full_input(move: Move, people: dict, preventive: bool) -> MoveInput:
    """Everything `move` reads (core.complaints.steps), valid."""
    return {
        Move.VERIFY: MoveInput(owner_id=people["owner"].id, reply_deadline=LATER),
        Move.OURS: MoveInput(verification_note="Batch 12 has the same fault", cause=ComplaintCause.QUALITY,
                             responsible_department="Production", capa_owner_id=people["capa"].id, capa_due=LATER),
        Move.NOT_OURS: MoveInput(verification_note="Inspection records clean", cause=ComplaintCause.USAGE,
                                 explanation="The filter was never changed", reply_channel=Channel.PHONE),
        Move.SOLVE: MoveInput(solution="Replaced the pump", capa_action="New bearing supplier",
                              preventive_action="Incoming inspection" if preventive else None),
        Move.REPLY: MoveInput(reply_channel=Channel.EMAIL),
        Move.FOLLOW_UP: MoveInput(note="Customer satisfied"),
        Move.VERIFY_EFFECT: MoveInput(verification_evidence="No returns in 30 days"),
        Move.CLOSE: MoveInput(),
        Move.REOPEN: MoveInput(note="Customer called again, same noise"),
    }[move]


def expected_guard(move: Move, cp: dict, ctx: Context) -> bool:
    """CP-2's conditions beyond status and party, restated from the issue: follow-up only on an "ours"
    complaint whose complaint call (CB-2) is done; verifying the effect needs both actions; closing from
    "replied" only when not ours."""
    if move == Move.FOLLOW_UP:
        return cp["responsibility"] == Responsibility.OURS and ctx.call_done
    if move == Move.VERIFY_EFFECT:
        return bool(cp["capa_action"] and cp["preventive_action"])
    if move == Move.CLOSE and cp["status"] == ComplaintStatus.REPLIED:
        return cp["responsibility"] == Responsibility.NOT_OURS
    return True


class ComplaintMachine(RuleBasedStateMachine):
    engine = None  # set by the test: the fixture's database

    @initialize(quality=st.booleans(), returned=st.booleans(), head=st.integers(0, 8), ours=st.booleans())
    def start(self, quality: bool, returned: bool, head: int, ours: bool) -> None:
        """A fresh office: nobody else is quality (earlier examples share the database), the eight actors,
        one complaint taken in by the owner-to-be (phone, or a return of goods), then walked `head` moves
        along the ours or not-ours path (checked like any step) so the random steps start at every stage."""
        with session_scope(self.engine) as s:
            s.execute(update(User).values(quality=False))
            customer = make_customer(s)
            product = make_product(s, customer)
            self.people = {k: make_account(s, r, quality=(k == "quality" and quality)) for k, r in ROLES.items()}
            self.floor = s.scalar(select(func.max(AuditEntry.id))) or 0
        self.quality, self.call_done, self.call_open = quality, False, True  # CB-2: planned at intake
        self.call_reached = False
        data = NewComplaint(customer_id=customer.id, product_id=product.id, description="The pump hums and stops",
                            channel=ComplaintChannel.RETURN if returned else ComplaintChannel.PHONE)
        self.office = load_office(self.engine)
        self.cid = services.take_in(self.engine, self.people["owner"], data, self.office, NOW)["id"]
        for _ in range(head):
            self.head_start(ours)

    def head_start(self, ours: bool) -> None:
        status = self.snapshot()["cp"]["status"]
        skip = {Move.OURS} if not ours else {Move.NOT_OURS}
        skip |= set() if ours else {Move.FOLLOW_UP}
        move = [m for m in Move if status in TRANSITIONS[m].sources and m not in skip][0]
        if move == Move.FOLLOW_UP:
            self.complete_call(given_up=False)
        self.try_move(move, "quality" if self.quality and move == Move.VERIFY_EFFECT else "manager", True, True)

    def snapshot(self) -> dict:
        with session_scope(self.engine) as s:
            cp = as_dict(s.get(Complaint, self.cid))
            events = s.scalar(select(func.count()).select_from(ComplaintEvent)
                              .where(ComplaintEvent.complaint_id == self.cid))
            audits = s.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.entity == "complaint", AuditEntry.entity_id == str(self.cid), AuditEntry.id > self.floor))
        return {"cp": cp, "events": events, "audits": audits}

    def ctx(self) -> Context:
        return Context(quality_present=self.quality, call_done=self.call_done, call_open=self.call_open,
                       call_reached=self.call_reached)

    def party(self, who: str, parties, cp: dict) -> bool:
        return any(is_party(self.people[who], p, cp, self.ctx()) for p in parties)

    def outcome(self, before: dict, run, ok: bool, bump: int, status) -> None:
        """Run the use case; success iff `ok`: one event, one audit row, the version bumped by `bump`;
        a refusal changes nothing."""
        try:
            run()
            succeeded = True
        except DomainError:
            succeeded = False
        after = self.snapshot()
        assert succeeded == ok, (before["cp"]["status"], ok)
        if not ok:
            assert after == before
            return
        assert after["events"] == before["events"] + 1 and after["audits"] == before["audits"] + 1
        assert after["cp"]["version"] == before["cp"]["version"] + bump
        assert after["cp"]["status"] == status

    def try_move(self, move: Move, who: str, full: bool, preventive: bool) -> None:
        before = self.snapshot()
        cp = before["cp"]
        t = TRANSITIONS[move]
        ok = (cp["status"] in t.sources and self.party(who, t.parties, cp) and expected_guard(move, cp, self.ctx())
              and (full or move in NO_REQUIRED_FIELD))
        given = full_input(move, self.people, preventive) if full else MoveInput()
        self.outcome(before, lambda: services.apply_move(self.engine, self.people[who], self.cid, cp["version"],
                                                         move, given, NOW), ok, 1, t.target)
        if ok and move == Move.REOPEN:  # CB-2: the new round has its own complaint call, still to be made
            self.call_done, self.call_open, self.call_reached = False, True, False

    @rule(move=st.sampled_from(list(Move)), who=st.sampled_from(ACTORS), full=st.sampled_from((True, True, False)),
          preventive=st.booleans())
    def any_move(self, move: Move, who: str, full: bool, preventive: bool) -> None:
        self.try_move(move, who, full, preventive)

    @rule(data=st.data(), who=st.sampled_from(LIKELY), preventive=st.booleans())
    def forward_move(self, data, who: str, preventive: bool) -> None:
        """A move that starts from the current status, by a likely party: walks the flow deeper."""
        status = self.snapshot()["cp"]["status"]
        move = data.draw(st.sampled_from([m for m in Move if status in TRANSITIONS[m].sources]), label="move")
        self.try_move(move, who, True, preventive)

    @rule(who=st.sampled_from(ACTORS))
    def escalate(self, who: str) -> None:
        """CP-5: anyone who reads complaints escalates an open complaint, once."""
        before = self.snapshot()
        cp = before["cp"]
        statuses, parties = ACTIONS[Act.ESCALATE]
        ok = cp["status"] in statuses and self.party(who, parties, cp) and not cp["escalated"]
        self.outcome(before, lambda: services.escalate(self.engine, self.people[who], self.cid, cp["version"],
                                                       "Customer threatens to cancel", NOW), ok, 1, cp["status"])

    @rule(who=st.sampled_from(ACTORS))
    def note(self, who: str) -> None:
        before = self.snapshot()
        cp = before["cp"]
        statuses, parties = ACTIONS[Act.NOTE]
        ok = cp["status"] in statuses and self.party(who, parties, cp)
        self.outcome(before, lambda: services.add_note(self.engine, self.people[who], self.cid, "Called again", NOW),
                     ok, 0, cp["status"])

    @rule(who=st.sampled_from(ACTORS), quantity=st.integers(1, 40))
    def goods(self, who: str, quantity: int) -> None:
        """CP-3: quality (or the manager acting for it) records the goods of a return complaint still open."""
        before = self.snapshot()
        cp = before["cp"]
        statuses, parties = ACTIONS[Act.GOODS]
        ok = cp["status"] in statuses and self.party(who, parties, cp) and cp["channel"] == ComplaintChannel.RETURN
        full = goods.full_inspection(quantity, self.office)
        record = goods.ReturnedGoods(return_quantity=quantity, isolated_labelled=True,
                                     inspected_quantity=quantity if full else 1, defects_found=1)
        self.outcome(before, lambda: goods.record_goods(self.engine, self.people[who], self.cid, cp["version"],
                                                        record, self.office, NOW), ok, 1, cp["status"])

    @rule(who=st.sampled_from(ACTORS))
    def plan_call(self, who: str) -> None:
        """CB-2: the owner or the handler plans the complaint call again, only when none is to be made and this
        round's did not reach the customer."""
        before = self.snapshot()
        cp = before["cp"]
        statuses, parties = ACTIONS[Act.PLAN_CALL]
        ok = cp["status"] in statuses and self.party(who, parties, cp) and not (self.call_open or self.call_reached)
        self.outcome(before, lambda: services.plan_complaint_call(self.engine, self.people[who], self.cid, NOW),
                     ok, 0, cp["status"])
        if ok:
            self.call_done, self.call_open = False, True

    @rule(given_up=st.booleans())
    def complete_call(self, given_up: bool) -> None:
        """The latest complaint call (CB-2) is made, or given up after its tries: either way this round's call
        is finished and follow-up opens for an "ours" complaint."""
        with session_scope(self.engine) as s:
            call = s.scalars(select(Callback).where(Callback.complaint_id == self.cid,
                                                    Callback.kind == CallbackKind.COMPLAINT)
                             .order_by(Callback.id.desc()).limit(1)).one()
            call.status = CallbackStatus.NOT_COMPLETED if given_up else CallbackStatus.COMPLETED
        self.call_done, self.call_open, self.call_reached = True, False, not given_up

    @invariant()
    def history_follows_the_table(self) -> None:
        """Each event's move names a transition (or an act) whose target is the event's status."""
        if not hasattr(self, "cid"):
            return
        with session_scope(self.engine) as s:
            events = s.execute(select(ComplaintEvent.move, ComplaintEvent.from_status, ComplaintEvent.to_status)
                               .where(ComplaintEvent.complaint_id == self.cid)).all()
        for move, source, target in events:
            if move in set(Move):
                assert source in TRANSITIONS[Move(move)].sources and target == TRANSITIONS[Move(move)].target
            else:
                assert move == "take_in" or (move in set(Act) and source == target)


def test_random_moves_succeed_exactly_when_the_table_allows_cp2(engine):
    machine = type("Machine", (ComplaintMachine,), {"engine": engine})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)))

