"""The manager's campaign form (CB-2 questionnaire and maintenance calls): who (by grade and own
specialist), what, and the due window; core.scheduling.campaigns creates and assigns the calls."""

from __future__ import annotations

import streamlit as st

from core.clock import office_day
from core.customers.queries import CustomerFilter
from core.i18n import enum_label
from core.scheduling.campaigns import KINDS, Campaign, plan_campaign
from db.enums import CustomerGrade
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, attempt
from ui.text import phrase
from ui.widgets import date_range, person_filter


def campaign_box(actor, people: dict[int, str]) -> None:
    lg = lang()
    with st.expander(tr("campaign.title")), st.form("campaign"):
        kind = st.selectbox(tr("campaign.kind"), list(KINDS), key="cp_kind", format_func=lambda m: enum_label(m, lg))
        name = st.text_input(tr("campaign.name"), key="cp_name")
        first, last = date_range("campaign.window", "cp_window")
        grades = st.multiselect(tr("campaign.grades"), list(CustomerGrade), key="cp_grades",
                                format_func=lambda m: enum_label(m, lg), placeholder=tr("list.any"), select_all=False)
        owner = person_filter("campaign.specialist", people, "cp_owner")
        if st.form_submit_button(tr("campaign.go")):
            picked = CustomerFilter(grades=tuple(grades), specialist_id=owner)
            now = clock.now()
            today = office_day(now, office().timezone)  # no window picked: due today, in the office's day
            campaign = Campaign(kind, name, first or today, last or first or today, picked)
            made = attempt(lambda: plan_campaign(engine(), actor, campaign, now, office().timezone))
            if made is not None:
                st.session_state[FLASH] = phrase("campaign.planned", count=made)
                st.rerun()
