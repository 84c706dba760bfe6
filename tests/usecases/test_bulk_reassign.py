"""Bulk reassign on the filtered list (issue 10): a manager moves every open callback the list's filter
matches (all its pages, not the page shown) in one call, after seeing how many will move; each change is
audited; nothing matching or no target chosen refuses and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.callbacks.queries import CallbackFilter, assignable, list_callbacks, reassign_count
from core.callbacks.services import reassign_matching
from core.errors import Forbidden, Invalid, Unchanged
from db.engine import session_scope
from db.enums import CallbackLevel, CallbackStatus, Role
from db.models import Callback
from tests.factories import NOW, actor_of, make_callback, make_customer, make_user
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"
DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
LAST_WEEK = date(2026, 11, 13)  # office days before NOW's week: the departing specialist's overdue ones


def office(engine) -> dict:
    """A departing specialist with 142 overdue open callbacks (some in progress), plus what must stay: their
    finished and not-yet-due callbacks, and another specialist's overdue ones."""
    with session_scope(engine) as s:
        gone, other, heir = (make_user(s, role=Role.SPECIALIST) for _ in range(3))
        boss = make_user(s, role=Role.MANAGER)
        c = make_customer(s)
        for i in range(142):
            status = CallbackStatus.IN_PROGRESS if i % 10 == 0 else CallbackStatus.OPEN
            make_callback(s, c, assignee_id=gone.id, status=status, due_end=NOW - 7 * DAY - i * MINUTE)
        make_callback(s, c, assignee_id=gone.id, status=CallbackStatus.COMPLETED, due_end=NOW - 7 * DAY,
                      completed_at=NOW - 8 * DAY)
        make_callback(s, c, assignee_id=gone.id, due_end=NOW + 3 * DAY)  # not overdue: outside the filter
        make_callback(s, c, assignee_id=other.id, due_end=NOW - 7 * DAY)  # overdue, but not theirs
        return {"gone": gone.id, "other": other.id, "heir": heir.id, "boss": actor_of(boss),
                "specialist": actor_of(other)}


def departing(t: dict) -> CallbackFilter:
    """The list a manager filters: the departing specialist's callbacks due before this week."""
    return CallbackFilter(assignee_id=t["gone"], due_to=LAST_WEEK)


def held(engine, user_id: int) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Callback).where(Callback.assignee_id == user_id))


def test_the_count_shown_is_the_open_part_of_the_filtered_list_counted_in_sql(engine):
    t = office(engine)
    assert reassign_count(engine, t["boss"], departing(t), TZ, NOW) == 142
    assert list_callbacks(engine, t["boss"], departing(t), TZ, NOW).total == 143  # the list also shows the finished one
    assert reassign_count(engine, t["boss"], departing(t), TZ, NOW, t["gone"]) == 0  # nothing would move to themselves


def test_a_manager_moves_all_142_matching_callbacks_in_one_call_and_nothing_else(engine):
    t = office(engine)
    mark = audit_mark(engine)
    assert reassign_matching(engine, t["boss"], departing(t), TZ, t["heir"], NOW) == 142
    assert held(engine, t["heir"]) == 142
    assert held(engine, t["gone"]) == 2  # the finished one and the one due later stay
    assert held(engine, t["other"]) == 1
    rows = audit_since(engine, mark)
    assert len(rows) == 142 and {r["changes"]["assignee_id"][1] for r in rows} == {t["heir"]}
    assert {(r["entity"], r["action"], r["user_id"]) for r in rows} == {("callback", "update", t["boss"].id)}


@pytest.mark.parametrize(("target", "flt", "error", "key"), [
    pytest.param(None, None, Invalid, "cb.reassign.no_target", id="no-target-chosen"),
    pytest.param("heir", CallbackFilter(search="nobody by this name"), Unchanged, "error.unchanged",
                 id="nothing-matching"),
    pytest.param("gone", None, Unchanged, "error.unchanged", id="all-already-with-the-target"),
    pytest.param("other", CallbackFilter(statuses=(CallbackStatus.COMPLETED,)), Unchanged, "error.unchanged",
                 id="only-finished-ones-match"),
])
def test_a_bulk_reassign_that_would_move_nothing_is_refused_and_writes_nothing(engine, target, flt, error, key):
    t = office(engine)
    mark = audit_mark(engine)
    with pytest.raises(error) as err:
        reassign_matching(engine, t["boss"], flt or departing(t), TZ, t.get(target), NOW)
    assert err.value.key == key
    assert audit_since(engine, mark) == []
    assert held(engine, t["gone"]) == 144


def test_a_specialist_may_neither_count_nor_move_the_list(engine):
    t = office(engine)
    mark = audit_mark(engine)
    with pytest.raises(Forbidden):
        reassign_count(engine, t["specialist"], departing(t), TZ, NOW)
    with pytest.raises(Forbidden):
        reassign_matching(engine, t["specialist"], departing(t), TZ, t["heir"], NOW)
    assert audit_since(engine, mark) == [] and held(engine, t["gone"]) == 144


def recheck_office(engine) -> dict:
    """A manager who dispatches all levels: one L1, one L2 and one L3 callback held by the departing manager."""
    with session_scope(engine) as s:
        gone, boss = make_user(s, role=Role.MANAGER), make_user(s, role=Role.MANAGER)
        spec, director = make_user(s, role=Role.SPECIALIST), make_user(s, role=Role.DIRECTOR)
        c = make_customer(s)
        ids = {lv: make_callback(s, c, assignee_id=gone.id, level=lv).id for lv in CallbackLevel}
        return {"gone": gone.id, "boss": actor_of(boss), "spec": spec.id, "director": director.id, "ids": ids}


def level_of_holder(engine, callback_id: int) -> int:
    with session_scope(engine) as s:
        return s.get(Callback, callback_id).assignee_id


def test_a_specialist_receives_only_the_l1_callbacks_of_the_list_never_a_recheck(engine):
    """Review finding 1 (CB-1): L2/L3 re-checks are not a specialist's to make; count and move agree."""
    t = recheck_office(engine)
    flt = CallbackFilter(assignee_id=t["gone"])
    assert reassign_count(engine, t["boss"], flt, TZ, NOW, t["spec"]) == 1
    assert reassign_matching(engine, t["boss"], flt, TZ, t["spec"], NOW) == 1
    assert level_of_holder(engine, t["ids"][CallbackLevel.L1]) == t["spec"]
    assert level_of_holder(engine, t["ids"][CallbackLevel.L2]) == t["gone"]
    assert level_of_holder(engine, t["ids"][CallbackLevel.L3]) == t["gone"]


def test_the_director_is_refused_as_a_target_with_its_own_message(engine):
    """Review finding 6: only specialists and managers receive callbacks; the refusal says so."""
    t = recheck_office(engine)
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        reassign_matching(engine, t["boss"], CallbackFilter(assignee_id=t["gone"]), TZ, t["director"], NOW)
    assert err.value.key == "cb.reassign.bad_target"
    assert audit_since(engine, mark) == []


def test_the_director_is_not_offered_as_a_target(engine):
    t = recheck_office(engine)
    people = assignable(engine)
    assert t["director"] not in people and {t["spec"], t["gone"], t["boss"].id} <= set(people)


def test_a_move_of_another_number_than_confirmed_is_refused_and_moves_nothing(engine):
    """Review finding 9: the manager confirmed 142; one more became due meanwhile, so 143 would move."""
    t = office(engine)
    with session_scope(engine) as s:
        make_callback(s, make_customer(s), assignee_id=t["gone"], due_end=NOW - 8 * DAY)
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        reassign_matching(engine, t["boss"], departing(t), TZ, t["heir"], NOW, expected=142)
    assert err.value.key == "cb.reassign.count_changed" and err.value.params["count"] == 143
    assert audit_since(engine, mark) == [] and held(engine, t["heir"]) == 0
    assert reassign_matching(engine, t["boss"], departing(t), TZ, t["heir"], NOW, expected=143) == 143
