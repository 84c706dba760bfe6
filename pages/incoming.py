"""Incoming calls (CB-11): log a call and see what follow-up it created (a same-day call-back, CB-2, or a
lead, L-1); below, the register of calls, newest first, filtered by day, answer, resolution and category."""

import streamlit as st

from core.incoming.queries import IncomingFilter, list_incoming
from db.enums import IncomingCategory
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.incoming_form import DONE, incoming_form
from ui.text import plain
from ui.widgets import date_range, enum_filter, paged_table

actor = page_guard("incoming")
st.title(tr("nav.incoming"))
confirmed = st.session_state.pop(DONE, None)
if confirmed:
    st.success(plain(confirmed))
incoming_form(actor)


def either(label_key: str, yes_key: str, no_key: str, key: str) -> bool | None:
    """A three-way filter: Any (None), yes or no."""
    labels = {None: tr("list.any"), True: tr(yes_key), False: tr(no_key)}
    return st.selectbox(tr(label_key), list(labels), key=key, format_func=labels.get, placeholder=labels[None])


def follow_up(row: dict) -> str:
    if row["callback_id"]:
        return tr("incoming.callback_ref", id=row["callback_id"], who=row["callback_assignee"] or "—")
    if row["lead_id"]:
        return tr("incoming.lead_ref", id=row["lead_id"], who=row["lead_owner"] or "—")
    return ""


st.divider()
st.subheader(tr("incoming.register"))
c1, c2, c3, c4 = st.columns(4)
with c1:
    start, end = date_range("incoming.received_range", "inc_days")
with c2:
    answered = either("incoming.answered_filter", "incoming.only_answered", "incoming.only_missed", "inc_f_answered")
with c3:
    resolved = either("incoming.resolved_filter", "common.yes", "common.no", "inc_f_resolved")
with c4:
    categories = enum_filter("incoming.category", IncomingCategory, "inc_f_category")

flt = IncomingFilter(start, end, answered, resolved, categories)
paged_table("inc_list", flt, lambda n, size: list_incoming(engine(), actor, flt, office().timezone, n, size), {
    "received_at": ("incoming.received_at", "datetime"), "caller_name": ("incoming.caller_name", "text"),
    "phone": ("incoming.phone", "text"), "customer": ("incoming.customer", "text"),
    "category": ("incoming.category", "enum"), "need": ("incoming.need", "text"),
    "heard_from": ("incoming.heard_from", "text"), "answered": ("incoming.answered", "bool"),
    "resolved": ("incoming.resolved", "bool"), "taken_by": ("incoming.taken_by", "text"),
    "follow_up": ("incoming.follow_up", "text"),
}, lambda rows: [r | {"follow_up": follow_up(r)} for r in rows])
