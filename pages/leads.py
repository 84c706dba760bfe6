"""Leads (L-1): every lead, searched (name, phone, interest), filtered by class, status, owner and "due now",
sorted and paged in SQL, and a new lead typed here. `?id=` opens one lead full-page: its data, its contacts
(who, when, what came of it), the contact form while it is open, and its audit history."""

import streamlit as st

from core.callbacks.queries import assignable, assignees
from core.leads.queries import SORTS, LeadFilter, lead_detail, list_leads
from core.permissions import Action, Actor, allowed
from db.enums import LeadClass, LeadStatus, Role
from ui import clock, listing
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.detail import audit_history, fields
from ui.lead_form import lead_contact_form
from ui.new_lead_form import new_lead_form
from ui.text import heading, phrase, plain
from ui.widgets import table

COLUMNS = {"name": ("leads.name", "text"), "status": ("leads.status", "enum"),  # what matters first, for a phone
           "next_follow_up": ("leads.next_follow_up", "datetime"), "overdue": ("leads.overdue", "text"),
           "phone": ("leads.phone", "text"), "lead_class": ("leads.lead_class", "enum"),
           "interest": ("leads.interest", "text"), "specialist": ("leads.specialist", "text")}
CARD = {"name": "text", "phone": "text", "lead_class": "enum", "status": "enum", "next_follow_up": "datetime",
        "interest": "text", "source": "text", "specialist": "text", "customer": "text", "created_at": "datetime"}
RELATED = (("customer_id", Action.VIEW_CUSTOMERS, "pages/customers.py"),
           ("callback_id", Action.VIEW_CALLBACKS, "pages/callbacks.py"),
           ("incoming_call_id", Action.REGISTER_INCOMING_CALL, "pages/incoming.py"))
CONTACT_COLUMNS = {"contacted_at": ("leads.contacted_at", "datetime"), "user": ("leads.contacted_by", "text"),
                   "channel": ("leads.channel", "enum"), "result": ("leads.result", "enum"),
                   "sale_amount_cents": ("leads.sale_amount", "money"), "new_class": ("leads.new_class", "enum"),
                   "notes": ("leads.notes", "text")}


SORT_LABELS = {name: f"leads.{name}" for name in SORTS}  # the columns core lets a URL sort by
FILTERS = ("who", "class", "status", "due")


def lead_filter(actor: Actor, people: dict[int, str]) -> LeadFilter:
    """The list's filters, each kept in the URL by its contract name (q, who, class, status, due, sort)."""
    mine_first = actor.role == Role.SPECIALIST and actor.id in people  # a specialist's own leads first
    due_labels = {"": tr("leads.due_any"), "now": tr("leads.due_now")}
    with listing.filters(*FILTERS):
        c1, c2 = st.columns(2)
        with c1:
            who = listing.person_filter("leads.who", people, "who", actor.id if mine_first else None)
            classes = listing.enum_filter("leads.lead_class", LeadClass, "class")
        with c2:
            statuses = listing.enum_filter("leads.status", LeadStatus, "status")
            on_change, args = listing.bind(listing.choice("due", list(due_labels), ""))
            due = st.selectbox(tr("leads.due_filter"), list(due_labels), key="due", format_func=due_labels.get,
                               placeholder=due_labels[""], on_change=on_change, args=args)
    search, sort = listing.search_and_sort("leads.search_hint", SORT_LABELS, "leads.sort_default")
    return LeadFilter(search, classes, statuses, who, due == "now", sort)


def show_list(actor: Actor) -> None:
    people = assignees(engine())
    with st.expander(tr("leads.new")):
        new_lead_form(actor, assignable(engine()))  # an owner box offers only who may own it
    flt = lead_filter(actor, people)
    overdue = tr("leads.overdue")
    listing.listed(lambda n, size: list_leads(engine(), actor, flt, clock.now(), office().timezone, n, size),
                   COLUMNS, lambda rows: [r | {"overdue": overdue if r["overdue"] else ""} for r in rows],
                   export="leads")


def contacts(detail: dict) -> None:
    heading("leads.contacts", total=detail["contacts_total"])
    if not detail["contacts"]:
        st.caption(tr("leads.contacts_none"))
        return
    table(detail["contacts"], CONTACT_COLUMNS)
    if detail["contacts_total"] > len(detail["contacts"]):
        st.caption(phrase("leads.contacts_showing", shown=len(detail["contacts"]), total=detail["contacts_total"]))


def related(actor: Actor, lead: dict) -> None:
    """One click to the customer the lead is, and to the call-back or incoming call it came from."""
    labels = {"customer_id": phrase("leads.open_customer", name=lead["customer"]),
              "callback_id": tr("leads.open_callback"), "incoming_call_id": tr("leads.open_call")}
    for field, action, page in RELATED:
        if lead[field] and allowed(actor.role, action):
            st.page_link(page=page, label=labels[field], query_params={"id": str(lead[field])})


def show_lead(actor: Actor, lead_id: int) -> None:
    detail = lead_detail(engine(), actor, lead_id)
    if detail is None:
        listing.not_found()
        return
    lead = detail["lead"]
    st.subheader(plain(f"{lead['name']} · {lead['phone']}"))
    fields(lead, "leads", CARD)
    related(actor, lead)
    if lead["status"] == LeadStatus.OPEN:
        with st.expander(tr("leads.record"), expanded=True):
            lead_contact_form(actor, lead_id)
    contacts(detail)
    audit_history(actor, "lead", lead_id)


actor = page_guard("leads")
st.title(tr("nav.leads"))
listing.list_or_record(lambda: show_list(actor), lambda chosen: show_lead(actor, chosen))
