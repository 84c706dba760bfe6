"""Incoming calls (CB-11): log a call and see what follow-up it created (a same-day call-back, CB-2, or a
lead, L-1); below, the register of calls, newest first, searched (caller, number, need) and filtered by day,
answer, resolution and category. `?id=` opens one call full-page: its fields, the customer it was matched
to, what it led to, and its audit history."""

import streamlit as st

from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.incoming.queries import SORTS, IncomingFilter, incoming_detail, list_incoming
from core.permissions import Action, Actor, allowed
from db.enums import IncomingCategory
from ui import listing
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.detail import audit_history, fields
from ui.incoming_form import DONE, incoming_form
from ui.new_complaint_form import new_complaint_form
from ui.new_work_order_form import new_work_order_form
from ui.text import heading, phrase, plain

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
FILTERS = ("received", "answered", "resolved", "category")
SORT_LABELS = {name: COLUMNS[name][0] for name in SORTS}  # the columns core lets a URL sort by


def either(label_key: str, yes_key: str, no_key: str, param: str) -> bool | None:
    """A three-way filter kept in the URL (`yes` / `no`; absent: either)."""
    labels = {"": tr("list.any"), "yes": tr(yes_key), "no": tr(no_key)}
    on_change, args = listing.bind(listing.choice(param, list(labels), ""))
    return EITHER[st.selectbox(tr(label_key), list(labels), key=param, format_func=labels.get,
                               placeholder=labels[""], on_change=on_change, args=args)]


def follow_up(row: dict) -> str:
    if row["callback_id"]:
        return tr("incoming.callback_ref", id=row["callback_id"], who=row["callback_assignee"] or "—")
    if row["lead_id"]:
        return tr("incoming.lead_ref", id=row["lead_id"], who=row["lead_owner"] or "—")
    return ""


def register_filter() -> tuple[IncomingFilter, str]:
    """The register's filters, each kept in the URL by its contract name (q, received, answered, resolved,
    category), and its sort (`sort`)."""
    with listing.filters(*FILTERS):
        c1, c2 = st.columns(2)
        with c1:
            start, end = listing.date_range("incoming.received_range", "received")
            answered = either("incoming.answered_filter", "incoming.only_answered", "incoming.only_missed",
                              "answered")
        with c2:
            categories = listing.enum_filter("incoming.category", IncomingCategory, "category")
            resolved = either("incoming.resolved_filter", "common.yes", "common.no", "resolved")
    search, sort = listing.search_and_sort("incoming.search_hint", SORT_LABELS, "list.newest_first")
    return IncomingFilter(start, end, answered, resolved, categories, search), sort


def show_list(actor: Actor) -> None:
    confirmed = st.session_state.pop(DONE, None)
    if confirmed:
        st.success(plain(confirmed))
    incoming_form(actor)
    st.divider()
    st.subheader(tr("incoming.register"))
    flt, sort = register_filter()
    listing.listed(lambda n, size: list_incoming(engine(), actor, flt, office().timezone, n, size, sort), COLUMNS,
                   lambda rows: [r | {"follow_up": follow_up(r)} for r in rows], export="incoming")


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
        listing.not_found()
        return
    st.subheader(phrase("incoming.entry", when=fmt_datetime(call["received_at"], lang(), office().timezone)))
    fields(call, "incoming", CARD)
    heading("incoming.customer")
    if call["customer_id"] and allowed(actor.role, Action.VIEW_CUSTOMERS):
        st.page_link("pages/customers.py", query_params={"id": str(call["customer_id"])},
                     label=phrase("incoming.open_customer", name=f"{call['customer']} ({call['customer_code']})"))
    elif not call["customer_id"]:
        st.caption(tr("incoming.no_customer"))
    if call["customer_id"] and allowed(actor.role, Action.REGISTER_COMPLAINT):
        with st.expander(tr("cp.new.title")):  # CP-1: the caller's problem, as a complaint
            new_complaint_form(actor, customer_id=call["customer_id"], draft=call["need"] or "",
                               origin=("incoming", call_id))
    if call["customer_id"] and allowed(actor.role, Action.CREATE_WORK_ORDER):
        with st.expander(tr("wo.intake.title")):  # WO-1: the caller's request, as a work order
            new_work_order_form(actor, customer_id=call["customer_id"], draft=call["need"] or "",
                                origin=("incoming", call_id))
    led_to(actor, call)
    audit_history(actor, "incoming_call", call_id)


actor = page_guard("incoming")
st.title(tr("nav.incoming"))
listing.list_or_record(lambda: show_list(actor), lambda chosen: show_entry(actor, chosen))
