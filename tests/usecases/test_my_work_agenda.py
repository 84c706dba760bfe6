"""What each role's My work lists first (issue 10): the specialist's next call and their callbacks due, overdue
first with the office days late; the engineer's open orders, longest waiting first; finance's unsettled fees
and unsigned weeks. NOW is Friday 2026-11-20 14:00 in Shanghai."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Forbidden
from core.my_work.agenda import (
    callbacks_due,
    days_late,
    fees_to_settle,
    my_open_orders,
    next_callback,
)
from core.work_orders.queries import WorkOrderFilter, list_work_orders
from db.engine import session_scope
from db.enums import CallbackLevel, CallbackStatus, CustomerGrade, Role, WorkOrderStatus
from tests.factories import NOW, actor_of, make_callback, make_customer, make_user, make_work_order, utc

TZ = "Asia/Shanghai"
DAY, H = timedelta(days=1), timedelta(hours=1)


@pytest.mark.parametrize(("due_end", "late"), [
    pytest.param(utc(2026, 11, 20, 1, 0), 0, id="earlier-today"),
    pytest.param(utc(2026, 11, 19, 15, 59), 1, id="23:59-yesterday"),
    pytest.param(utc(2026, 11, 17, 16, 0), 2, id="utc-tuesday-is-wednesday-in-the-office"),
])
def test_days_late_counts_office_days(due_end, late):
    assert days_late(due_end, NOW, TZ) == late


def specialist_day(engine) -> dict:
    """Ann's open callbacks: one due later today, one 3 days late, one late since this morning, one VIP due at
    the same time as the normal one, one she holds already, one for tomorrow; and Bob's, more overdue."""
    with session_scope(engine) as s:
        ann, bob = make_user(s), make_user(s)
        c, vip = make_customer(s), make_customer(s, grade=CustomerGrade.VIP)
        ids = {
            "later_today": make_callback(s, c, assignee_id=ann.id, due_end=NOW + 3 * H).id,
            "three_days": make_callback(s, c, assignee_id=ann.id, due_end=NOW - 3 * DAY).id,
            "vip_this_morning": make_callback(s, vip, assignee_id=ann.id, due_end=NOW - 5 * H).id,
            "this_morning": make_callback(s, c, assignee_id=ann.id, due_end=NOW - 5 * H).id,
            "held": make_callback(s, c, assignee_id=ann.id, due_end=NOW - 9 * DAY, status=CallbackStatus.IN_PROGRESS,
                                  claimed_by_id=ann.id, claimed_at=NOW - H).id,
            "tomorrow": make_callback(s, c, assignee_id=ann.id, due_end=NOW + 2 * DAY).id,
            "bobs": make_callback(s, c, assignee_id=bob.id, due_end=NOW - 30 * DAY).id,
            "l2": make_callback(s, c, assignee_id=ann.id, level=CallbackLevel.L2, due_end=NOW - 40 * DAY).id,
        }
        return {"ann": actor_of(ann), "ids": ids}


def test_the_next_call_is_the_specialists_own_most_overdue_open_callback_they_may_take(engine):
    day = specialist_day(engine)
    assert next_callback(engine, day["ann"], TZ, NOW) == day["ids"]["three_days"]  # not held, Bob's nor L2


def test_nothing_to_call_is_none(engine):
    with session_scope(engine) as s:
        nobody = actor_of(make_user(s))
    assert next_callback(engine, nobody, TZ, NOW) is None


def test_callbacks_due_lists_overdue_first_with_days_late_then_todays(engine):
    day = specialist_day(engine)
    page = callbacks_due(engine, day["ann"], day["ann"].id, TZ, NOW)
    ids = day["ids"]
    assert [r["id"] for r in page.rows] == [ids["held"], ids["three_days"], ids["vip_this_morning"],
                                            ids["this_morning"], ids["later_today"]]
    assert [r["days_late"] for r in page.rows] == [9, 3, 0, 0, None]
    assert page.total == 5


def test_an_engineers_orders_in_hand_are_theirs_not_returned_longest_waiting_first(engine):
    with session_scope(engine) as s:
        desk, tech, other = make_user(s), make_user(s, role=Role.ENGINEER), make_user(s, role=Role.ENGINEER)
        c = make_customer(s)
        newer = make_work_order(s, c, desk, technician_id=tech.id, status=WorkOrderStatus.IN_REPAIR).id
        older = make_work_order(s, c, desk, technician_id=tech.id, status=WorkOrderStatus.PENDING,
                                intake_at=NOW - 5 * DAY).id
        completed = make_work_order(s, c, desk, technician_id=tech.id, status=WorkOrderStatus.COMPLETED,
                                    intake_at=NOW - 9 * DAY).id  # still to sign or return: in hand
        make_work_order(s, c, desk, technician_id=tech.id, status=WorkOrderStatus.RETURNED, intake_at=NOW - 9 * DAY)
        make_work_order(s, c, desk, technician_id=other.id, status=WorkOrderStatus.IN_REPAIR, intake_at=NOW - 9 * DAY)
        me = actor_of(tech)
    page = my_open_orders(engine, me)
    assert [r["id"] for r in page.rows] == [completed, older, newer] and page.total == 3


def test_finance_sees_unsettled_fees_oldest_first_with_their_sum(engine):
    with session_scope(engine) as s:
        desk, cashier = make_user(s), make_user(s, role=Role.FINANCE)
        c = make_customer(s)
        late = make_work_order(s, c, desk, fee_cents=5000, completed_at=NOW - 3 * DAY).id
        early = make_work_order(s, c, desk, fee_cents=1200, completed_at=NOW - 9 * DAY).id
        make_work_order(s, c, desk, fee_cents=900, completed_at=NOW - 9 * DAY, settled_at=NOW - DAY)  # settled
        make_work_order(s, c, desk, fee_cents=700)  # not completed yet
        make_work_order(s, c, desk, fee_cents=0, completed_at=NOW - DAY)  # free
        me = actor_of(cashier)
    page, total = fees_to_settle(engine, me)
    assert [r["id"] for r in page.rows] == [early, late] and total == 6200


def test_the_work_order_list_filtered_to_fees_to_settle_holds_exactly_finances_fees(engine):
    """Issue 10: finance's fee tiles open the work-order list with fee_open, the same condition as their count."""
    with session_scope(engine) as s:
        desk, cashier = make_user(s), make_user(s, role=Role.FINANCE)
        c = make_customer(s)
        due = {make_work_order(s, c, desk, fee_cents=5000, completed_at=NOW - 3 * DAY).id,
               make_work_order(s, c, desk, fee_cents=1200, completed_at=NOW - 9 * DAY).id}
        make_work_order(s, c, desk, fee_cents=900, completed_at=NOW - 9 * DAY, settled_at=NOW - DAY)  # settled
        make_work_order(s, c, desk, fee_cents=700)  # not completed yet
        make_work_order(s, c, desk, fee_cents=0, completed_at=NOW - DAY)  # free
        me = actor_of(cashier)
    listed = list_work_orders(engine, me, WorkOrderFilter(fee_open=True), TZ)
    fees, _ = fees_to_settle(engine, me)
    assert {r["id"] for r in listed.rows} == {r["id"] for r in fees.rows} == due
    assert listed.total == fees.total == 2
    assert list_work_orders(engine, me, WorkOrderFilter(), TZ).total == 5


def test_fees_are_finances_only(engine):
    with session_scope(engine) as s:
        tech = actor_of(make_user(s, role=Role.ENGINEER))
    with pytest.raises(Forbidden):
        fees_to_settle(engine, tech)
