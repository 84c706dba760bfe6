"""My work's building blocks (issue 10): a count tile that opens the list it counts, a link per item to its
record (the list pages open `?id=<n>` full-page), the overdue marked in red with how many days, and the
specialist's one "next call" button. core.my_work.agenda decides what is listed and in which order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st

from core.callbacks.services import claim
from core.lists import Page
from core.my_work.agenda import my_complaints, my_corrective_actions, next_callback
from ui import clock, feedback
from ui.context import engine, office, tr
from ui.text import Markdown, heading, joined, phrase, plain
from ui.widgets import cell_formats

CALLBACKS, WORK_ORDERS, COMPLAINTS, LEADS = ("pages/callbacks.py", "pages/work_orders.py", "pages/complaints.py",
                                             "pages/leads.py")
TAKEN = "mw_taken"


def tile(column, label_key: str, value: object, page: str | None = None, params: dict | None = None) -> None:
    """A count and, under it, the link to the list it counts (the same filter, in the list's URL parameters);
    no link where the app has no such list yet."""
    with column.container(border=True):
        st.metric(tr(label_key), plain(value))
        if page is not None:
            st.page_link(page=page, label=tr("mywork.open_list"), query_params=params, icon=":material/list:")


def tiles(specs: list[tuple]) -> None:
    for column, spec in zip(st.columns(max(len(specs), 3)), specs, strict=False):
        tile(column, *spec)


def item_link(page: str, record_id: int, label: Markdown) -> None:
    st.page_link(page=page, label=plain(label), query_params={"id": str(record_id)}, icon=":material/open_in_new:")


def lateness(row: dict) -> Markdown:
    """Red, with the office days late, for an overdue callback; its due time otherwise."""
    if row.get("days_late") is None:
        return phrase("mywork.due_at", when=cell_formats()["datetime"](row["due_end"]))
    key = "mywork.late_today" if row["days_late"] == 0 else "mywork.late_days"
    return Markdown(f":red[**{phrase(key, days=row['days_late'])}**]")


def callback_items(page: Page, with_assignee: bool = False) -> None:
    """Each callback one click from its record: customer, kind, (assignee,) and how late it is."""
    enum = cell_formats()["enum"]
    for row in page.rows:
        who = [row["assignee"] or tr("mywork.nobody")] if with_assignee else []
        parts = [row["customer"], enum(row["kind"]), *who]
        left, right = st.columns([3, 2])
        with left:
            item_link(CALLBACKS, row["id"], joined(parts, " · "))
        right.markdown(plain(lateness(row)))
    more(page)


def complaint_due(row: dict) -> Markdown:
    """CP-5: what is due next on a complaint and when, red once overdue; "nothing due" while it waits for the
    follow-up or the verification."""
    if row["next_due"] is None:
        return phrase("mywork.cp_nothing_due")
    due = phrase("mywork.due_at", when=cell_formats()["datetime"](row["next_due"]))
    return Markdown(f":red[**{due}**]") if row["overdue"] else due


def complaint_rows(page: Page) -> None:
    """Each complaint one click from its record: number, customer, status, and what is due (red once overdue)."""
    enum = cell_formats()["enum"]
    for row in page.rows:
        left, right = st.columns([3, 2])
        with left:
            item_link(COMPLAINTS, row["id"], joined([row["number"], row["customer"], enum(row["status"])], " · "))
        right.markdown(plain(complaint_due(row)))
    more(page)


def complaint_items(actor, now: datetime) -> None:
    """The complaints this person owns, what is due next first; then (CP-2) those whose corrective action they
    must carry out, the earliest CAPA due date first."""
    heading("mywork.cp_mine")
    complaint_rows(my_complaints(engine(), actor, office().timezone, now))
    capa_items(actor, now)


def capa_items(actor, now: datetime, only_if_any: bool = False) -> None:
    """CP-2: the complaints whose corrective action this person must carry out, the earliest due first (a
    manager or director named CAPA owner sees theirs too; `only_if_any`: no empty section for them)."""
    capas = my_corrective_actions(engine(), actor, now)
    if capas.rows or not only_if_any:
        heading("mywork.cp_capa")
        complaint_rows(capas)


def items(page: Page, target: str, label: Callable[[dict], list]) -> None:
    for row in page.rows:
        item_link(target, row["id"], joined(label(row), " · "))
    more(page)


def more(page: Page) -> None:
    if not page.rows:
        st.caption(tr("mywork.nothing"))
    elif page.total > len(page.rows):
        st.caption(phrase("mywork.more", shown=len(page.rows), total=page.total))


def _take(actor, callback_id: int) -> None:
    """As the Callbacks page's take button: the claim runs before the page is drawn again (core decides)."""
    if feedback.attempt_in_callback(lambda: claim(engine(), actor, callback_id, clock.now())) is not None:
        st.session_state["call_id"] = st.session_state[TAKEN] = callback_id


def next_call(actor, now: datetime) -> None:
    """One primary button: claim the most urgent callback this person may take, then on to the call screen."""
    if st.session_state.pop(TAKEN, None):
        st.switch_page("pages/call.py")
    feedback.show_refusal()
    upcoming = next_callback(engine(), actor, office().timezone, now)
    if upcoming is None:
        st.info(tr("mywork.no_next_call"))
        return
    st.button(tr("mywork.next_call"), key="mw_next_call", type="primary", icon=":material/call:",
              on_click=_take, args=(actor, upcoming))
