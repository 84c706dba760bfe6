"""Settings: every office setting grouped by subject, in plain words, with its meaning, current value and default
(the DOMAIN.md rule behind a setting is for developers, in core.office.defaults, not on screen); the database in
use (backend only, never the URL) and whether this is the demo office. Admins edit the values in one form
(validated and audited); others read them."""

import streamlit as st

from core.office.settings import list_settings
from core.permissions import Action, allowed
from db.config import get_config
from ui.auth import page_guard
from ui.context import engine, tr
from ui.settings_form import settings_form, settings_tables
from ui.text import plain
from ui.window_apply import window_apply_box

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
    settings_tables(list_settings(engine()))
