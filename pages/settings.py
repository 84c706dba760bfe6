"""Settings: every office setting with its meaning, current value and default (the DOMAIN.md rule behind a
setting is for developers, in core.office.defaults, not on screen); the database in use (backend only, never
the URL) and whether this is the demo office. Admins edit the values (validated and audited); others read
them."""

import pandas as pd
import streamlit as st

from core.i18n import catalog, enum_label
from core.office.settings import list_settings
from core.permissions import Action, allowed
from core.scheduling.care import care_grades
from db.config import get_config
from ui.auth import page_guard
from ui.context import engine, lang, tr
from ui.settings_form import settings_form
from ui.text import plain
from ui.window_apply import window_apply_box

BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def shown(value: object, setting: str = "") -> str:
    """A value as text; the few word values (e.g. least_load) and the care grades in the user's language."""
    if setting == "callback.care_grades":
        try:
            return ", ".join(enum_label(g, lang()) for g in care_grades(str(value))) or "—"
        except ValueError:  # a hand-edited value: shown as stored
            return str(value)
    key = f"settings.value.{value}"
    return tr(key) if key in catalog(lang()) else str(value)


actor = page_guard("settings")
st.title(tr("nav.settings"))
c1, c2 = st.columns(2)
c1.metric(tr("settings.database"), plain(BACKENDS.get(engine().dialect.name, engine().dialect.name)))
c2.metric(tr("settings.is_demo"), tr("common.yes") if get_config().is_demo else tr("common.no"))
if not allowed(actor.role, Action.EDIT_SETTINGS):
    st.caption(tr("settings.read_only"))

rows = [{"key": s["key"], "about": tr(f"settings.about.{s['key']}"), "value": shown(s["value"], s["key"]),
         "default": shown(s["default"], s["key"])}
        for s in list_settings(engine())]
frame = pd.DataFrame(rows).rename(columns=lambda field: tr(f"settings.col.{field}"))
st.dataframe(frame, hide_index=True, width="stretch", height="content")  # all settings, no inner scrolling
if allowed(actor.role, Action.EDIT_SETTINGS):
    with st.expander(tr("settings_form.edit")):
        settings_form(actor, list_settings(engine()))
    window_apply_box(actor)  # issue 9: a changed window reaches open callbacks only when applied here
