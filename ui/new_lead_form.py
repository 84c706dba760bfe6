"""A new lead typed on the Leads page (L-1): name, number, class (with its follow-up interval), interest,
source, and for a manager whose lead it is. The form only collects: core.leads.services checks every rule
and writes, or refuses and writes nothing (the typed input stays). A created lead opens at once (?id=)."""

from __future__ import annotations

import streamlit as st

from core.i18n import enum_label
from core.leads.rules import INTEREST_MAX, NAME_MAX, SOURCE_MAX, NewLeadInput
from core.leads.services import create_lead
from core.permissions import Action, Actor, allowed
from core.phones import PHONE_MAX
from db.enums import LeadClass
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, required_legend
from ui.text import phrase


def _owner(actor: Actor, people: dict[int, str]) -> int | None:
    """A manager gives the lead to a colleague (themselves by default); anyone else owns what they type."""
    if not allowed(actor.role, Action.REASSIGN_CALLBACK) or not people:
        return None
    ids = list(people)
    return st.selectbox(tr("leads.specialist"), ids, index=ids.index(actor.id) if actor.id in ids else 0,
                        format_func=people.get, key="nl_owner")


def new_lead_form(actor: Actor, people: dict[int, str]) -> None:
    """Every refused field's message under that field (core refuses them all at once), the required ones
    marked; a field's message stays until its value changes."""
    lg, days = lang(), {c: office().get(f"lead.{c.value.lower()}_interval_days") for c in LeadClass}
    hint = {c: f"{enum_label(c, lg)} · {phrase('incoming.class_hint', days=days[c])}" for c in LeadClass}  # Markdown
    marks = FieldMarks("new_lead")
    with st.form("new_lead"):
        left, right = st.columns(2)
        name = left.text_input(tr("leads.name") + tr(MARK), key="nl_name", max_chars=NAME_MAX)
        marks.under("name", "nl_name", where=left)
        phone = right.text_input(tr("leads.phone") + tr(MARK), key="nl_phone", max_chars=PHONE_MAX,
                                 placeholder=tr("incoming.phone_hint"))
        marks.under("phone", "nl_phone", where=right)
        lead_class = st.radio(tr("leads.lead_class") + tr(MARK), list(LeadClass), index=None, horizontal=True,
                              key="nl_class", format_func=hint.get)
        marks.under("lead_class", "nl_class")
        left, right = st.columns(2)
        interest = left.text_input(tr("leads.interest"), key="nl_interest", max_chars=INTEREST_MAX)
        marks.under("interest", "nl_interest", where=left)
        source = right.text_input(tr("leads.source"), key="nl_source", max_chars=SOURCE_MAX)
        marks.under("source", "nl_source", where=right)
        owner = _owner(actor, people)
        marks.under("specialist_id", "nl_owner")
        required_legend()
        submitted = st.form_submit_button(tr("leads.create"), type="primary")
    if submitted:
        data = NewLeadInput(name, phone, lead_class, interest, source, owner)
        now = clock.now()
        lead_id = marks.attempt(lambda: create_lead(engine(), actor, data, now))
        if lead_id is not None:
            st.session_state[FLASH] = phrase("leads.created")
            st.query_params["id"] = str(lead_id)  # the new lead's own page
            st.rerun()
