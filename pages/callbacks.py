"""Callbacks: the queue (overdue first) and one callback with its customer card and call attempts; under a
worked re-check, its re-checker sends a finding back to the specialist (CB-4)."""

from datetime import datetime

import streamlit as st

from core.callbacks.flow import can_claim, visible_levels
from core.callbacks.queries import (
    DUE_BUCKETS,
    OPEN_STATUSES,
    CallbackFilter,
    assignable,
    assignees,
    callback_detail,
    list_callbacks,
    queue_counts,
)
from core.callbacks.services import claim
from core.errors import Forbidden
from core.permissions import Action, allowed
from db.enums import CallbackKind, CallbackLevel, CallbackStatus
from ui import clock, feedback, listing
from ui.auth import page_guard
from ui.campaign import campaign_box
from ui.context import engine, office, tr
from ui.detail import audit_history, fields
from ui.reassign import reassign_box
from ui.recheck import recheck_coverage
from ui.task_form import finding_panel
from ui.text import heading, phrase, plain
from ui.widgets import cell_formats

DETAIL_FIELDS = {
    "kind": "enum", "level": "enum", "status": "enum", "overdue": "bool", "due_start": "datetime",
    "due_end": "datetime", "assignee": "text", "purpose": "text", "attempts_count": "text", "claimed_by": "text",
    "claimed_at": "datetime", "completed_at": "datetime", "created_at": "datetime",
}
CUSTOMER_FIELDS = {"code": "text", "name": "text", "phone": "phone", "email": "text", "grade": "enum",
                   "validity": "enum"}
ATTEMPT_FIELDS = {
    "caller": "text", "channel": "enum", "outcome": "enum", "satisfaction": "enum", "score": "text",
    "dissatisfaction_reason": "text", "questions": "text", "suggestions": "text", "notes": "text",
    "promised_reply_at": "datetime", "call_again_at": "datetime", "qa_score": "text", "problem_solved": "bool",
}
COLUMNS = {  # what a phone shows without scrolling first: who, where it stands, by when
    "customer": ("cb.customer", "text"), "status": ("cb.status", "enum"), "due_end": ("cb.due_end", "datetime"),
    "overdue": ("cb.overdue", "text"), "kind": ("cb.kind", "enum"), "level": ("cb.level", "enum"),
    "phone": ("cb.phone", "phone"), "due_start": ("cb.due_start", "datetime"), "assignee": ("cb.assignee", "text"),
    "attempts_count": ("cb.attempts_count", "text"), "completed_at": ("cb.completed_at", "datetime"),
}
SORTS = {name: COLUMNS[name][0] for name in ("customer", "due_end", "status", "kind", "level", "assignee",
                                             "attempts_count", "completed_at")}
FILTERS = ("status", "kind", "level", "who", "due", "due_on")

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
    try:
        detail = callback_detail(engine(), actor, callback_id, clock.now())
    except Forbidden:  # a re-check a specialist may not read: said like a missing one, nothing of it shown
        detail = None
    if detail is None:
        listing.not_found()
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


def due_tiles(counts: dict[str, int], chosen: str | None) -> None:
    """A tile per bucket opens the queue it counts (`due` in the URL); the chosen one again shows them all."""
    for column, bucket in zip(st.columns(len(DUE_BUCKETS)), DUE_BUCKETS, strict=True):
        column.button(phrase(f"cb.tile_{bucket}", count=counts[bucket]), key=f"tile_{bucket}", width="stretch",
                      type="primary" if bucket == chosen else "secondary", on_click=listing.set_filter,
                      args=("due", [] if bucket == chosen else [bucket]))


def queue(actor) -> None:
    people = assignees(engine())
    # Mine first only for those who cannot read every level (specialists); a manager or director reads all.
    mine_first = actor.id in people and len(visible_levels(actor)) < len(CallbackLevel)
    due_labels = {None: tr("list.any")} | {b: tr(f"cb.due_{b}") for b in DUE_BUCKETS}
    with listing.filters(*FILTERS):
        c1, c2, c3 = st.columns(3)
        with c1:
            statuses = listing.enum_filter("cb.status", CallbackStatus, "status", default=OPEN_STATUSES)
            assignee = listing.person_filter("cb.assignee", people, "who", actor.id if mine_first else None)
        with c2:
            kinds = listing.enum_filter("cb.kind", CallbackKind, "kind")
            on_change, args = listing.bind(listing.choice("due", list(due_labels), None))
            due = st.selectbox(tr("cb.due"), list(due_labels), key="due", format_func=due_labels.get,
                               placeholder=due_labels[None], on_change=on_change, args=args)
        with c3:
            levels = listing.enum_filter("cb.level", CallbackLevel, "level", visible_levels(actor))  # L1 only to some
            start, end = listing.date_range("cb.due_range", "due_on")
    search, sort = listing.search_and_sort("cb.search_hint", SORTS, "cb.sort_default", by_index=True)
    flt = CallbackFilter(statuses, kinds, levels, assignee, start, end, search, due)
    due_tiles(queue_counts(engine(), actor, flt, office().timezone, clock.now()), due)
    listing.listed(lambda n, size: list_callbacks(engine(), actor, flt, office().timezone, clock.now(), n,
                                                 size, sort), COLUMNS, overdue_marks,
                   export="callbacks")
    if allowed(actor.role, Action.REASSIGN_CALLBACK):
        reassign_box(actor, flt, assignable(engine()))  # only who may receive them (check_target)
    if allowed(actor.role, Action.PLAN_CAMPAIGN):
        campaign_box(actor, people)
    recheck_coverage(actor, clock.now())


actor = page_guard("callbacks")
if st.session_state.pop(TAKEN, None):  # claimed in the take button's callback: on to the call screen
    st.switch_page("pages/call.py")
st.title(tr("nav.callbacks"))
listing.list_or_record(lambda: queue(actor), lambda chosen: show_detail(actor, chosen))
