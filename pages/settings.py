"""Settings: every office setting grouped by subject, in plain words, with its meaning, current value, default
and the DOMAIN rule it comes from; the database in use (backend only, never the URL) and whether this is the
demo office. Admins edit the values in one form (validated and audited); others read them."""

import streamlit as st

from core.office.settings import list_settings
from core.permissions import Action, allowed
from db.config import get_config
from ui.auth import page_guard
from ui.context import engine, tr
from ui.settings_form import settings_form, settings_tables
from ui.text import plain
from ui.window_apply import window_apply_box

# The DOMAIN.md rule behind each setting of core.office.defaults; "—" for technical ones.
RULES = {
    "office.timezone": "—", "office.currency": "—",
    "callback.first_call_delay_days": "CB-2", "callback.new_customer_window_days": "CB-2",
    "callback.after_repair_window_days": "CB-2, WO-10", "callback.complaint_window_days": "CB-2, CP-2",
    "callback.missed_call_window_days": "CB-2, CB-11", "callback.holiday_lead_days": "CB-2",
    "callback.holidays": "CB-2", "callback.care_grades": "CB-2, C-2", "callback.retry_interval_hours": "CB-6",
    "callback.max_attempts": "CB-6, C-3", "callback.assignment": "CB-1",
    "recheck.l2_rate_pct": "CB-4", "recheck.l3_rate_pct": "CB-4", "recheck.period": "CB-4",
    "lead.a_interval_days": "L-1", "lead.b_interval_days": "L-1", "lead.c_interval_days": "L-1",
    "work_order.dispatch_target_minutes": "WO-3", "complaint.reply_deadline_days": "CP-2",
    "archive.complete_within_days": "C-5",
}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

actor = page_guard("settings")
st.title(tr("nav.settings"))
c1, c2 = st.columns(2)
c1.metric(tr("settings.database"), plain(BACKENDS.get(engine().dialect.name, engine().dialect.name)))
c2.metric(tr("settings.is_demo"), tr("common.yes") if get_config().is_demo else tr("common.no"))
if allowed(actor.role, Action.EDIT_SETTINGS):
    settings_form(actor, list_settings(engine()))
    window_apply_box(actor)  # issue 9: a changed window reaches open callbacks only when applied here
else:
    st.caption(tr("settings.read_only"))
    settings_tables(list_settings(engine()), RULES)
    st.caption(tr("settings.rules_hint"))
