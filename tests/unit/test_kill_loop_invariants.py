"""The kill loop's checks (bench.kill_loop) can fail: a record written whole through a use case passes them, and
each record half written by hand (a row of a save's transaction left out) is found by the invariant that names it."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, update

from bench.kill_loop import baseline, half_written, integrity, lost_writes
from db.engine import session_scope
from db.enums import CallbackStatus, CallOutcome, Channel, WorkOrderStatus
from db.models import CallAttempt, Callback, Customer, ImportBatch, WorkOrder, WorkOrderEvent
from tests.factories import NOW, make_callback, make_user
from tests.work_orders import office_people, order_at


@pytest.fixture
def office(engine):
    """An order taken in and dispatched through the use cases, an open callback, and the ids as they stood before."""
    people = office_people(engine)
    with session_scope(engine) as s:
        callback = make_callback(s, s.get(Customer, people["customer"])).id
        caller = make_user(s).id
    base = baseline(engine)
    order = order_at(engine, people, WorkOrderStatus.DISPATCHED)
    return {"order": order, "callback": callback, "caller": caller, "base": base, "people": people}


def test_whole_saves_pass_every_check(engine, office):
    assert integrity(engine) == []
    assert half_written(engine, office["base"]) == {}


def _event_without_audit(s, o):
    s.add(WorkOrderEvent(work_order_id=o["order"], at=NOW, user_id=o["caller"], from_status=WorkOrderStatus.DISPATCHED,
                         to_status=WorkOrderStatus.DISPATCHED, move="note"))


def _status_without_event(s, o):
    s.execute(update(WorkOrder).where(WorkOrder.id == o["order"]).values(status=WorkOrderStatus.RECEIVED))


def _attempt_without_transition(s, o):
    s.add(CallAttempt(callback_id=o["callback"], caller_id=o["caller"], attempted_at=NOW, channel=Channel.PHONE,
                      outcome=CallOutcome.REACHED))


def _transition_without_attempt(s, o):
    s.execute(update(Callback).where(Callback.id == o["callback"])
              .values(status=CallbackStatus.COMPLETED, attempts_count=1))


def _import_without_batch(s, o):
    s.execute(insert(Customer).values(code="KLX1", name="KL001000001客户0", phone="13010000001", version=1))


def _batch_without_rows(s, o):
    s.add(ImportBatch(file_name="killloop-001000002.csv", sha256="0" * 64, mode="refuse", user_id=o["caller"],
                      imported_at=NOW, rows_created=3))


@pytest.mark.parametrize(("half", "found"), [
    (_event_without_audit, "wo_event_without_audit"),
    (_status_without_event, "wo_status_without_event"),
    (_attempt_without_transition, "cb_attempts_count"),
    (_attempt_without_transition, "cb_attempt_without_audit"),
    (_transition_without_attempt, "cb_attempts_count"),
    (_import_without_batch, "import_rows_without_batch"),
    (_import_without_batch, "customer_without_search_terms"),
    (_batch_without_rows, "import_rows_half_applied"),
    (_batch_without_rows, "import_without_audit"),
], ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_a_half_written_record_is_found(engine, office, half, found):
    with session_scope(engine) as s:
        half(s, office)
    assert found in half_written(engine, office["base"])


def test_a_save_reported_committed_and_missing_is_a_lost_write(engine, office):
    journal = [{"k": "wo_in", "ok": True, "id": office["order"]},
               {"k": "wo_move", "ok": True, "id": office["order"], "v": 99},
               {"k": "call", "ok": False, "refused": "calls.not_claimed"}]
    assert lost_writes(engine, journal) == [journal[1]]
