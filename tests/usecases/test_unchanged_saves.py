"""Issue 9: a save that changes nothing neither bumps the version nor writes an (empty) audit row; every
update use case says Unchanged instead, which the page shows as a neutral "nothing changed". The check
lives once in core.versioning.save_versioned (customers, users, tasks) and in the use cases that save
without a version (settings, a product's order dates)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.accounts.services import update_user
from core.customers.rules import OrderDates
from core.customers.services import set_order_dates, update_customer
from core.errors import Unchanged
from core.office.defaults import DEFAULTS
from core.office.services import update_settings
from core.office.settings import load_office
from core.versioning import save_versioned
from db.engine import session_scope
from db.enums import CustomerGrade, Role
from db.models import Customer, User
from tests.factories import NOW, fresh_id, make_account, make_customer, make_fresh_customer, make_product
from tests.helpers import audit_mark, audit_since, customer_row, restoring_settings

TODAY = date(2026, 11, 20)


def version_of(engine, model, record_id: int) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(model.version).where(model.id == record_id))


def test_a_customer_saved_with_the_values_it_already_has_keeps_its_version_and_writes_no_audit_row(engine):
    with session_scope(engine) as s:
        alice = make_account(s, Role.SPECIALIST)
    customer_id, version = make_fresh_customer(engine, phone="13800000077", notes="as is")
    stored = customer_row(engine, customer_id)
    mark = audit_mark(engine)
    with pytest.raises(Unchanged) as err:
        update_customer(engine, alice, customer_id, version, {"grade": stored["grade"].value, "notes": "as is"},
                        NOW, TODAY)
    assert err.value.key == "error.unchanged"
    assert customer_row(engine, customer_id) == stored and audit_mark(engine) == mark


def test_save_versioned_with_only_a_new_updated_at_is_no_change(engine):
    """`updated_at` is bookkeeping, not a change the user made (the audit diff leaves it out too)."""
    with session_scope(engine) as s:
        alice = make_account(s, Role.SPECIALIST)
    customer_id, version = make_fresh_customer(engine, grade=CustomerGrade.VIP)
    mark = audit_mark(engine)
    with pytest.raises(Unchanged), session_scope(engine) as s:
        save_versioned(s, alice, Customer, "customer", customer_id, version,
                       {"grade": CustomerGrade.VIP, "updated_at": NOW}, NOW)
    assert version_of(engine, Customer, customer_id) == version and audit_since(engine, mark) == []


def test_a_user_saved_with_the_same_role_and_state_keeps_its_version_and_writes_no_audit_row(engine):
    with session_scope(engine) as s:
        admin = make_account(s, Role.ADMIN)
        bob = make_account(s, Role.SPECIALIST)
    mark = audit_mark(engine)
    with pytest.raises(Unchanged):
        update_user(engine, admin, bob.id, 1, NOW, role=Role.SPECIALIST, active=True)
    assert version_of(engine, User, bob.id) == 1 and audit_since(engine, mark) == []


def test_a_user_change_still_bumps_the_version_and_is_audited(engine):
    with session_scope(engine) as s:
        admin = make_account(s, Role.ADMIN)
        bob = make_account(s, Role.SPECIALIST)
    mark = audit_mark(engine)
    update_user(engine, admin, bob.id, 1, NOW, role=Role.MANAGER, active=True)
    [row] = audit_since(engine, mark)
    assert row["changes"] == {"role": ["specialist", "manager"]} and version_of(engine, User, bob.id) == 2


def test_settings_saved_as_loaded_write_nothing_and_say_unchanged(engine):
    with session_scope(engine) as s:
        admin = make_account(s, Role.ADMIN)
    loaded = dict(load_office(engine).values)
    mark = audit_mark(engine)
    with restoring_settings(engine, *DEFAULTS), pytest.raises(Unchanged):
        update_settings(engine, admin, loaded, {"callback.max_attempts": loaded["callback.max_attempts"],
                                                "recheck.period": loaded["recheck.period"]}, NOW)
    assert audit_since(engine, mark) == [] and dict(load_office(engine).values) == loaded


def test_order_dates_saved_as_loaded_write_nothing_and_say_unchanged(engine):
    with session_scope(engine) as s:
        clerk = make_account(s, Role.SPECIALIST)
        product = make_product(s, make_customer(s, id=fresh_id()), effective_date=date(2026, 11, 2),
                               delivery_date=date(2026, 11, 10))
    dates = OrderDates(date(2026, 11, 2), date(2026, 11, 10))
    mark = audit_mark(engine)
    with pytest.raises(Unchanged):
        set_order_dates(engine, clerk, product.id, dates, dates, NOW)
    assert audit_since(engine, mark) == []
