"""Correcting a customer's record (C-1, C-3) with no lost updates: the form remembers the version it
was loaded at; a save against a newer version is refused naming who changed it and when, the typed
input stays on screen, and "Reload" fetches the current record to apply the change again."""

from __future__ import annotations

import streamlit as st

from core.clock import office_day
from core.customers.services import update_customer
from core.i18n import enum_label
from db.enums import ArchiveValidity, CustomerGrade
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, attempt

TEXT_FIELDS = ("name", "phone", "email", "address", "city", "notes")


def _keys(customer_id: int) -> dict[str, str]:
    return {f: f"cu_edit_{customer_id}_{f}" for f in (*TEXT_FIELDS, "grade", "validity", "version")}


def _forget(customer_id: int) -> None:
    for key in _keys(customer_id).values():
        st.session_state.pop(key, None)


def customer_edit_form(actor, customer: dict) -> None:
    keys, cid = _keys(customer["id"]), customer["id"]
    st.session_state.setdefault(keys["version"], customer["version"])
    with st.form(f"cu_edit_{cid}"):
        values = {f: st.text_input(tr(f"cu.{f}"), value=customer.get(f) or "", key=keys[f]) for f in TEXT_FIELDS}
        values["grade"] = st.selectbox(tr("cu.grade"), [g.value for g in CustomerGrade], key=keys["grade"],
                                       index=[g.value for g in CustomerGrade].index(customer["grade"]),
                                       format_func=lambda v: enum_label(CustomerGrade(v), lang()))
        values["validity"] = st.selectbox(
            tr("cu.validity"), [v.value for v in ArchiveValidity], key=keys["validity"],
            index=[v.value for v in ArchiveValidity].index(customer["validity"]),
            format_func=lambda v: enum_label(ArchiveValidity(v), lang()))
        saved = st.form_submit_button(tr("cu.save"))
    if saved:
        _save(actor, customer, values)
    if st.button(tr("cu.reload"), key=f"cu_reload_{cid}"):
        _forget(cid)
        st.rerun()


def _save(actor, customer: dict, values: dict) -> None:
    changes = {f: v for f, v in values.items() if (customer.get(f) or "") != (v or "")}
    if not changes:
        st.info(tr("cu.no_changes"))
        return
    now = clock.now()
    today = office_day(now, office().timezone)
    version = st.session_state[_keys(customer["id"])["version"]]
    if attempt(lambda: update_customer(engine(), actor, customer["id"], version, changes, now, today)) is not None:
        _forget(customer["id"])
        st.session_state[FLASH] = tr("cu.saved")
        st.rerun()
