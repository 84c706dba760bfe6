"""Admins edit the office settings: values are validated by core.office; the values the form was
loaded with are kept, so a setting another admin changed meanwhile is refused, not overwritten."""

from __future__ import annotations

import streamlit as st

from core.i18n import enum_label
from core.office.rules import CHOICES
from core.office.services import update_settings
from core.scheduling.care import care_grades
from db.enums import CustomerGrade
from ui import clock
from ui.context import clear_office_cache, engine, lang, tr
from ui.feedback import FLASH, attempt
from ui.text import phrase, plain

LOADED = "settings_loaded"


def settings_form(actor, settings: list[dict]) -> None:
    loaded = st.session_state.setdefault(LOADED, {s["key"]: s["value"] for s in settings})
    with st.form("settings_edit"):
        wanted = {key: _input(key, value) for key, value in loaded.items()}
        submitted = st.form_submit_button(tr("settings_form.save"), type="primary")
    if submitted:
        changed = attempt(lambda: update_settings(engine(), actor, loaded, wanted, clock.now()))
        if changed is not None:
            st.session_state.pop(LOADED, None)
            clear_office_cache()
            st.session_state[FLASH] = phrase("settings_form.saved", count=len(changed))
            st.rerun()
    if st.button(tr("settings_form.reload")):
        st.session_state.pop(LOADED, None)
        st.rerun()


def _input(key: str, value: object):
    label = plain(f"{key} · {tr(f'settings.about.{key}')}")
    if key in CHOICES:
        return st.selectbox(label, CHOICES[key], index=CHOICES[key].index(value), key=f"set_{key}")
    if key == "callback.care_grades":  # C-2: pick grades rather than type them
        chosen = st.multiselect(label, list(CustomerGrade), default=_grades(value), key=f"set_{key}",
                                format_func=lambda g: enum_label(g, lang()))
        return ", ".join(chosen)
    if isinstance(value, int):
        return st.number_input(label, value=value, step=1, key=f"set_{key}")
    if key == "callback.holidays":
        return st.text_area(label, value=str(value), key=f"set_{key}")
    return st.text_input(label, value=str(value), key=f"set_{key}")


def _grades(value: object) -> list[CustomerGrade]:
    try:
        return list(care_grades(str(value)))
    except ValueError:  # a hand-edited database value: start from none rather than fail
        return []
