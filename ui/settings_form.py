"""The office settings grouped by subject, in plain words and the user's language: admins edit them in one form
(values validated by core.office, every refused value shown beside its field at once), others read them.
The values the form was loaded with are kept, so a setting another admin changed meanwhile is refused, not
overwritten."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.i18n import catalog, enum_label
from core.office.rules import CHOICES
from core.office.services import update_settings
from core.scheduling.care import care_grades
from db.enums import CustomerGrade
from ui import clock
from ui.context import clear_office_cache, engine, lang, tr
from ui.feedback import FLASH, FieldMarks
from ui.text import phrase

LOADED = "settings_loaded"
FORM = "settings_edit"
# Every setting of core.office.defaults, once, under the subject an office manager would look for it.
GROUPS = {
    "office": ("office.timezone", "office.currency", "office.phone_region"),
    "windows": ("callback.first_call_delay_days", "callback.new_customer_window_days",
                "callback.after_repair_window_days", "callback.complaint_window_days",
                "callback.missed_call_window_days"),
    "care": ("callback.holiday_lead_days", "callback.holidays", "callback.care_grades"),
    "calling": ("callback.assignment", "callback.retry_interval_hours", "callback.max_attempts"),
    "recheck": ("recheck.l2_rate_pct", "recheck.l3_rate_pct", "recheck.period"),
    "leads": ("lead.a_interval_days", "lead.b_interval_days", "lead.c_interval_days"),
    "deadlines": ("work_order.dispatch_target_minutes", "work_order.repair_target_hours",
                  "work_order.progress_call_days", "archive.complete_within_days"),
    "complaints": ("complaint.first_response_working_days", "complaint.reply_deadline_days_critical",
                   "complaint.reply_deadline_days", "complaint.reply_deadline_days_minor",
                   "complaint.full_inspection_max"),
    "security": ("auth.idle_timeout_minutes", "auth.session_lifetime_hours", "auth.lockout_attempts",
                 "auth.lockout_minutes"),
    "report": ("report.language", "report.smtp_host", "report.smtp_port", "report.smtp_starttls",
               "report.smtp_sender", "report.recipients"),
    "backup": ("backup.keep_days",),
}


def label(key: str) -> str:
    return tr(f"settings.label.{key}")


def shown(value: object, setting: str, lg: str) -> str:
    """A value as text; the word values (e.g. least_load) and the care grades in the user's language."""
    if setting == "callback.care_grades":
        try:
            return ", ".join(enum_label(g, lg) for g in care_grades(str(value))) or "—"
        except ValueError:  # a hand-edited value: shown as stored
            return str(value)
    key = f"settings.value.{value}"
    return catalog(lg)[key] if key in catalog(lg) else str(value)


def settings_tables(settings: list[dict]) -> None:
    """Read-only: per subject, each setting's name, value, default and meaning (no rule ids on screen)."""
    lg, by_key = lang(), {s["key"]: s for s in settings}
    for group, keys in GROUPS.items():
        _group_heading(group)
        rows = [{"key": label(k), "value": shown(by_key[k]["value"], k, lg),
                 "default": shown(by_key[k]["default"], k, lg), "about": tr(f"settings.about.{k}")}
                for k in keys if k in by_key]
        frame = pd.DataFrame(rows).rename(columns=lambda field: tr(f"settings.col.{field}"))
        st.dataframe(frame, hide_index=True, width="stretch", height="content")


def _group_heading(group: str) -> None:
    st.subheader(tr(f"settings.group.{group}"))
    st.caption(tr(f"settings.group_about.{group}"))


def settings_form(actor, settings: list[dict]) -> None:
    loaded = st.session_state.setdefault(LOADED, {s["key"]: s["value"] for s in settings})
    defaults = {s["key"]: s["default"] for s in settings}
    marks = FieldMarks(FORM, {k: label(k) for k in loaded})
    with st.form(FORM):
        wanted = {}
        for group, keys in GROUPS.items():
            _group_heading(group)
            for key in (k for k in keys if k in loaded):
                wanted[key] = _input(key, loaded[key], defaults.get(key))
                marks.under(key, f"set_{key}")
        submitted = st.form_submit_button(tr("settings_form.save"), type="primary")
    if submitted:
        changed = marks.attempt(lambda: update_settings(engine(), actor, loaded, wanted, clock.now()))
        if changed is not None:
            st.session_state.pop(LOADED, None)
            clear_office_cache()
            st.session_state[FLASH] = phrase("settings_form.saved", count=len(changed))
            st.rerun()
    if st.button(tr("settings_form.reload")):
        st.session_state.pop(LOADED, None)
        marks.forget()
        st.rerun()


def _input(key: str, value: object, default: object):
    lg = lang()
    name = tr(f"settings.label.{key}")
    about = phrase("settings.form.help", about=tr(f"settings.about.{key}"), default=shown(default, key, lg))
    widget = f"set_{key}"
    if key in CHOICES:
        options = list(CHOICES[key])
        return st.selectbox(name, options, index=options.index(value) if value in options else 0, key=widget,
                            help=about, format_func=lambda v: shown(v, key, lg))
    if key == "callback.care_grades":  # C-2: pick grades rather than type them
        chosen = st.multiselect(name, list(CustomerGrade), default=_grades(value), key=widget, help=about,
                                format_func=lambda g: enum_label(g, lg), placeholder=tr("settings.form.no_grades"),
                                select_all=False)
        return ", ".join(chosen)
    if isinstance(value, int):
        return st.number_input(name, value=value, step=1, key=widget, help=about)
    if key == "callback.holidays":
        return st.text_area(name, value=str(value), key=widget, help=about)
    return st.text_input(name, value=str(value), key=widget, help=about)


def _grades(value: object) -> list[CustomerGrade]:
    try:
        return list(care_grades(str(value)))
    except ValueError:  # a hand-edited database value: start from none rather than fail
        return []
