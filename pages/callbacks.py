"""Callbacks: the queue (overdue first) and one callback with its customer card and call attempts; under a
worked re-check, its re-checker sends a finding back to the specialist (CB-4)."""

from datetime import datetime

import streamlit as st

from core.callbacks.flow import can_claim, visible_levels
from core.callbacks.queries import (
    OPEN_STATUSES,
    CallbackFilter,
    assignees,
    callback_detail,
    list_callbacks,
    queue_counts,
)
from core.callbacks.services import claim
from core.permissions import Action, allowed
from db.enums import CallbackKind, CallbackLevel, CallbackStatus
from ui import clock, feedback
from ui.auth import page_guard
from ui.campaign import campaign_box
from ui.context import engine, office, tr
from ui.detail import audit_history, fields
from ui.reassign import reassign_box
from ui.recheck import recheck_coverage
from ui.task_form import finding_panel
from ui.text import heading, plain
from ui.widgets import (
    cell_formats,
    date_range,
    enum_filter,
    paged_table,
    person_filter,
    record_picker,
)

DETAIL_FIELDS = {
    "kind": "enum", "level": "enum", "status": "enum", "overdue": "bool", "due_start": "datetime",
    "due_end": "datetime", "assignee": "text", "purpose": "text", "attempts_count": "text", "claimed_by": "text",
    "claimed_at": "datetime", "completed_at": "datetime", "created_at": "datetime",
}
CUSTOMER_FIELDS = {"code": "text", "name": "text", "phone": "text", "email": "text", "grade": "enum",
                   "validity": "enum"}
ATTEMPT_FIELDS = {
    "caller": "text", "channel": "enum", "outcome": "enum", "satisfaction": "enum", "score": "text",
    "dissatisfaction_reason": "text", "questions": "text", "suggestions": "text", "notes": "text",
    "promised_reply_at": "datetime", "call_again_at": "datetime", "qa_score": "text", "problem_solved": "bool",
}
COLUMNS = {
    "customer": ("cb.customer", "text"), "phone": ("cb.phone", "text"), "kind": ("cb.kind", "enum"),
    "level": ("cb.level", "enum"), "status": ("cb.status", "enum"), "overdue": ("cb.overdue", "text"),
    "due_start": ("cb.due_start", "datetime"), "due_end": ("cb.due_end", "datetime"),
    "assignee": ("cb.assignee", "text"), "attempts_count": ("cb.attempts_count", "text"),
    "completed_at": ("cb.completed_at", "datetime"),
}



def overdue_marks(rows: list[dict]) -> list[dict]:
    return [r | {"overdue": tr("cb.overdue_mark") if r["overdue"] else ""} for r in rows]


def when(moment: datetime) -> str:
    return cell_formats()["datetime"](moment)


TAKEN = "cb_taken"


def _take(actor, callback_id: int) -> None:
    """The take button's callback: the claim runs before the page is drawn again, so the card drawn next is
    read after it; the loser of a race gets core's AlreadyClaimed (who holds it) over a fresh card."""
    if feedback.attempt_in_callback(lambda: claim(engine(), actor, callback_id, clock.now())) is not None:
        st.session_state["call_id"] = st.session_state[TAKEN] = callback_id


def take_call(actor, cb: dict) -> None:
    """Offered on an open callback (or one I hold) of a level I work (CB-1); core.callbacks.services.claim decides."""
    feedback.show_refusal()
    if can_claim(cb, actor):
        st.button(tr("callscreen.take"), key="cb_take", type="primary", on_click=_take, args=(actor, cb["id"]))


def show_detail(actor, callback_id: int) -> None:
    detail = feedback.attempt(lambda: callback_detail(engine(), actor, callback_id, clock.now()) or {})
    if detail == {}:
        st.warning(tr("list.not_found"))
    if not detail:  # not found, or a level the role may not read (Forbidden, shown by attempt): nothing of it
        return
    st.subheader(plain(detail["customer"]["name"]))
    take_call(actor, detail["callback"])
    fields(detail["callback"], "cb", DETAIL_FIELDS)
    heading("cb.customer_card")
    fields(detail["customer"], "cb.cust", CUSTOMER_FIELDS)
    heading("cb.attempts")
    if not detail["attempts"]:
        st.info(tr("cb.no_attempts"))
    for attempt in detail["attempts"]:
        with st.container(border=True):
            st.caption(plain(f"{tr('cb.attempt.attempted_at')}: {when(attempt['attempted_at'])}"))
            fields(attempt, "cb.attempt", ATTEMPT_FIELDS)
    finding_panel(actor, callback_id, clock.now())  # CB-4: a worked re-check sends its finding to the specialist
    audit_history(actor, "callback", callback_id)


actor = page_guard("callbacks")
if st.session_state.pop(TAKEN, None):  # claimed in the take button's callback: on to the call screen
    st.switch_page("pages/call.py")
kind_label, due = cell_formats()["enum"], cell_formats()["datetime"]
st.title(tr("nav.callbacks"))

st.session_state.setdefault("cb_status", list(OPEN_STATUSES))  # the queue opens on the work still to do
c1, c2, c3, c4 = st.columns(4)
with c1:
    statuses = enum_filter("cb.status", CallbackStatus, "cb_status")
with c2:
    kinds = enum_filter("cb.kind", CallbackKind, "cb_kind")
with c3:
    levels = enum_filter("cb.level", CallbackLevel, "cb_level", visible_levels(actor))  # no L2/L3 to a specialist
people = assignees(engine())
mine_first = actor.id in people and not allowed(actor.role, Action.REASSIGN_CALLBACK)  # managers dispatch
if mine_first:  # a caller's own queue first (leaving the key unset keeps "Any" for managers)
    st.session_state.setdefault("cb_assignee", actor.id)
with c4:
    assignee = person_filter("cb.assignee", people, "cb_assignee")
c5, c6 = st.columns([1, 3])
with c5:
    start, end = date_range("cb.due_range", "cb_dates")
with c6:
    search = st.text_input(tr("list.search"), key="cb_search", placeholder=tr("cb.search_hint"))

flt = CallbackFilter(statuses, kinds, levels, assignee, start, end, search)
counts = queue_counts(engine(), actor, flt, office().timezone, clock.now())
for column, name in zip(st.columns(3), ("overdue", "due_today", "upcoming"), strict=True):
    column.metric(tr(f"cb.count_{name}"), plain(counts[name]))
page = paged_table("cb_list", flt,
                   lambda n, size: list_callbacks(engine(), actor, flt, office().timezone, clock.now(), n, size),
                   COLUMNS, overdue_marks)

label = lambda r: f"{r['customer']} · {kind_label(r['kind'])} · {due(r['due_end'])}"  # noqa: E731
if allowed(actor.role, Action.REASSIGN_CALLBACK):
    reassign_box(actor, flt, people)
if allowed(actor.role, Action.PLAN_CAMPAIGN):
    campaign_box(actor, people)
chosen = record_picker(page.rows, label, "cb_open")
if chosen:
    show_detail(actor, chosen)
recheck_coverage(actor, clock.now())
