"""The input policy's safety net (core.inputs.refuse_unstorable, issue 9): whatever a use case forgets to
check, no row is flushed with a NUL, a lone surrogate or a value longer than its String column, on SQLite
(which stored them) as on PostgreSQL (which raised on NUL); nothing is written and the message is the generic
one. Complaints, work orders and imports inherit it without a line of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import Invalid
from db.engine import session_scope
from db.models import Customer, User
from tests.factories import NOW, make_customer, make_user


@pytest.mark.parametrize("changes", [{"display_name": "a\x00b"}, {"display_name": "n" * 101},
                                     {"username": "ab\ud800cd"}, {"phone": "1" * 33}], ids=repr)
def test_a_new_row_with_an_unstorable_value_is_refused_and_nothing_is_written(engine, changes):
    with pytest.raises(Invalid) as err, session_scope(engine) as s:
        make_user(s, **changes)
    assert (err.value.key, err.value.params["field"]) == ("input.unstorable", next(iter(changes)))
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0


def test_a_changed_row_with_an_unstorable_value_is_refused_and_the_stored_row_is_unchanged(engine):
    with session_scope(engine) as s:
        customer_id = make_customer(s, name="Ann Li").id
    with pytest.raises(Invalid), session_scope(engine) as s:
        s.get(Customer, customer_id).city = "Beijing\x00"
    with session_scope(engine) as s:
        assert (s.get(Customer, customer_id).name, s.get(Customer, customer_id).city) == ("Ann Li", None)


def test_a_value_exactly_as_long_as_its_column_and_free_text_of_any_script_are_stored(engine):
    with session_scope(engine) as s:
        user_id = make_user(s, display_name="名" * 100, email="😀@例子.中国").id
    with session_scope(engine) as s:
        assert (s.get(User, user_id).display_name, s.get(User, user_id).email) == ("名" * 100, "😀@例子.中国")


def test_a_text_column_past_the_nets_bound_is_refused(engine):
    """Review of issue 9: a Text column had no bound in the net, so a megabyte a use case forgot was stored."""
    from core.inputs import NET_TEXT_MAX

    with session_scope(engine) as s:
        customer_id = make_customer(s, name="Ann Li").id
    with pytest.raises(Invalid) as err, session_scope(engine) as s:
        s.get(Customer, customer_id).notes = "x" * (NET_TEXT_MAX + 1)
    assert (err.value.key, err.value.params["field"]) == ("input.unstorable", "notes")
    with session_scope(engine) as s:
        assert s.get(Customer, customer_id).notes is None


def test_a_versioned_save_with_an_unstorable_value_is_refused_though_no_flush_sees_it(engine, admin):
    """Review of issue 9: save_versioned writes with an UPDATE statement, which the flush net never saw."""
    from core.versioning import save_versioned

    with session_scope(engine) as s:
        customer_id = make_customer(s, name="Ann Li").id
    with pytest.raises(Invalid) as err, session_scope(engine) as s:
        save_versioned(s, admin, Customer, "customer", customer_id, 1, {"city": "Wuxi\x00"}, NOW)
    assert (err.value.key, err.value.params["field"]) == ("input.unstorable", "city")
    with session_scope(engine) as s:
        assert (s.get(Customer, customer_id).city, s.get(Customer, customer_id).version) == (None, 1)
