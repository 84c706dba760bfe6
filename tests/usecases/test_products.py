"""Recording a product's order dates plans its callbacks at save (CB-2: first call the day after the order
takes effect, new-customer call within 7 days of delivery), the daily sweep then makes none twice, a
corrected delivery date moves the open callback, and bad or stale input changes nothing (C-1, C-3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from core.customers.queries import order_dates
from core.customers.rules import OrderDates
from core.customers.services import set_order_dates
from core.errors import Forbidden, Invalid, StaleEdit
from core.permissions import Actor
from core.scheduling.sweep import schedule_due_callbacks
from db.engine import session_scope
from db.enums import CallbackKind, CallbackStatus, Role
from db.models import Callback, Product
from tests.factories import NOW, make_customer, make_product, make_user, utc
from tests.helpers import audit_mark, audit_since

TODAY = date(2026, 11, 20)  # NOW in Shanghai
NONE = OrderDates(None, None)


@pytest.fixture
def setup(engine):
    """A specialist's customer with a product bought today, neither in effect nor delivered yet."""
    with session_scope(engine) as s:
        ann = make_user(s, role=Role.SPECIALIST)
        clerk = make_user(s, role=Role.SPECIALIST)
        customer = make_customer(s, specialist_id=ann.id)
        product = make_product(s, customer, purchase_date=TODAY, effective_date=None, delivery_date=None)
        return {"ann": ann.id, "product": product.id, "customer": customer.id,
                "clerk": Actor(clerk.id, clerk.username, clerk.display_name, Role.SPECIALIST)}


def callbacks(engine) -> dict[str, dict]:
    with session_scope(engine) as s:
        rows = s.execute(select(Callback.id, Callback.source_key, Callback.kind, Callback.assignee_id,
                                Callback.due_start, Callback.due_end, Callback.status)).mappings()
        return {r["source_key"]: dict(r) for r in rows}


def test_saving_the_dates_plans_the_first_and_new_customer_calls_at_once_for_the_own_specialist_cb_2(engine, setup):
    mark = audit_mark(engine)
    created = set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(TODAY, TODAY), NOW)
    made = callbacks(engine)
    p = setup["product"]
    first, new = made[f"first:product:{p}"], made[f"new_customer:product:{p}"]
    assert sorted(created) == sorted([first["id"], new["id"]])
    assert (first["kind"], first["due_start"], first["due_end"]) == (
        CallbackKind.FIRST, utc(2026, 11, 20, 16), utc(2026, 11, 21, 15, 59, 59))  # all of 21 Nov, office time
    assert (new["kind"], new["due_start"], new["due_end"]) == (
        CallbackKind.NEW_CUSTOMER, utc(2026, 11, 20, 16), utc(2026, 11, 27, 15, 59, 59))  # 21-27 Nov
    assert first["assignee_id"] == new["assignee_id"] == setup["ann"]
    rows = audit_since(engine, mark)
    assert [(r["entity"], r["action"], r["username"]) for r in rows] == [
        ("product", "update", setup["clerk"].username), ("callback", "create", setup["clerk"].username),
        ("callback", "create", setup["clerk"].username)]
    assert rows[0]["changes"]["delivery_date"] == [None, TODAY.isoformat()]


def test_the_daily_sweep_after_a_save_creates_none_of_them_again_cb_2(engine, setup):
    set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(TODAY, TODAY), NOW)
    before = callbacks(engine)
    result = schedule_due_callbacks(engine, NOW + timedelta(hours=1))
    assert (result.created, result.moved) == (0, 0)
    assert callbacks(engine) == before


def test_a_corrected_delivery_date_moves_the_open_callback_and_audits_the_move_cb_2(engine, setup):
    set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(TODAY, TODAY), NOW)
    mark = audit_mark(engine)
    later = TODAY + timedelta(days=2)
    assert set_order_dates(engine, setup["clerk"], setup["product"], OrderDates(TODAY, TODAY),
                           OrderDates(TODAY, later), NOW) == []
    new = callbacks(engine)[f"new_customer:product:{setup['product']}"]
    assert (new["due_start"], new["due_end"]) == (utc(2026, 11, 22, 16), utc(2026, 11, 29, 15, 59, 59))
    assert len(callbacks(engine)) == 2
    assert [(r["entity"], r["action"]) for r in audit_since(engine, mark)] == [
        ("product", "update"), ("callback", "update")]


def test_a_callback_already_being_worked_is_not_moved_by_a_correction_cb_2(engine, setup):
    set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(TODAY, TODAY), NOW)
    key = f"new_customer:product:{setup['product']}"
    with session_scope(engine) as s:
        s.execute(update(Callback).where(Callback.source_key == key).values(status=CallbackStatus.IN_PROGRESS))
    before = callbacks(engine)[key]
    set_order_dates(engine, setup["clerk"], setup["product"], OrderDates(TODAY, TODAY),
                    OrderDates(TODAY, TODAY + timedelta(days=2)), NOW)
    assert callbacks(engine)[key] == before


def test_dates_long_past_are_saved_without_making_a_callback_long_overdue_cb_2(engine, setup):
    old = TODAY - timedelta(days=60)
    with session_scope(engine) as s:  # bought earlier than the fixture's today
        s.execute(update(Product).where(Product.id == setup["product"]).values(purchase_date=old))
    assert set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(old, old), NOW) == []
    assert callbacks(engine) == {}
    assert order_dates(engine, setup["product"]) == OrderDates(old, old)


BAD = {
    "erasing a recorded date (C-3)": (OrderDates(TODAY, TODAY), OrderDates(TODAY, None), "product.date_kept"),
    "delivery before taking effect": (NONE, OrderDates(TODAY, TODAY - timedelta(days=1)),
                                      "product.delivery_before_effective"),
    "in effect before purchase": (NONE, OrderDates(TODAY - timedelta(days=1), None),
                                  "product.effective_before_purchase"),
    "years ahead": (NONE, OrderDates(TODAY, date(2029, 1, 1)), "product.too_far_ahead"),
}


@pytest.mark.parametrize("loaded, wanted, error", list(BAD.values()), ids=list(BAD))
def test_bad_dates_are_refused_and_nothing_changes_c_1(engine, setup, loaded, wanted, error):
    if loaded != NONE:
        set_order_dates(engine, setup["clerk"], setup["product"], NONE, loaded, NOW)
    before, mark = callbacks(engine), audit_mark(engine)
    with pytest.raises(Invalid) as err:
        set_order_dates(engine, setup["clerk"], setup["product"], loaded, wanted, NOW)
    assert err.value.key == error
    assert (order_dates(engine, setup["product"]), callbacks(engine), audit_since(engine, mark)) == (loaded, before, [])


def test_a_save_over_dates_somebody_changed_since_is_refused_naming_them(engine, setup):
    set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(TODAY, None), NOW)
    with pytest.raises(StaleEdit) as err:  # a second user still holds the form loaded before that save
        set_order_dates(engine, setup["clerk"], setup["product"], NONE, OrderDates(TODAY, TODAY), NOW)
    assert err.value.params["who"] == setup["clerk"].username
    assert order_dates(engine, setup["product"]) == OrderDates(TODAY, None)


def test_an_engineer_may_not_record_order_dates(engine, setup):
    with session_scope(engine) as s:
        eng = make_user(s, role=Role.ENGINEER)
        actor = Actor(eng.id, eng.username, eng.display_name, Role.ENGINEER)
    with pytest.raises(Forbidden):
        set_order_dates(engine, actor, setup["product"], NONE, OrderDates(TODAY, TODAY), NOW)
    assert order_dates(engine, setup["product"]) == NONE
