"""The people filters (core.accounts.queries): two staff with the same name are told apart by their user names."""

from __future__ import annotations

from core.accounts.queries import staff_names
from db.engine import session_scope
from db.models import User
from tests.factories import make_user


def test_a_shared_display_name_gets_the_user_name_and_a_unique_one_stays_as_it_is(engine):
    with session_scope(engine) as s:
        a = make_user(s, username="zhangwei", display_name="张伟")
        b = make_user(s, username="zhangwei2", display_name="张伟")
        c = make_user(s, username="lina", display_name="李娜")
        ids = (a.id, b.id, c.id)
    names = staff_names(engine, User.id.in_(ids))
    assert names == {a.id: "张伟 · zhangwei", b.id: "张伟 · zhangwei2", c.id: "李娜"} and len(set(names.values())) == 3
