"""The work order's flow as its use cases run it (WO-1..WO-4, WO-10, WO-11), on SQLite and PostgreSQL: intake
with its number, each move by its party with what it needs, the stale move, the after-repair call at
completion and the progress call at a wait. Signatures and the acceptance gate: test_work_order_gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import FieldErrors, Forbidden, Invalid, StaleEdit
from core.office.settings import load_office
from core.work_orders import queries, services
from core.work_orders.flow import Move, NotNow
from core.work_orders.rules import NewWorkOrder
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, PendingReason, ServiceType, WorkOrderStatus
from db.models import Callback, WorkOrder, WorkOrderEvent
from tests.factories import NOW, make_customer, make_product, utc
from tests.work_orders import WORK_DONE, audit_trail, move, office_people, order_at, take_in, version

W = WorkOrderStatus


@pytest.fixture
def p(engine):
    return office_people(engine)


def row(engine, order_id: int) -> WorkOrder:
    with session_scope(engine) as s:
        return s.get(WorkOrder, order_id)


def count(engine, model, *where) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_an_order_goes_from_intake_to_closed_with_each_step_in_its_history(engine, p):
    """WO-4: new → dispatched → received → survey → in repair → completed → returned → accepted → closed,
    each move by its party, each with an event and an audit row (a free order closes after acceptance)."""
    order_id = order_at(engine, p, W.ACCEPTED, service_type=ServiceType.WARRANTY)
    move(engine, p["specialist"], order_id, Move.CLOSE, NOW + timedelta(hours=10))
    wo = row(engine, order_id)
    assert wo.status == W.CLOSED and wo.closed_at == NOW + timedelta(hours=10)
    assert wo.dispatched_by_id == p["manager"].id and wo.technician_id == p["engineer"].id
    assert wo.return_signed_by_id == p["engineer"].id and wo.accepted_by_id == p["specialist"].id
    with session_scope(engine) as s:
        moves = s.scalars(select(WorkOrderEvent.move).where(WorkOrderEvent.work_order_id == order_id)
                          .order_by(WorkOrderEvent.id)).all()
    assert moves == [None, "dispatch", "receive", "survey", "repair", "complete", "sign_technician", "countersign",
                     "sign_customer", "return", "accept", "close"]
    audits = [action for action, _ in audit_trail(engine, p, order_id)]
    assert audits.count(AuditAction.CREATE) == 1 and len(audits) == len(moves)


def test_numbers_count_per_office_month_of_intake(engine, p):
    """The office's pattern WO{yyyymm}-{nnnnnn}: the next after the month's highest; a new month starts at 1
    (Shanghai's 1 December begins at 16:00 UTC on 30 November)."""
    first, second = take_in(engine, p), take_in(engine, p)
    december = take_in(engine, p, at=utc(2026, 11, 30, 16, 30))
    assert [first["number"], second["number"], december["number"]] == [
        "WO202611-000001", "WO202611-000002", "WO202612-000001"]
    assert first["version"] == 1 and row(engine, first["id"]).intake_by_id == p["specialist"].id


def test_a_number_taken_meanwhile_is_retried_once_with_the_next(engine, p, monkeypatch):
    """Two intakes at once: the loser of the unique number tries again, with the month's next number."""
    first = take_in(engine, p)
    real, calls = services.next_number, []

    def racing(s, now, tz):
        calls.append(now)
        return first["number"] if len(calls) == 1 else real(s, now, tz)

    monkeypatch.setattr(services, "next_number", racing)
    assert take_in(engine, p)["number"] == "WO202611-000002" and len(calls) == 2
    assert count(engine, WorkOrder) == 2


def test_intake_refuses_every_missing_field_at_once_and_writes_nothing(engine, p):
    """WO-1: customer, contact, phone, address, a specific request, the service type and the read-back."""
    data = NewWorkOrder(customer_id=None, product_id=None, contact_name=" ", phone="", address=None,
                        request="pump", service_type=None, read_back=False)
    with pytest.raises(FieldErrors) as err:
        services.take_in(engine, p["specialist"], data, load_office(engine), NOW)
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "customer_id": "wo.customer_required", "contact_name": "wo.contact_required", "phone": "wo.phone_required",
        "address": "wo.address_required", "request": "wo.request_vague", "service_type": "wo.service_type_required",
        "read_back": "wo.read_back_required"}
    assert count(engine, WorkOrder) == 0


def test_a_product_of_another_customer_and_an_engineer_are_refused_at_intake(engine, p):
    with session_scope(engine) as s:
        other = make_product(s, make_customer(s)).id
    with pytest.raises(Invalid) as err:
        take_in(engine, p, product_id=other)
    assert err.value.key == "wo.product_not_customers"
    with pytest.raises(Forbidden):
        services.take_in(engine, p["engineer"], NewWorkOrder(p["customer"], None, "A", "1", "B", "x y z", "A"),
                         load_office(engine), NOW)
    assert count(engine, WorkOrder) == 0


def test_intake_starts_from_the_archive(engine, p):
    """WO-1: contact, phone and address prefilled from the customer (the product's place when it has one)."""
    defaults = services.intake_defaults(engine, p["specialist"], p["customer"], p["product"])
    assert defaults["address"] == "Hangzhou 8 Canal Road" and defaults["phone"].startswith("138")


def test_dispatch_goes_to_an_active_engineer_and_again_before_receipt(engine, p):
    """WO-3: who dispatched and when; a manager or a specialist is not a technician; re-dispatch is allowed
    until the technician received the order."""
    order_id = take_in(engine, p)["id"]
    with pytest.raises(Invalid) as err:
        move(engine, p["manager"], order_id, Move.DISPATCH, technician_id=p["specialist"].id)
    assert err.value.key == "wo.move.bad_technician" and row(engine, order_id).version == 1
    move(engine, p["manager"], order_id, Move.DISPATCH, technician_id=p["engineer"].id)
    move(engine, p["manager"], order_id, Move.DISPATCH, technician_id=p["other_engineer"].id)
    assert row(engine, order_id).technician_id == p["other_engineer"].id
    with pytest.raises(Forbidden):  # nobody receives for somebody else
        move(engine, p["engineer"], order_id, Move.RECEIVE)
    move(engine, p["other_engineer"], order_id, Move.RECEIVE, NOW + timedelta(minutes=3))
    assert row(engine, order_id).received_at == NOW + timedelta(minutes=3)
    with pytest.raises(NotNow):
        move(engine, p["manager"], order_id, Move.DISPATCH, technician_id=p["engineer"].id)


def test_completion_names_every_missing_field_at_once(engine, p):
    """WO-6: the service end, the work done (specific); nothing is written."""
    order_id = order_at(engine, p, W.IN_REPAIR)
    before = row(engine, order_id).version
    with pytest.raises(FieldErrors) as err:
        move(engine, p["engineer"], order_id, Move.COMPLETE, NOW + timedelta(hours=5), work_done="done")
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "service_ended_at": "wo.move.service_ended_at_required", "work_done": "wo.move.work_done_vague"}
    assert row(engine, order_id).version == before


@pytest.mark.parametrize("end, key", [
    (NOW + timedelta(hours=9), "wo.move.time_in_future"),
    (NOW + timedelta(hours=3), "wo.move.end_before_start"),
    (NOW - timedelta(hours=1), "wo.move.time_before_intake"),
], ids=["future", "before-start", "before-intake"])
def test_the_service_end_lies_between_its_start_and_now(engine, p, end, key):
    order_id = order_at(engine, p, W.IN_REPAIR)  # repair began at NOW + 4h
    with pytest.raises(Invalid) as err:
        move(engine, p["engineer"], order_id, Move.COMPLETE, NOW + timedelta(hours=5), service_ended_at=end,
             work_done=WORK_DONE)
    assert err.value.key == key


def test_a_late_completion_needs_its_delay_reason(engine, p):
    """WO-6: completed later than work_order.repair_target_hours (48) after intake."""
    order_id = order_at(engine, p, W.IN_REPAIR)
    late = NOW + timedelta(hours=49)
    with pytest.raises(Invalid) as err:
        move(engine, p["engineer"], order_id, Move.COMPLETE, late, service_ended_at=late, work_done=WORK_DONE)
    assert err.value.key == "wo.move.delay_reason_required"
    move(engine, p["engineer"], order_id, Move.COMPLETE, late, service_ended_at=late, work_done=WORK_DONE,
         delay_reason="Waited two days for the bearing")
    assert row(engine, order_id).delay_reason == "Waited two days for the bearing"


def after_repair_calls(engine, order_id: int) -> list[Callback]:
    with session_scope(engine) as s:
        return s.scalars(select(Callback).where(Callback.work_order_id == order_id,
                                                Callback.kind == CallbackKind.AFTER_REPAIR)).all()


def test_completion_plans_the_after_repair_call_once(engine, p):
    """WO-10 / CB-2: from completion to the end of the third office day after it; acceptance keeps it."""
    order_id = order_at(engine, p, W.COMPLETED)
    calls = after_repair_calls(engine, order_id)
    assert len(calls) == 1 and calls[0].due_start == NOW + timedelta(hours=5)
    order_at_accepted = order_at(engine, p, W.ACCEPTED)
    assert len(after_repair_calls(engine, order_at_accepted)) == 1


def test_an_internal_order_has_no_after_repair_call(engine, p):
    """WO-10: type D is the office's own work: no customer to call."""
    order_id = order_at(engine, p, W.ACCEPTED, service_type=ServiceType.INTERNAL)
    assert row(engine, order_id).status == W.ACCEPTED and after_repair_calls(engine, order_id) == []


def test_a_wait_plans_a_progress_call_and_resumes_where_it_waited(engine, p):
    """WO-4, WO-11: pending with a reason from survey; a progress call with the order's number and reason;
    resumed back to survey; a second wait is a second call."""
    order_id = order_at(engine, p, W.SURVEY)
    with pytest.raises(Invalid) as err:
        move(engine, p["engineer"], order_id, Move.PEND)
    assert err.value.key == "wo.move.pending_reason_required"
    move(engine, p["engineer"], order_id, Move.PEND, NOW + timedelta(hours=4), pending_reason=PendingReason.PARTS)
    wo = row(engine, order_id)
    assert (wo.status, wo.pending_reason, wo.pending_from) == (W.PENDING, PendingReason.PARTS, W.SURVEY)
    move(engine, p["manager"], order_id, Move.RESUME, NOW + timedelta(hours=5))
    wo = row(engine, order_id)
    assert (wo.status, wo.pending_reason, wo.pending_from) == (W.SURVEY, None, None)
    move(engine, p["engineer"], order_id, Move.PEND, NOW + timedelta(hours=6), pending_reason="customer_absent")
    with session_scope(engine) as s:
        calls = s.scalars(select(Callback).where(Callback.work_order_id == order_id,
                                                 Callback.kind == CallbackKind.PROGRESS).order_by(Callback.id)).all()
        assert [c.source_key.rsplit(":", 1)[1] for c in calls] == ["1", "2"]
        assert calls[0].purpose == wo.number  # language-free: the call screen says the state and reason
        event = s.scalar(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == order_id,
                                                      WorkOrderEvent.move == "pend").order_by(WorkOrderEvent.id))
        assert event.pending_reason == PendingReason.PARTS


def test_an_internal_order_waits_without_a_progress_call(engine, p):
    """WO-11: an internal order (type D) has no customer to call, so its wait plans no progress call."""
    order_id = order_at(engine, p, W.SURVEY, service_type=ServiceType.INTERNAL)
    move(engine, p["engineer"], order_id, Move.PEND, NOW + timedelta(hours=4), pending_reason=PendingReason.PARTS)
    assert row(engine, order_id).status == W.PENDING
    assert count(engine, Callback, Callback.work_order_id == order_id) == 0


def test_a_stale_move_is_refused_naming_who_moved_first(engine, p):
    order_id = take_in(engine, p)["id"]
    loaded = version(engine, order_id)
    move(engine, p["manager"], order_id, Move.DISPATCH, technician_id=p["engineer"].id)
    with pytest.raises(StaleEdit) as err:
        services.apply_move(engine, p["other_manager"], order_id, loaded, Move.DISPATCH,
                            services.MoveInput(technician_id=p["other_engineer"].id), load_office(engine), NOW)
    assert err.value.params["who"] == p["manager"].display_name
    assert row(engine, order_id).technician_id == p["engineer"].id


def test_a_note_is_history_without_a_new_version(engine, p):
    order_id = take_in(engine, p)["id"]
    services.add_note(engine, p["specialist"], order_id, "Customer asks for a morning visit", NOW)
    with pytest.raises(Invalid) as err:
        services.add_note(engine, p["specialist"], order_id, "  ", NOW)
    assert err.value.key == "wo.note_required" and version(engine, order_id) == 1
    with pytest.raises(Forbidden):  # issue 12 review: an engineer notes only their own orders
        services.add_note(engine, p["engineer"], order_id, "Not mine", NOW)
    detail = queries.work_order_detail(engine, p["specialist"], order_id)
    assert [e["note"] for e in detail["events"]] == [None, "Customer asks for a morning visit"]
    assert detail["version"] == 1 and detail["missing"] == [] and detail["signatures"] == []
