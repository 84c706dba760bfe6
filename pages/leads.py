"""Leads due (L-1): a specialist's open leads whose follow-up falls today or earlier, overdue first,
and the contact that moves each one on; the weekly L-2 table on My work is derived from these."""

import streamlit as st

from core.callbacks.queries import assignees
from core.leads.queries import due_leads
from ui import clock
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.lead_form import lead_contact_form
from ui.widgets import page_controls, pager, record_picker, table

actor = page_guard("leads")
st.title(tr("nav.leads"))
people = assignees(engine())
owner = st.selectbox(tr("leads.owner"), list(people), key="ld_owner", format_func=people.get,
                     index=list(people).index(actor.id) if actor.id in people else 0) if people else actor.id

page_no, size = page_controls("ld_list", owner)
page = due_leads(engine(), actor, owner, clock.now(), office().timezone, page_no, size)
rows = [r | {"overdue": tr("leads.overdue") if r["overdue"] else ""} for r in page.rows]
if not rows:
    st.info(tr("leads.none_due"))
else:
    table(rows, {"name": ("leads.name", "text"), "phone": ("leads.phone", "text"),
                 "lead_class": ("leads.lead_class", "enum"), "interest": ("leads.interest", "text"),
                 "next_follow_up": ("leads.next_follow_up", "datetime"), "overdue": ("leads.overdue", "text")})
    pager(page, "ld_list")
    chosen = record_picker(page.rows, lambda r: f"{r['name']} · {r['phone']}", "ld_open")
    if chosen:
        lead_contact_form(actor, chosen)
