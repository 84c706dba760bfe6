"""Who gets a new callback (CB-1): the customer's own active specialist, else the least-loaded or the next
specialist in turn (setting `callback.assignment`); and a manager's reassignment, audited per callback."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.errors import Forbidden, Invalid, Unchanged
from core.scheduling.assignment import Assigner, reassign
from core.scheduling.sweep import schedule_due_callbacks
from db.engine import session_scope
from db.enums import CallbackLevel, CallbackStatus, Role
from db.models import Callback
from tests.factories import NOW, actor_of, make_callback, make_customer, make_product, make_user
from tests.helpers import audit_mark, audit_since, restoring_settings, set_setting

DELIVERIES = (date(2026, 11, 15), date(2026, 11, 16), date(2026, 11, 17))  # due in this order


def team(engine) -> dict:
    """Specialists a < b < c with open L1 loads 2, 1, 0 (finished and L2 callbacks do not count), an
    inactive specialist, a manager, and three customers with no active specialist of their own."""
    with session_scope(engine) as s:
        a, b, c = (make_user(s, role=Role.SPECIALIST) for _ in range(3))
        gone = make_user(s, role=Role.SPECIALIST, active=False)
        boss = make_user(s, role=Role.MANAGER)
        old = make_customer(s)
        for user, status, level in ((a, "open", "L1"), (a, "in_progress", "L1"), (b, "open", "L1"),
                                    (b, "completed", "L1"), (c, "open", "L2"), (b, "cancelled", "L1")):
            make_callback(s, old, assignee_id=user.id, status=CallbackStatus(status), level=CallbackLevel(level))
        owners = (None, gone.id, boss.id)
        products = [make_product(s, make_customer(s, specialist_id=o), delivery_date=d, effective_date=None).id
                    for o, d in zip(owners, DELIVERIES, strict=True)]
        return {"a": a.id, "b": b.id, "c": c.id, "gone": gone.id, "boss": actor_of(boss), "products": products,
                "specialist": actor_of(a), "old": old.id}


def assignees(engine, products: list[int]) -> list[int | None]:
    with session_scope(engine) as s:
        rows = dict(s.execute(select(Callback.product_id, Callback.assignee_id)
                              .where(Callback.product_id.in_(products))).all())
    return [rows[p] for p in products]


def test_least_load_gives_each_new_callback_to_the_specialist_with_fewest_open_l1_calls_cb_1(engine):
    t = team(engine)
    schedule_due_callbacks(engine, NOW)
    assert assignees(engine, t["products"]) == [t["c"], t["b"], t["c"]]


def test_round_robin_gives_new_callbacks_to_the_next_specialist_after_the_last_assigned_cb_1(engine):
    t = team(engine)
    with restoring_settings(engine, "callback.assignment"):
        set_setting(engine, "callback.assignment", "round_robin")
        schedule_due_callbacks(engine, NOW)
    # the last L1 callback stored went to b: then c, a, b in turn
    assert assignees(engine, t["products"]) == [t["c"], t["a"], t["b"]]


def test_a_customers_own_active_specialist_gets_the_callback_whatever_the_load_cb_1(engine):
    t = team(engine)
    with session_scope(engine) as s:
        pid = make_product(s, make_customer(s, specialist_id=t["a"]), delivery_date=date(2026, 11, 18)).id
    schedule_due_callbacks(engine, NOW)
    assert assignees(engine, [pid]) == [t["a"]]


def test_without_active_specialists_new_callbacks_stay_unassigned_for_the_manager():
    assert Assigner([], "least_load", {}, None).pick(7) is None
    assert Assigner([3, 5], "round_robin", {}, 5).pick(None) == 3  # wraps around


def test_a_manager_reassigns_open_callbacks_and_each_change_is_audited(engine):
    t = team(engine)
    with session_scope(engine) as s:
        ids = list(s.scalars(select(Callback.id).where(Callback.customer_id == t["old"]).order_by(Callback.id)))
    mark = audit_mark(engine)
    moved = reassign(engine, t["boss"], ids, t["c"], NOW)
    assert moved == ids[:3]  # a's open and in-progress, b's open; finished and c's own left alone
    rows = audit_since(engine, mark)
    assert [(r["entity"], int(r["entity_id"]), r["user_id"]) for r in rows] == [
        ("callback", i, t["boss"].id) for i in ids[:3]]
    assert rows[0]["changes"] == {"assignee_id": [t["a"], t["c"]]}
    with session_scope(engine) as s:
        assert list(s.scalars(select(Callback.assignee_id).where(Callback.id.in_(ids)).order_by(Callback.id))) == [
            t["c"], t["c"], t["c"], t["b"], t["c"], t["b"]]


def test_reassigning_to_an_inactive_or_non_calling_user_is_refused(engine):
    t = team(engine)
    with session_scope(engine) as s:
        tech = make_user(s, role=Role.ENGINEER).id
    for target in (t["gone"], tech, 999_999):
        with pytest.raises(Invalid):
            reassign(engine, t["boss"], [1], target, NOW)


def test_a_specialist_may_not_reassign_callbacks(engine):
    t = team(engine)
    mark = audit_mark(engine)
    with pytest.raises(Forbidden):
        reassign(engine, t["specialist"], [1], t["b"], NOW)
    assert audit_since(engine, mark) == []


def test_reassigning_nothing_chosen_says_so_and_writes_nothing(engine):
    """Issue 10: submitting with nothing selected said a green "0 reassigned"."""
    t = team(engine)
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        reassign(engine, t["boss"], [], t["c"], NOW)
    assert err.value.key == "cb.reassign.none_chosen"
    assert audit_since(engine, mark) == []


def test_reassigning_callbacks_that_none_would_move_is_unchanged(engine):
    t = team(engine)
    with session_scope(engine) as s:
        ids = list(s.scalars(select(Callback.id).where(Callback.customer_id == t["old"]).order_by(Callback.id)))
    mark = audit_mark(engine)
    with pytest.raises(Unchanged):
        reassign(engine, t["boss"], ids[3:4], t["b"], NOW)  # already b's
    assert audit_since(engine, mark) == []
