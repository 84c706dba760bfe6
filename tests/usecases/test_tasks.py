"""Re-check findings sent back to the specialist as tasks (core.rechecks.findings; CB-4 L2/L3 re-checks, CB-9 quality
checklist): who gets the task by default, when it falls due, who may close it, and that every refusal
writes nothing. NOW is Friday 2026-11-20 14:00 in Shanghai (06:00 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Forbidden, Invalid, StaleEdit
from core.rechecks.findings import (
    DEFAULT_DUE_DAYS,
    FINDING_MAX,
    complete_task,
    due_at,
    finding_choices,
    open_tasks_for,
    send_finding,
    sent_tasks,
)
from db.engine import session_scope
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, Role, TaskStatus
from db.models import AuditEntry, Task, User
from tests.factories import NOW, actor_of, make_attempt, make_callback, make_customer, make_user
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"
H, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def office(engine):
    """A manager, a director, three specialists (Li made the customer's last L1 call, Wang is the customer's
    own specialist, Zhao is neither), a worked L2 re-check callback with two attempts, an unworked one and a
    worked L1 callback."""
    with session_scope(engine) as s:
        manager = make_user(s, role=Role.MANAGER, display_name="Manager Chen")
        director = make_user(s, role=Role.DIRECTOR, display_name="Director Sun")
        li, wang, zhao = (make_user(s, display_name=n) for n in ("Li", "Wang", "Zhao"))
        engineer = make_user(s, role=Role.ENGINEER)
        customer = make_customer(s, specialist_id=wang.id)
        l1 = make_callback(s, customer, status=CallbackStatus.COMPLETED, assignee_id=li.id)
        make_attempt(s, l1, wang, attempted_at=NOW - 9 * DAY)
        make_attempt(s, l1, li, attempted_at=NOW - 3 * DAY)
        recheck = make_callback(s, customer, kind=CallbackKind.RECHECK, level=CallbackLevel.L2,
                                status=CallbackStatus.COMPLETED, assignee_id=manager.id)
        make_attempt(s, recheck, manager, attempted_at=NOW - 2 * H)
        latest = make_attempt(s, recheck, manager, attempted_at=NOW - H)
        unworked = make_callback(s, customer, kind=CallbackKind.RECHECK, level=CallbackLevel.L2,
                                 assignee_id=manager.id)
        people = {"manager": manager, "director": director, "li": li, "wang": wang, "zhao": zhao,
                  "engineer": engineer}
        return {k: actor_of(u) for k, u in people.items()} | {
            "customer": customer.id, "customer_name": customer.name, "recheck": recheck.id, "attempt": latest.id,
            "unworked": unworked.id, "l1": l1.id}


def tasks(engine) -> list[dict]:
    with session_scope(engine) as s:
        return [{c.key: getattr(t, c.key) for c in Task.__mapper__.column_attrs}
                for t in s.scalars(select(Task).order_by(Task.id))]


def task_audits(engine, mark: int) -> list[dict]:
    return [r for r in audit_since(engine, mark) if r["entity"] == "task"]


def send(engine, office, actor_key: str = "manager", **kw):
    args = {"callback_id": office["recheck"], "finding": "Did not tell the customer when the next service is due.",
            "now": NOW} | kw
    return send_finding(engine, office[actor_key], **args)


def set_active(engine, user_id: int, active: bool) -> None:
    with session_scope(engine) as s:
        s.get(User, user_id).active = active


# --- sending (CB-4, CB-9) -----------------------------------------------------------------------------

def test_a_manager_sends_a_finding_to_the_last_l1_caller_due_in_two_office_days_and_audited_cb4(engine, office):
    """CB-4: the task goes to the specialist whose service was re-checked (the caller of the customer's most
    recent L1 attempt), links the re-check callback and its latest attempt, and falls due at the end of the
    office day two days later (Sunday 22nd, 23:59:59 in Shanghai)."""
    mark = audit_mark(engine)
    sent = send(engine, office)
    (task,) = tasks(engine)
    assert DEFAULT_DUE_DAYS == 2
    assert (task["assignee_id"], task["created_by_id"]) == (office["li"].id, office["manager"].id) == (
        sent.assignee_id, office["manager"].id)
    assert (task["customer_id"], task["callback_id"], task["attempt_id"]) == (
        office["customer"], office["recheck"], office["attempt"])
    assert task["due_at"] == datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC) == sent.due_at
    assert (task["status"], task["version"], task["finding"]) == (
        TaskStatus.OPEN, 1, "Did not tell the customer when the next service is due.")
    (row,) = task_audits(engine, mark)
    assert (row["action"], row["entity_id"], row["user_id"]) == ("create", str(task["id"]), office["manager"].id)
    assert row["changes"]["assignee_id"] == [None, office["li"].id]


def test_the_due_date_counts_office_days_not_utc_days():
    """00:30 on Saturday in Shanghai is still Friday in UTC: one day later is the end of Sunday, Shanghai time."""
    assert due_at(datetime(2026, 11, 20, 16, 30, tzinfo=UTC), 1, TZ) == datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC)
    assert due_at(NOW, 3, TZ) == datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC)


def test_without_an_l1_call_the_customers_own_specialist_gets_the_finding_cb4(engine, office):
    with session_scope(engine) as s:
        other = make_customer(s, specialist_id=office["wang"].id)
        cb = make_callback(s, other, kind=CallbackKind.RECHECK, level=CallbackLevel.L2)
        make_attempt(s, cb, s.get(User, office["manager"].id))
    sent = send(engine, office, callback_id=cb.id)
    assert sent.assignee_id == office["wang"].id


def test_a_last_l1_caller_who_left_is_passed_over_for_the_customers_own_specialist(engine, office):
    set_active(engine, office["li"].id, False)
    assert send(engine, office).assignee_id == office["wang"].id


def test_the_re_checker_may_pick_another_active_specialist(engine, office):
    sent = send(engine, office, assignee_id=office["zhao"].id, due_days=5)
    (task,) = tasks(engine)
    assert task["assignee_id"] == sent.assignee_id == office["zhao"].id
    assert task["due_at"] == datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("who", ["engineer", "manager", "inactive"])
def test_a_finding_goes_only_to_an_active_caller_other_than_the_sender(engine, office, who):
    if who == "inactive":
        set_active(engine, office["zhao"].id, False)
    chosen = office["zhao" if who == "inactive" else who].id
    with pytest.raises(Invalid) as err:
        send(engine, office, assignee_id=chosen)
    assert err.value.key == "tasks.bad_assignee"
    assert tasks(engine) == []


def test_a_specialist_may_not_send_a_finding_and_nothing_is_written_cb4(engine, office):
    mark = audit_mark(engine)
    with pytest.raises(Forbidden):
        send(engine, office, "li", assignee_id=office["zhao"].id)
    assert tasks(engine) == [] and task_audits(engine, mark) == []


def test_the_director_does_not_send_findings_from_the_managers_l2_re_check(engine, office):
    """CB-1: an L2 re-check belongs to the manager; the director sends from L3 re-checks."""
    with pytest.raises(Forbidden):
        send(engine, office, "director")
    assert tasks(engine) == []


@pytest.mark.parametrize(("case", "key"), [
    ("l1_callback", "tasks.not_recheck"), ("no_attempt", "tasks.no_attempt"), ("blank", "tasks.finding_required"),
    ("too_long", "tasks.finding_too_long"), ("zero_days", "tasks.bad_due_days"), ("many_days", "tasks.bad_due_days"),
])
def test_a_finding_needs_a_worked_re_check_a_text_and_a_sensible_due_date_else_nothing_is_written(
        engine, office, case, key):
    """CB-4: a finding comes from a recorded re-check call; text required and bounded; nothing written."""
    kw = {"l1_callback": {"callback_id": office["l1"]}, "no_attempt": {"callback_id": office["unworked"]},
          "blank": {"finding": "   \n "}, "too_long": {"finding": "x" * (FINDING_MAX + 1)},
          "zero_days": {"due_days": 0}, "many_days": {"due_days": 31}}[case]
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        send(engine, office, **kw)
    assert err.value.key == key
    assert tasks(engine) == [] and task_audits(engine, mark) == []


def test_the_form_offers_the_default_specialist_only_where_a_finding_can_be_sent(engine, office):
    choices = finding_choices(engine, office["manager"], office["recheck"])
    assert choices.default_id == office["li"].id
    assert set(choices.assignees) == {office["li"].id, office["wang"].id, office["zhao"].id}
    assert finding_choices(engine, office["manager"], office["unworked"]) is None
    assert finding_choices(engine, office["manager"], office["l1"]) is None
    assert finding_choices(engine, office["li"], office["recheck"]) is None


# --- completing (CB-4) ---------------------------------------------------------------------------------

def test_the_assignee_records_what_they_did_and_the_finding_is_done_cb4(engine, office):
    sent = send(engine, office)
    mark = audit_mark(engine)
    version = complete_task(engine, office["li"], sent.id, "Called back, gave the service date.", 1, NOW + DAY)
    (task,) = tasks(engine)
    assert (version, task["version"], task["status"]) == (2, 2, TaskStatus.DONE)
    assert (task["resolution"], task["done_at"]) == ("Called back, gave the service date.", NOW + DAY)
    (row,) = task_audits(engine, mark)
    assert (row["action"], row["user_id"], row["changes"]["status"]) == ("update", office["li"].id, ["open", "done"])


def test_the_sender_may_close_the_finding_too(engine, office):
    sent = send(engine, office)
    complete_task(engine, office["manager"], sent.id, "Handled in the team meeting.", 1, NOW)
    assert tasks(engine)[0]["status"] == TaskStatus.DONE


def test_a_third_user_may_not_close_somebody_elses_finding(engine, office):
    sent = send(engine, office)
    mark = audit_mark(engine)
    for other in ("zhao", "director"):
        with pytest.raises(Forbidden):
            complete_task(engine, office[other], sent.id, "Not mine.", 1, NOW)
    (task,) = tasks(engine)
    assert (task["status"], task["resolution"], task["version"]) == (TaskStatus.OPEN, None, 1)
    assert task_audits(engine, mark) == []


def test_a_finding_is_not_closed_without_saying_what_was_done(engine, office):
    sent = send(engine, office)
    with pytest.raises(Invalid) as err:
        complete_task(engine, office["li"], sent.id, "  ", 1, NOW)
    assert err.value.key == "tasks.resolution_required"
    assert tasks(engine)[0]["status"] == TaskStatus.OPEN


def test_a_stale_save_is_refused_naming_who_closed_it_and_nothing_is_overwritten(engine, office):
    """Both opened version 1; the assignee saved first; the sender's save is refused, the assignee's text stays."""
    sent = send(engine, office)
    complete_task(engine, office["li"], sent.id, "Called back.", 1, NOW + H)
    mark = audit_mark(engine)
    with pytest.raises(StaleEdit) as err:
        complete_task(engine, office["manager"], sent.id, "Closed by me.", 1, NOW + 2 * H)
    assert err.value.params["who"] == office["li"].username
    (task,) = tasks(engine)
    assert (task["resolution"], task["done_at"], task["version"]) == ("Called back.", NOW + H, 2)
    assert task_audits(engine, mark) == []
    with pytest.raises(Invalid) as again:
        complete_task(engine, office["li"], sent.id, "Twice.", 2, NOW + 3 * H)
    assert again.value.key == "tasks.already_done"


# --- reading (My work) ---------------------------------------------------------------------------------

def test_a_specialists_open_findings_come_overdue_first_with_customer_sender_and_due(engine, office):
    late = send(engine, office, now=NOW - 5 * DAY, due_days=1)
    soon = send(engine, office, due_days=3)
    done = send(engine, office)
    complete_task(engine, office["li"], done.id, "Done.", 1, NOW)
    send(engine, office, assignee_id=office["zhao"].id)  # somebody else's
    page = open_tasks_for(engine, office["li"], NOW)
    assert [r["id"] for r in page.rows] == [late.id, soon.id] and page.total == 2
    first = page.rows[0]
    assert (first["customer"], first["sent_by"], first["overdue"]) == (office["customer_name"], "Manager Chen", True)
    assert page.rows[1]["overdue"] is False
    assert open_tasks_for(engine, office["li"], NOW, page=2, page_size=1).rows[0]["id"] == soon.id


def test_the_re_checker_sees_what_they_sent_open_first_then_done_with_the_resolution(engine, office):
    done = send(engine, office)
    waiting = send(engine, office, assignee_id=office["zhao"].id)
    complete_task(engine, office["li"], done.id, "Apologised and booked the inspection.", 1, NOW + H)
    page = sent_tasks(engine, office["manager"], NOW)
    assert [(r["id"], r["status"], r["assignee"]) for r in page.rows] == [
        (waiting.id, TaskStatus.OPEN, "Zhao"), (done.id, TaskStatus.DONE, "Li")]
    assert page.rows[1]["resolution"] == "Apologised and booked the inspection."
    assert sent_tasks(engine, office["manager"], NOW, callback_id=office["unworked"]).total == 0
    with pytest.raises(Forbidden):
        sent_tasks(engine, office["li"], NOW)


def test_no_audit_row_is_written_by_reading(engine, office):
    send(engine, office)
    with session_scope(engine) as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    open_tasks_for(engine, office["li"], NOW)
    sent_tasks(engine, office["manager"], NOW)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before
