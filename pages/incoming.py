"""Incoming calls (CB-11): log a call and see what follow-up it created (a same-day call-back, CB-2, or a
lead, L-1); below, the register of calls, newest first, searched (caller, number, need) and filtered by day,
answer, resolution and category. `?id=` opens one call full-page: its fields, the customer it was matched
to, what it led to, and its audit history."""

import streamlit as st

from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.incoming.queries import IncomingFilter, incoming_detail, list_incoming
from core.permissions import Action, Actor, allowed
from db.enums import IncomingCategory
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.detail import audit_history, fields
from ui.incoming_form import DONE, incoming_form
from ui.text import heading, phrase, plain
from ui.url_state import folded_filters, record_or_list, url_choice, url_choices
from ui.widgets import date_range, paged_table, record_picker

COLUMNS = {
    "received_at": ("incoming.received_at", "datetime"), "caller_name": ("incoming.caller_name", "text"),
    "phone": ("incoming.phone", "text"), "customer": ("incoming.customer", "text"),
    "category": ("incoming.category", "enum"), "need": ("incoming.need", "text"),
    "heard_from": ("incoming.heard_from", "text"), "answered": ("incoming.answered", "bool"),
    "resolved": ("incoming.resolved", "bool"), "taken_by": ("incoming.taken_by", "text"),
    "follow_up": ("incoming.follow_up", "text"),
}
CARD = {"received_at": "datetime", "caller_name": "text", "phone": "text", "category": "enum", "need": "text",
        "heard_from": "text", "answered": "bool", "resolved": "bool", "taken_by": "text"}
EITHER = {"": None, "yes": True, "no": False}


def either(label_key: str, yes_key: str, no_key: str, param: str) -> bool | None:
    """A three-way filter kept in the URL (`yes` / `no`; absent: either)."""
    labels = {"": tr("list.any"), "yes": tr(yes_key), "no": tr(no_key)}
    return EITHER[url_choice(label_key, labels, param, "", f"inc_f_{param}")]


def follow_up(row: dict) -> str:
    if row["callback_id"]:
        return tr("incoming.callback_ref", id=row["callback_id"], who=row["callback_assignee"] or "—")
    if row["lead_id"]:
        return tr("incoming.lead_ref", id=row["lead_id"], who=row["lead_owner"] or "—")
    return ""


def register_filter() -> IncomingFilter:
    search = st.text_input(tr("list.search"), key="q", bind="query-params", persist_state="page",
                           placeholder=tr("incoming.search_hint"))
    with folded_filters("answered", "resolved", "category"):
        c1, c2, c3, c4 = st.columns(4)
    with c1:
        start, end = date_range("incoming.received_range", "inc_days")
    with c2:
        answered = either("incoming.answered_filter", "incoming.only_answered", "incoming.only_missed", "answered")
    with c3:
        resolved = either("incoming.resolved_filter", "common.yes", "common.no", "resolved")
    with c4:
        lg = lang()
        categories = url_choices("incoming.category", {c.value: enum_label(c, lg) for c in IncomingCategory},
                                 "category", "inc_f_category")
    return IncomingFilter(start, end, answered, resolved, tuple(map(IncomingCategory, categories)), search)


def entry_label(row: dict) -> str:
    return f"{fmt_datetime(row['received_at'], lang(), office().timezone)} · {row['caller_name'] or row['phone']}"


def show_list(actor: Actor) -> None:
    confirmed = st.session_state.pop(DONE, None)
    if confirmed:
        st.success(plain(confirmed))
    incoming_form(actor)
    st.divider()
    st.subheader(tr("incoming.register"))
    flt = register_filter()
    page = paged_table("inc_list", flt, lambda n, size: list_incoming(engine(), actor, flt, office().timezone, n,
                                                                      size),
                       COLUMNS, lambda rows: [r | {"follow_up": follow_up(r)} for r in rows])
    if record_picker(page.rows, entry_label, "inc_open"):
        st.rerun()  # the call opens full-page, in place of the register


def led_to(actor: Actor, call: dict) -> None:
    """The callback and the lead the call made, each one click from its own page."""
    heading("incoming.led_to")
    if call["callback_id"] and allowed(actor.role, Action.VIEW_CALLBACKS):
        status = enum_label(call["callback_status"], lang())
        st.page_link("pages/callbacks.py", query_params={"id": str(call["callback_id"])},
                     label=phrase("incoming.open_callback", status=status, who=call["callback_assignee"] or "—"))
    if call["lead_id"] and allowed(actor.role, Action.WORK_CALLBACK):
        st.page_link("pages/leads.py", query_params={"id": str(call["lead_id"])},
                     label=phrase("incoming.open_lead", who=call["lead_owner"] or "—"))
    if not call["callback_id"] and not call["lead_id"]:
        st.caption(tr("incoming.nothing_followed"))


def show_entry(actor: Actor, call_id: int) -> None:
    call = incoming_detail(engine(), actor, call_id)
    if call is None:
        st.warning(tr("incoming.not_found"))
        return
    st.subheader(phrase("incoming.entry", when=fmt_datetime(call["received_at"], lang(), office().timezone)))
    fields(call, "incoming", CARD)
    heading("incoming.customer")
    if call["customer_id"] and allowed(actor.role, Action.VIEW_CUSTOMERS):
        st.page_link("pages/customers.py", query_params={"id": str(call["customer_id"])},
                     label=phrase("incoming.open_customer", name=f"{call['customer']} ({call['customer_code']})"))
    elif not call["customer_id"]:
        st.caption(tr("incoming.no_customer"))
    led_to(actor, call)
    audit_history(actor, "incoming_call", call_id)


actor = page_guard("incoming")
st.title(tr("nav.incoming"))
record_or_list(actor, show_entry, show_list, "incoming.back")
