"""Re-check findings as tasks (CB-4, CB-9): the "send a finding" form under a worked re-check callback on
the Callbacks page, and on My work the specialist's open findings (each with a form recording what they
did) and the findings a re-checker sent. The forms only collect; core.rechecks.findings checks and writes. Closing a
finding is based on the version shown when it was first displayed (kept in session_state), so a save
after somebody else closed it is refused naming who, and the typed text stays on screen."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core.rechecks.findings import (
    DEFAULT_DUE_DAYS,
    FINDING_MAX,
    MAX_DUE_DAYS,
    RESOLUTION_MAX,
    FindingChoices,
    complete_task,
    finding_choices,
    open_tasks_for,
    send_finding,
    sent_tasks,
)
from ui.context import engine, tr
from ui.feedback import FLASH, MARK, FieldMarks, clear_after_save, required_legend
from ui.text import heading, phrase
from ui.widgets import cell_formats, page_controls, pager, table

SENT_COLUMNS = {
    "customer": ("tasks.customer", "text"), "assignee": ("tasks.assignee", "text"),
    "finding": ("tasks.finding", "text"), "status": ("tasks.status", "enum"), "overdue": ("tasks.overdue", "text"),
    "due_at": ("tasks.due_at", "datetime"), "done_at": ("tasks.done_at", "datetime"),
    "resolution": ("tasks.resolution", "text"),
}


def _marked(rows: list[dict]) -> list[dict]:
    return [r | {"overdue": tr("tasks.overdue_mark") if r["overdue"] else ""} for r in rows]


def finding_panel(actor, callback_id: int, now: datetime) -> None:
    """Under a re-check callback with a recorded call, for its re-checker: send what the call found."""
    choices = finding_choices(engine(), actor, callback_id)
    if choices is None:
        return
    heading("tasks.send_title")
    st.caption(tr("tasks.send_help"))
    marks = FieldMarks(f"task_send_{callback_id}")
    typed = _send_form(callback_id, choices, marks)
    if typed is not None:
        finding, who, days = typed
        sent = marks.attempt(lambda: send_finding(engine(), actor, callback_id, finding, now, who, days))
        if sent is not None:
            clear_after_save({f"task_finding_{callback_id}": ""})  # not sent twice by a second click
            when = cell_formats()["datetime"](sent.due_at)
            st.session_state[FLASH] = phrase("tasks.sent", who=choices.assignees.get(sent.assignee_id, "?"), when=when)
            st.rerun()
    already = sent_tasks(engine(), actor, now, 1, 10, callback_id=callback_id)
    if already.rows:
        st.caption(tr("tasks.sent_here"))
        table(_marked(already.rows), SENT_COLUMNS)


def _send_form(callback_id: int, choices: FindingChoices, marks: FieldMarks) -> tuple[str, int | None, int] | None:
    """The finding, the assignee (the default preselected) and the due days, once submitted."""
    people, default = choices.assignees, choices.default_id
    if default is None:
        st.info(tr("tasks.no_default"))
    with st.form(f"task_send_{callback_id}"):
        finding = st.text_area(tr("tasks.finding") + tr(MARK), key=f"task_finding_{callback_id}",
                               max_chars=FINDING_MAX)
        marks.under("finding", f"task_finding_{callback_id}")
        who = st.selectbox(tr("tasks.assignee") + tr(MARK), list(people), key=f"task_assignee_{callback_id}",
                           format_func=people.get, index=list(people).index(default) if default in people else None,
                           placeholder=tr("widget.choose"))
        marks.under("assignee", f"task_assignee_{callback_id}")
        days = st.number_input(tr("tasks.due_days"), min_value=1, max_value=MAX_DUE_DAYS, value=DEFAULT_DUE_DAYS,
                               step=1, key=f"task_due_days_{callback_id}")
        marks.under("due_days", f"task_due_days_{callback_id}")
        required_legend()
        submitted = st.form_submit_button(tr("tasks.send"), type="primary")
    return (finding, who, int(days)) if submitted else None


SHOWN = "task_shown"  # task id → the task as first shown (its version is the one a save is based on)


def my_open_tasks(actor, now: datetime) -> None:
    """My work: the findings sent to me, overdue first; each one closes with what I did about it. A finding
    closed meanwhile by its sender stays on screen while I have typed something, so my save is refused
    with who closed it instead of my text vanishing."""
    heading("tasks.mine_title")
    page_no, size = page_controls("tk_open", actor.id)
    page = open_tasks_for(engine(), actor, now, page_no, size)
    shown = st.session_state.setdefault(SHOWN, {})
    for task in page.rows:
        shown.setdefault(task["id"], task)
    listed = [t["id"] for t in page.rows]
    kept = [i for i in shown if i not in listed and st.session_state.get(f"task_resolution_{i}")]
    if not listed and not kept:
        st.info(tr("tasks.mine_none"))
    for task in page.rows + [shown[i] for i in kept]:  # an open finding keeps its version until it is closed
        _task_card(actor, task, now, stale=task["id"] in kept)
    if page.total > len(page.rows):
        pager(page, "tk_open")


def _task_card(actor, task: dict, now: datetime, stale: bool) -> None:
    when = cell_formats()["datetime"]
    with st.container(border=True):
        late = " · " + tr("tasks.overdue_mark") if task["overdue"] else ""
        head = phrase("tasks.mine_item", customer=task["customer"], sender=task["sent_by"], when=when(task["due_at"]))
        st.markdown("**" + head + "**" + late)
        st.text(task["finding"])
        _done_form(actor, task, now)
        if stale and st.button(tr("tasks.reload"), key=f"task_reload_{task['id']}"):
            _forget(task["id"])
            st.rerun()


def _forget(task_id: int) -> None:
    st.session_state[SHOWN].pop(task_id, None)
    st.session_state.pop(f"task_resolution_{task_id}", None)


def _done_form(actor, task: dict, now: datetime) -> None:
    marks = FieldMarks(f"task_done_{task['id']}")
    with st.form(f"task_done_{task['id']}"):
        resolution = st.text_area(tr("tasks.resolution") + tr(MARK), key=f"task_resolution_{task['id']}",
                                  max_chars=RESOLUTION_MAX)
        marks.under("resolution", f"task_resolution_{task['id']}")
        done = st.form_submit_button(tr("tasks.complete"), type="primary")
    if done:
        call = lambda: complete_task(engine(), actor, task["id"], resolution, task["version"], now)  # noqa: E731
        if marks.attempt(call) is not None:
            _forget(task["id"])
            st.session_state[FLASH] = tr("tasks.completed")
            st.rerun()


def findings_sent(actor, now: datetime) -> None:
    """My work, for re-checkers: what they sent, open ones first, then done ones with what was done."""
    heading("tasks.sent_title")
    page_no, size = page_controls("tk_sent", actor.id)
    page = sent_tasks(engine(), actor, now, page_no, size)
    if not page.rows:
        st.info(tr("tasks.sent_none"))
        return
    table(_marked(page.rows), SENT_COLUMNS)
    pager(page, "tk_sent")
