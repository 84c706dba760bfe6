"""Issue 9 (CB-2): shortening the after-repair window made the next sweep silently move 151 open
callbacks, 24 of them overdue at once. A changed window applies to callbacks planned after the change; the
admin may apply it to open ones too, after a preview of how many would move and fall overdue, with each
move audited. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from core.errors import Forbidden, Invalid
from core.office.services import update_settings
from core.scheduling import windows
from core.scheduling.rules import after_repair_key, day_end
from core.scheduling.sweep import schedule_due_callbacks
from db.engine import session_scope
from db.enums import CallbackStatus, Role
from db.models import Callback
from tests.factories import NOW, make_account, make_customer, make_user, make_work_order, utc
from tests.helpers import audit_mark, audit_since, restoring_settings

TZ = "Asia/Shanghai"
AFTER_REPAIR = "callback.after_repair_window_days"
COMPLETED = {"tomorrow_due": utc(2026, 11, 19, 3), "falls_overdue": utc(2026, 11, 18, 3),
             "already_overdue": utc(2026, 11, 16, 3), "claimed": utc(2026, 11, 18, 4)}  # 11:00/12:00 in Shanghai


@pytest.fixture
def repaired(engine):
    """Four repairs completed this week, their after-repair callbacks planned with the 3-day window; the
    one of "claimed" is being worked."""
    with session_scope(engine) as s:
        manager, customer = make_user(s, role=Role.MANAGER), make_customer(s)
        ids = {name: make_work_order(s, customer, manager, completed_at=at).id for name, at in COMPLETED.items()}
    assert schedule_due_callbacks(engine, NOW).created == 4
    with session_scope(engine) as s:
        s.execute(update(Callback).where(Callback.work_order_id == ids["claimed"])
                  .values(status=CallbackStatus.IN_PROGRESS))
    with restoring_settings(engine, AFTER_REPAIR):
        yield ids


@pytest.fixture
def admin_(engine):
    with session_scope(engine) as s:
        return make_account(s, Role.ADMIN)


def windows_of(engine) -> dict[int, tuple]:
    with session_scope(engine) as s:
        return {r.work_order_id: (r.due_start, r.due_end, r.window_days, r.version) for r in s.execute(
            select(Callback.work_order_id, Callback.due_start, Callback.due_end, Callback.window_days,
                   Callback.version))}


def shorten(engine, admin) -> None:
    update_settings(engine, admin, {AFTER_REPAIR: 3}, {AFTER_REPAIR: 1}, NOW)


def test_a_shortened_window_moves_no_open_callback_at_the_next_sweep_issue_9(engine, repaired, admin_):
    before = windows_of(engine)
    assert {v[2] for v in before.values()} == {3}
    shorten(engine, admin_)
    mark = audit_mark(engine)
    result = schedule_due_callbacks(engine, NOW + timedelta(hours=1))
    assert (result.created, result.moved) == (0, 0)
    assert windows_of(engine) == before
    assert [r["entity"] for r in audit_since(engine, mark)] == ["sweep"]


def test_callbacks_stored_before_they_kept_their_window_do_not_move_when_it_changes_before_a_sweep(
        engine, repaired, admin_):
    """Review of issue 9: rows from before migration 0007 (and the demo's) have no stored window until a sweep
    stamps them; a change saved first must not give them the new one. The save stamps them with the old."""
    with session_scope(engine) as s:
        s.execute(update(Callback).values(window_days=None))
    before = {wo: v[:2] for wo, v in windows_of(engine).items()}
    shorten(engine, admin_)
    assert {v[2] for wo, v in windows_of(engine).items() if wo != repaired["claimed"]} == {3}
    assert schedule_due_callbacks(engine, NOW + timedelta(hours=1)).moved == 0
    assert {wo: v[:2] for wo, v in windows_of(engine).items()} == before


def test_a_callback_planned_after_the_change_gets_the_new_window(engine, repaired, admin_):
    shorten(engine, admin_)
    with session_scope(engine) as s:
        wo = make_work_order(s, make_customer(s), make_user(s, role=Role.MANAGER), completed_at=utc(2026, 11, 20, 2))
    assert schedule_due_callbacks(engine, NOW + timedelta(hours=1)).created == 1
    assert windows_of(engine)[wo.id][1:3] == (day_end(date(2026, 11, 21), TZ), 1)


def test_the_preview_counts_what_applying_would_move_and_make_overdue_and_writes_nothing(
        engine, repaired, admin_):
    shorten(engine, admin_)
    before, mark = windows_of(engine), audit_mark(engine)
    assert windows.preview(engine, admin_, NOW) == [windows.WindowPreview(AFTER_REPAIR, 1, moving=3, fall_overdue=1)]
    assert windows_of(engine) == before and audit_since(engine, mark) == []


def test_applying_moves_the_open_callbacks_as_previewed_each_audited_and_leaves_a_worked_one(
        engine, repaired, admin_):
    shorten(engine, admin_)
    before, mark = windows_of(engine), audit_mark(engine)
    assert windows.apply(engine, admin_, AFTER_REPAIR, NOW) == windows.WindowPreview(AFTER_REPAIR, 1, 3, 1)
    after = windows_of(engine)
    for name in ("tomorrow_due", "falls_overdue", "already_overdue"):
        wo = repaired[name]
        completed_day = COMPLETED[name].date()  # 11:00 in Shanghai: the same office day
        assert after[wo] == (before[wo][0], day_end(completed_day + timedelta(days=1), TZ), 1, before[wo][3] + 1)
    assert after[repaired["claimed"]] == before[repaired["claimed"]]
    rows = audit_since(engine, mark)
    assert sorted(r["entity_id"] for r in rows if r["entity"] == "callback") == sorted(
        str(_callback_id(engine, repaired[n])) for n in ("tomorrow_due", "falls_overdue", "already_overdue"))
    [decision] = [r for r in rows if r["entity"] == "setting"]
    assert decision["changes"] == {"_": {"applied_to_open_callbacks": 3, "fell_overdue": 1, "days": 1}}
    assert windows.preview(engine, admin_, NOW) == []


def _callback_id(engine, work_order_id: int) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(Callback.id).where(Callback.source_key == after_repair_key(work_order_id)))


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR])
def test_only_an_admin_may_preview_or_apply_a_window_to_open_callbacks(engine, repaired, admin_, role):
    shorten(engine, admin_)
    with session_scope(engine) as s:
        actor = make_account(s, role)
    before = windows_of(engine)
    with pytest.raises(Forbidden):
        windows.preview(engine, actor, NOW)
    with pytest.raises(Forbidden):
        windows.apply(engine, actor, AFTER_REPAIR, NOW)
    assert windows_of(engine) == before


def test_applying_a_setting_that_cuts_no_window_is_refused(engine, admin_):
    with pytest.raises(Invalid):
        windows.apply(engine, admin_, "callback.max_attempts", NOW)
