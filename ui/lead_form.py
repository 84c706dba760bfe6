"""Recording one contact with a lead (L-1, L-2): channel, result, the sale amount typed as money (never
a float: parsed as Decimal, stored as cents), a class change and notes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import streamlit as st

from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.leads.rules import LeadContactInput
from core.leads.services import record_lead_contact
from db.enums import Channel, LeadClass, LeadResult
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, required_legend
from ui.text import phrase


def cents(text: str) -> int | None:
    """'1,280.50' → 128050; blank → None; anything else → -1, which the use case refuses with a message."""
    text = text.replace(",", "").replace("¥", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text) * 100
    except InvalidOperation:
        return -1
    if not value.is_finite() or value != value.to_integral_value():
        return -1  # fractions of a cent, NaN and infinity are refused
    return int(value)


def lead_contact_form(actor, lead_id: int) -> None:
    lg, marks = lang(), FieldMarks(f"lead_contact_{lead_id}")
    with st.form(f"lead_contact_{lead_id}"):
        channel = st.radio(tr("leads.channel") + tr(MARK), list(Channel), horizontal=True, key="ld_channel",
                           format_func=lambda m: enum_label(m, lg))
        marks.under("channel", "ld_channel")
        result = st.radio(tr("leads.result") + tr(MARK), list(LeadResult), horizontal=True, key="ld_result",
                          format_func=lambda m: enum_label(m, lg))
        marks.under("result", "ld_result")
        amount = st.text_input(tr("leads.sale_amount"), key="ld_amount", placeholder="1280.00",
                               help=tr("form.lead.sale_amount_help"))
        marks.under("sale_amount_cents", "ld_amount")
        new_class = st.selectbox(tr("leads.new_class"), [None, *LeadClass], key="ld_class",
                                 placeholder=tr("list.none"),
                                 format_func=lambda m: tr("list.none") if m is None else enum_label(m, lg))
        marks.under("new_class", "ld_class")
        notes = st.text_area(tr("leads.notes"), key="ld_notes")
        marks.under("notes", "ld_notes")
        required_legend()
        submitted = st.form_submit_button(tr("leads.record"), type="primary")
    if submitted:
        contact = LeadContactInput(channel, result, cents(amount), new_class, notes or None)
        done = marks.attempt(lambda: record_lead_contact(engine(), actor, lead_id, contact, clock.now()))
        if done is not None:
            when = fmt_datetime(done.next_follow_up, lg, office().timezone) if done.next_follow_up else "—"
            st.session_state[FLASH] = phrase("leads.recorded", when=when)
            st.rerun()
