"""Leads (L-1): every lead, searched (name, phone, interest), filtered by class, status, owner and "due now",
sorted and paged in SQL, and a new lead typed here. `?id=` opens one lead full-page: its data, its contacts
(who, when, what came of it), the contact form while it is open, and its audit history."""

import streamlit as st

from core.callbacks.queries import assignees
from core.i18n import enum_label
from core.leads.queries import DEFAULT_SORT, SORTS, LeadFilter, lead_detail, list_leads
from core.permissions import Action, Actor, allowed
from db.enums import LeadClass, LeadStatus, Role
from ui import clock
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.detail import audit_history, fields
from ui.lead_form import lead_contact_form
from ui.new_lead_form import new_lead_form
from ui.text import heading, phrase, plain
from ui.url_state import folded_filters, record_or_list, url_choice, url_choices
from ui.widgets import paged_table, record_picker, table

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


def lead_filter(actor: Actor, people: dict[int, str]) -> LeadFilter:
    """The list's filters, each kept in the URL by its contract name (q, who, class, status, due, sort)."""
    lg = lang()
    search = st.text_input(tr("list.search"), key="q", bind="query-params", persist_state="page",
                           placeholder=tr("leads.search_hint"))
    own = str(actor.id) if actor.role == Role.SPECIALIST else "all"  # a specialist's own leads first
    whos = {"all": tr("leads.everyone")} | {str(i): name for i, name in people.items()}
    sorts = {f"{sign}{f}": f"{tr(f'leads.{f}')} {arrow}" for f in SORTS for sign, arrow in (("", "↑"), ("-", "↓"))}
    with folded_filters("who", "class", "status", "due"):
        c1, c2, c3, c4, c5 = st.columns(5)
    with c1:
        who = url_choice("leads.who", whos | {own: whos.get(own, actor.display_name)}, "who", own, "ld_who")
    with c2:
        classes = url_choices("leads.lead_class", {c.value: enum_label(c, lg) for c in LeadClass}, "class",
                              "ld_f_class")
    with c3:
        statuses = url_choices("leads.status", {s.value: enum_label(s, lg) for s in LeadStatus}, "status",
                               "ld_f_status")
    with c4:
        due = url_choice("leads.due_filter", {"": tr("leads.due_any"), "now": tr("leads.due_now")}, "due", "",
                         "ld_due")
    with c5:
        sort = url_choice("leads.sort", sorts, "sort", DEFAULT_SORT, "ld_sort")
    return LeadFilter(search, tuple(map(LeadClass, classes)), tuple(map(LeadStatus, statuses)),
                      None if who == "all" else int(who), due == "now", sort)


def show_list(actor: Actor) -> None:
    people = assignees(engine())
    with st.expander(tr("leads.new")):
        new_lead_form(actor, people)
    flt = lead_filter(actor, people)
    overdue = tr("leads.overdue")
    page = paged_table("ld_list", flt, lambda n, size: list_leads(engine(), actor, flt, clock.now(),
                                                                  office().timezone, n, size),
                       COLUMNS, lambda rows: [r | {"overdue": overdue if r["overdue"] else ""} for r in rows])
    if record_picker(page.rows, lambda r: f"{r['name']} · {r['phone']}", "ld_open"):
        st.rerun()  # the record opens full-page, in place of the list


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
        st.warning(tr("leads.not_found"))
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
record_or_list(actor, show_lead, show_list, "leads.back")
