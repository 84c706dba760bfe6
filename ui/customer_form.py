"""Correcting a customer's record (C-1, C-3) with no lost updates: the form remembers the version it
was loaded at; a save against a newer version is refused naming who changed it and when, the typed
input stays on screen, and "Reload" fetches the current record to apply the change again."""

from __future__ import annotations

import streamlit as st

from core.clock import office_day
from core.customers.services import update_customer
from core.i18n import enum_label
from core.phones import grouped
from db.enums import ArchiveValidity, CustomerGrade
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, required_legend

TEXT_FIELDS = ("name", "phone", "email", "address", "city", "notes")
MUST = ("name", "phone")  # C-1: a record is never without them


def _keys(customer_id: int) -> dict[str, str]:
    return {f: f"cu_edit_{customer_id}_{f}" for f in (*TEXT_FIELDS, "grade", "validity", "version")}


def _forget(customer_id: int) -> None:
    for key in _keys(customer_id).values():
        st.session_state.pop(key, None)


def customer_edit_form(actor, customer: dict) -> None:
    keys, cid = _keys(customer["id"]), customer["id"]
    st.session_state.setdefault(keys["version"], customer["version"])
    marks, lg = FieldMarks(f"cu_edit_{cid}"), lang()
    with st.form(f"cu_edit_{cid}"):
        values = {}
        for f in TEXT_FIELDS:
            values[f] = st.text_input(tr(f"cu.{f}") + (tr(MARK) if f in MUST else ""), value=_shown(customer, f),
                                      key=keys[f])
            marks.under(f, keys[f])
        for f, enum_cls in (("grade", CustomerGrade), ("validity", ArchiveValidity)):
            options = [m.value for m in enum_cls]
            values[f] = st.selectbox(tr(f"cu.{f}"), options, key=keys[f], index=options.index(customer[f]),
                                     format_func=lambda v, e=enum_cls: enum_label(e(v), lg))
            marks.under(f, keys[f])
        required_legend()
        saved = st.form_submit_button(tr("cu.save"))
    if saved:
        _save(actor, customer, values, marks)
    if st.button(tr("cu.reload"), key=f"cu_reload_{cid}"):
        _forget(cid)
        marks.forget()
        st.rerun()


def _shown(customer: dict, field: str) -> str:
    """A field as the form first shows it: the phone grouped the office's way (C-1), others as stored."""
    value = customer.get(field) or ""
    return grouped(value, office().phone_region) if field == "phone" else value


def _save(actor, customer: dict, values: dict, marks: FieldMarks) -> None:
    changes = {f: v for f, v in values.items() if _shown(customer, f) != (v or "")}
    if not changes:
        st.info(tr("cu.no_changes"))
        return
    now = clock.now()
    today = office_day(now, office().timezone)
    version = st.session_state[_keys(customer["id"])["version"]]
    saved = marks.attempt(lambda: update_customer(engine(), actor, customer["id"], version, changes, now, today))
    if saved is not None:
        _forget(customer["id"])
        st.session_state[FLASH] = tr("cu.saved")
        st.rerun()
