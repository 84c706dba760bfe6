"""The dispatcher's board (WO-3), the technicians' loads, the unfinished summary (WO-7) and the sweep's
progress calls (WO-11), on SQLite and PostgreSQL with a pinned clock (tests.factories.NOW, 14:00 in
Shanghai on Friday 20 November 2026)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Forbidden
from core.office.settings import load_office
from core.scheduling import daily
from core.scheduling.sweep import SweepResult
from core.work_orders import board
from core.work_orders.progress import plan_late_progress_calls, progress_key
from db.engine import session_scope
from db.enums import CallbackKind, PendingReason, Role, ServiceType, WorkOrderStatus
from db.models import Callback
from tests.factories import NOW, make_account, make_customer, make_user, make_work_order, utc

W = WorkOrderStatus


@pytest.fixture
def people(engine):
    with session_scope(engine) as s:
        return {"manager": make_account(s, Role.MANAGER), "desk": make_account(s, Role.SPECIALIST),
                "eve": make_account(s, Role.ENGINEER, display_name="Eve Engineer"),
                "ed": make_account(s, Role.ENGINEER, display_name="Ed Engineer"),
                "finance": make_account(s, Role.FINANCE)}


def _orders(engine, people, *specs: dict) -> list[int]:
    with session_scope(engine) as s:
        customer = make_customer(s, name="Acme Pumps")
        return [make_work_order(s, customer, people["desk"], **spec).id for spec in specs]


def test_the_board_lists_new_orders_carried_over_first_then_oldest_with_late_ones_marked(engine, people):
    yesterday, three_min, ten_min = utc(2026, 11, 19, 9), NOW - timedelta(minutes=3), NOW - timedelta(minutes=10)
    ids = _orders(engine, people, {"number": "T-3", "intake_at": three_min}, {"number": "T-10", "intake_at": ten_min},
                  {"number": "Y", "intake_at": yesterday},
                  {"number": "D", "intake_at": yesterday, "status": W.DISPATCHED})
    page = board.dispatch_board(engine, people["manager"], load_office(engine), NOW)
    rows = page.rows
    assert [r["number"] for r in rows] == ["Y", "T-10", "T-3"] and page.total == 3
    assert [(r["minutes"], r["late"], r["carried_over"]) for r in rows] == [
        (21 * 60, True, True), (10, True, False), (3, False, False)]
    assert rows[0]["id"] == ids[2] and rows[0]["customer"] == "Acme Pumps"


def test_the_board_is_the_dispatchers(engine, people):
    with pytest.raises(Forbidden):
        board.dispatch_board(engine, people["eve"], load_office(engine), NOW)


def test_each_active_engineer_shows_their_open_orders_by_group(engine, people):
    with session_scope(engine) as s:
        make_user(s, role=Role.ENGINEER, active=False, display_name="Gone")
    eve, ed = people["eve"].id, people["ed"].id
    _orders(engine, people, {"technician_id": eve, "status": W.DISPATCHED},
            {"technician_id": eve, "status": W.IN_REPAIR},
            {"technician_id": eve, "status": W.PENDING, "pending_reason": PendingReason.PARTS},
            {"technician_id": eve, "status": W.COMPLETED}, {"technician_id": ed, "status": W.CLOSED})
    loads = board.technician_loads(engine, people["manager"])
    assert [(r["name"], r["to_receive"], r["working"], r["pending"], r["open"]) for r in loads] == [
        ("Ed Engineer", 0, 0, 0, 0), ("Eve Engineer", 1, 1, 1, 3)]


def test_the_unfinished_summary_groups_by_technician_and_reason_with_the_oldest_age(engine, people):
    eve, ed = people["eve"].id, people["ed"].id
    parts = {"status": W.PENDING, "pending_reason": PendingReason.PARTS}
    _orders(engine, people, {"technician_id": eve, **parts, "intake_at": NOW - timedelta(days=6)},
            {"technician_id": eve, **parts, "intake_at": NOW - timedelta(days=2)},
            {"technician_id": eve, "status": W.IN_REPAIR, "intake_at": NOW - timedelta(days=1)},
            {"technician_id": ed, "status": W.RECEIVED, "intake_at": NOW},
            {"technician_id": eve, "status": W.COMPLETED, "intake_at": NOW - timedelta(days=9)},
            {"status": W.NEW, "intake_at": NOW - timedelta(days=3)})
    summary = board.unfinished_summary(engine, people["manager"], load_office(engine), NOW)
    assert summary["total"] == 5
    assert [(g["technician"], g["reason"], g["count"], g["oldest_days"]) for g in summary["groups"]] == [
        (None, "new", 1, 3), ("Ed Engineer", "received", 1, 0), ("Eve Engineer", "in_repair", 1, 1),
        ("Eve Engineer", "parts", 2, 6)]
    assert [r["age_days"] for r in summary["rows"]] == [6, 3, 2, 1, 0]
    mine = board.unfinished_summary(engine, people["eve"], load_office(engine), NOW)
    assert mine["total"] == 3 and {r["technician"] for r in mine["rows"]} == {"Eve Engineer"}
    with pytest.raises(Forbidden):
        board.unfinished_summary(engine, people["finance"], load_office(engine), NOW)


def test_the_sweep_plans_one_progress_call_per_order_unfinished_days_after_intake(engine, people):
    """WO-11: not for a fresh order, a finished one, nor an internal one (type D: no customer to call)."""
    old, fresh_, done, internal = _orders(engine, people,
                                          {"status": W.IN_REPAIR, "technician_id": people["eve"].id,
                                           "intake_at": NOW - timedelta(days=4), "number": "WO-OLD"},
                                          {"status": W.RECEIVED, "intake_at": NOW - timedelta(days=1)},
                                          {"status": W.COMPLETED, "intake_at": NOW - timedelta(days=10)},
                                          {"status": W.IN_REPAIR, "intake_at": NOW - timedelta(days=5),
                                           "service_type": ServiceType.INTERNAL})
    assert plan_late_progress_calls(engine, NOW) == 1
    assert plan_late_progress_calls(engine, NOW + timedelta(days=1)) == 0
    with session_scope(engine) as s:
        calls = s.execute(select(Callback.work_order_id, Callback.kind, Callback.source_key, Callback.purpose)).all()
    assert len(calls) == 1
    assert calls[0][:3] == (old, CallbackKind.PROGRESS, progress_key(old, "late"))
    assert calls[0][3] == "WO-OLD"  # language-free: the call screen says the state
    with session_scope(engine) as s:
        others = select(func.count()).select_from(Callback).where(
            Callback.work_order_id.in_([fresh_, done, internal]))
        assert s.scalar(others) == 0


def test_the_engineer_sees_their_own_orders_with_the_next_step_the_flow_offers(engine, people):
    eve = people["eve"].id
    ids = _orders(engine, people, {"technician_id": eve, "status": W.DISPATCHED, "intake_at": NOW - timedelta(days=2)},
                  {"technician_id": eve, "status": W.PENDING, "pending_from": W.IN_REPAIR,
                   "pending_reason": PendingReason.PARTS, "intake_at": NOW - timedelta(days=1)},
                  {"technician_id": eve, "status": W.COMPLETED, "intake_at": NOW},
                  {"technician_id": people["ed"].id, "status": W.DISPATCHED})
    page = board.engineer_orders(engine, people["eve"])
    assert [(r["id"], r["next"]) for r in page.rows] == [(ids[0], "receive"), (ids[1], "resume"),
                                                          (ids[2], "sign_technician")]
    assert page.total == 3


def test_the_board_and_the_engineers_list_count_what_they_cut_off(engine, people, monkeypatch):
    """Issue 12 review: a list cut at its limit still counts every order (in SQL), so the page can say
    "showing N of M" instead of dropping the rest silently."""
    monkeypatch.setattr(board, "BOARD_MAX", 2)
    eve = people["eve"].id
    _orders(engine, people, *({"intake_at": NOW - timedelta(minutes=m)} for m in (1, 2, 3)),
            *({"technician_id": eve, "status": W.RECEIVED, "intake_at": NOW - timedelta(hours=h)} for h in (1, 2, 3)))
    waiting = board.dispatch_board(engine, people["manager"], load_office(engine), NOW)
    assert (len(waiting.rows), waiting.total) == (2, 3)
    mine = board.engineer_orders(engine, people["eve"], limit=2)
    assert (len(mine.rows), mine.total) == (2, 3)


def test_the_daily_jobs_plan_the_late_progress_call_when_the_sweep_runs(engine, people, monkeypatch):
    """Whether the sweep already ran today is read from the append-only audit log, shared by every test: here it
    is taken as not yet run, so the test depends on no other."""
    monkeypatch.setattr(daily, "run_if_not_today", lambda *_: SweepResult(0, 0, 0))
    (late,) = _orders(engine, people, {"status": W.RECEIVED, "technician_id": people["eve"].id,
                                       "intake_at": NOW - timedelta(days=5)})
    daily.run_daily(engine, NOW, "Asia/Shanghai")
    with session_scope(engine) as s:
        keys = s.scalars(select(Callback.source_key).where(Callback.work_order_id == late)).all()
    assert keys == [progress_key(late, "late")]
