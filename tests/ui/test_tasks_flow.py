"""Re-check findings as tasks, screen by screen (CB-4 L2/L3 re-checks, CB-9 quality checklist): the manager
works an L2 re-check on the call screen, lands on the callback's detail and sends what the call found to the
specialist; the specialist sees it on My work and records what they did; the manager's My work shows it done.
A refused save (empty text, a finding closed meanwhile) shows a translated message and writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.accounts.demo import DEMO_ACCOUNTS
from core.i18n import enum_label, t
from core.permissions import Actor
from core.rechecks.findings import complete_task, finding_choices
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, CallOutcome, Role, Satisfaction, TaskStatus
from db.models import CallAttempt, Customer, Task, User
from tests.factories import make_attempt, make_callback, make_customer
from tests.helpers import open_by_url


def _engine_do(demo_url, fn):
    engine = make_engine(demo_url)
    try:
        return fn(engine)
    finally:
        engine.dispose()


def _rows(demo_url, stmt) -> list:
    def run(engine):
        with session_scope(engine) as s:
            return s.execute(stmt).all()
    return _engine_do(demo_url, run)


def _actor(demo_url, role: Role) -> Actor:
    (u,) = _rows(demo_url, select(User.id, User.username, User.display_name, User.role)
                 .where(User.username == DEMO_ACCOUNTS[role]))
    return Actor(*u)


def _due_recheck(demo_url, now: datetime) -> tuple[int, str]:
    """A new customer whose last L1 call specialist1 made, with an open, due L2 re-check for the demo manager
    (id, customer phone), made in this test's own office at the pinned instant."""
    def make(engine):
        with session_scope(engine) as s:
            users = dict(s.execute(select(User.username, User.id)).all())
            n = s.scalar(select(func.count()).select_from(Customer))
            joined = now - timedelta(days=30)
            customer = make_customer(s, code=f"T{n:07d}", phone=f"1990{n:07d}", created_at=joined, updated_at=joined)
            l1 = make_callback(s, customer, status=CallbackStatus.COMPLETED, assignee_id=users["specialist1"],
                               due_start=now - timedelta(days=20), due_end=now - timedelta(days=13),
                               created_at=now - timedelta(days=20), completed_at=now - timedelta(days=19))
            make_attempt(s, l1, s.get(User, users[DEMO_ACCOUNTS[Role.SPECIALIST]]),
                         attempted_at=now - timedelta(days=19))
            cb = make_callback(s, customer, kind=CallbackKind.RECHECK, level=CallbackLevel.L2,
                               assignee_id=users[DEMO_ACCOUNTS[Role.MANAGER]],
                               due_start=now - timedelta(days=1), due_end=now + timedelta(days=6),
                               created_at=now - timedelta(days=1))
            return cb.id, customer.phone
    return _engine_do(demo_url, make)


def _work_recheck(open_page, demo_url, now: datetime, lang: str) -> tuple[AppTest, int]:
    """The manager takes a due L2 re-check from the queue and records a reached call with the customer's view of
    the specialist's service, whether the problem was solved (CB-4) and the CB-9 checklist; the queue opens on
    that callback."""
    cb_id, phone = _due_recheck(demo_url, now)
    at = open_page("pages/callbacks.py", lang, Role.MANAGER)
    at.multiselect(key="status").set_value([CallbackStatus.OPEN]).run()
    at.text_input(key="q").input(phone).run()
    open_by_url(at, cb_id)
    at.button(key="cb_take").click().run()
    at.switch_page("pages/call.py")
    at.radio(key="call_outcome").set_value(CallOutcome.REACHED).run()
    assert at.radio(key="call_satisfaction").label == t("callscreen.service_view", lang) + t("form.required_mark", lang)
    at.radio(key="call_satisfaction").set_value(Satisfaction.NEUTRAL)
    at.radio(key="call_score").set_value(3)
    at.radio(key="call_problem_solved").set_value(False)
    for i, radio in enumerate(r for r in at.radio if r.key.startswith("call_qa_")):
        radio.set_value(i != 7)  # told_next_maintenance: no
    at.button(key="call_save").click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == t("nav.callbacks", lang)
    assert _rows(demo_url, select(CallAttempt.problem_solved).where(CallAttempt.callback_id == cb_id)) == [(False,)]
    return at, cb_id


def _tasks(demo_url, cb_id: int) -> list:
    return _rows(demo_url, select(Task.id, Task.assignee_id, Task.attempt_id, Task.status, Task.finding,
                                  Task.resolution, Task.version).where(Task.callback_id == cb_id).order_by(Task.id))


def _send(at: AppTest, cb_id: int, lang: str) -> None:
    at.button(key=f"FormSubmitter:task_send_{cb_id}-{t('tasks.send', lang)}").click().run()


def _resolve(at: AppTest, task_id: int, lang: str) -> None:
    at.button(key=f"FormSubmitter:task_done_{task_id}-{t('tasks.complete', lang)}").click().run()


def _sent_table(at: AppTest, lang: str):
    heading = f"#### {t('tasks.sent_title', lang)}"
    assert any(m.value == heading for m in at.markdown)
    return next(d.value for d in at.dataframe if t("tasks.resolution", lang) in d.value.columns)


def test_a_manager_sends_a_finding_from_a_worked_l2_recheck_and_the_specialist_closes_it_cb4(
        open_page, demo_url, now):
    """CB-4 / CB-9: after the re-check call the callback's detail offers "Send a finding" with the default
    specialist preselected; the specialist's My work lists it and records a resolution; the manager's My work
    shows it done with that resolution."""
    at, cb_id = _work_recheck(open_page, demo_url, now, "en")
    at.switch_page("pages/callbacks.py").run()  # the queue, opened on the re-check (?id=)
    assert not at.exception
    assert any(m.value == f"#### {t('tasks.send_title', 'en')}" for m in at.markdown)
    manager, specialist = _actor(demo_url, Role.MANAGER), _actor(demo_url, Role.SPECIALIST)
    default = _engine_do(demo_url, lambda e: finding_choices(e, manager, cb_id)).default_id
    assert at.selectbox(key=f"task_assignee_{cb_id}").value == default == specialist.id  # who made the last L1 call

    at.text_area(key=f"task_finding_{cb_id}").input("Did not tell the customer when the next service is due.")
    _send(at, cb_id, "en")
    assert not at.exception and not at.error
    (task,) = _tasks(demo_url, cb_id)
    assert (task.assignee_id, task.status, task.attempt_id is not None) == (specialist.id, TaskStatus.OPEN, True)

    mine = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    assert any(m.value == f"#### {t('tasks.mine_title', 'en')}" for m in mine.markdown)
    assert any("Did not tell the customer" in m.value for m in mine.text)  # the finding: plain text
    mine.text_area(key=f"task_resolution_{task.id}").input("Called back and gave the service date.")
    _resolve(mine, task.id, "en")
    assert not mine.exception and not mine.error
    (done,) = _tasks(demo_url, cb_id)
    assert (done.status, done.resolution) == (TaskStatus.DONE, "Called back and gave the service date.")
    assert not _has(mine, task.id)  # done: gone from the specialist's open findings

    sent = _sent_table(open_page("pages/my_work.py", "en", Role.MANAGER), "en")
    row = sent[sent[t("tasks.finding", "en")] == task.finding].iloc[0]
    assert row[t("tasks.status", "en")] == enum_label(TaskStatus.DONE, "en")
    assert row[t("tasks.resolution", "en")] == "Called back and gave the service date."


def _has(at: AppTest, task_id: int) -> bool:
    return any(w.key == f"task_resolution_{task_id}" for w in at.text_area)


def test_in_chinese_an_empty_finding_is_refused_and_a_finding_closed_meanwhile_is_not_overwritten(
        open_page, demo_url, now):
    """CB-4: an empty finding is refused with a Chinese message and nothing is written; the specialist's
    save of a finding the manager closed meanwhile is refused naming the manager, the manager's text stays."""
    at, cb_id = _work_recheck(open_page, demo_url, now, "zh")
    at.switch_page("pages/callbacks.py").run()
    _send(at, cb_id, "zh")
    assert at.error[0].value == t("tasks.finding_required", "zh")
    assert _tasks(demo_url, cb_id) == []

    specialist, manager = _actor(demo_url, Role.SPECIALIST), _actor(demo_url, Role.MANAGER)
    at.text_area(key=f"task_finding_{cb_id}").input("未告知客户下次保养时间")
    at.selectbox(key=f"task_assignee_{cb_id}").set_value(specialist.id)
    _send(at, cb_id, "zh")
    assert not at.exception and not at.error
    (task,) = _tasks(demo_url, cb_id)

    mine = open_page("pages/my_work.py", "zh", Role.SPECIALIST)
    assert any(m.value == f"#### {t('tasks.mine_title', 'zh')}" for m in mine.markdown)
    _resolve(mine, task.id, "zh")
    assert mine.error[0].value == t("tasks.resolution_required", "zh")

    _engine_do(demo_url, lambda e: complete_task(e, manager, task.id, "已在周会处理", task.version, now))
    mine.text_area(key=f"task_resolution_{task.id}").input("已回电告知保养时间")
    _resolve(mine, task.id, "zh")
    assert not mine.exception
    assert mine.error[0].value.startswith(DEMO_ACCOUNTS[Role.MANAGER])
    (kept,) = _tasks(demo_url, cb_id)
    assert (kept.status, kept.resolution) == (TaskStatus.DONE, "已在周会处理")
    assert mine.text_area(key=f"task_resolution_{task.id}").value == "已回电告知保养时间"
