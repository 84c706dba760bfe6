"""Recording or correcting a product's order dates (C-1) on the customer page; the save plans the CB-2
first and new-customer calls at once (core.customers.services). The form keeps the dates it was loaded with, so a
save over somebody else's newer dates is refused naming them, and the typed dates stay on screen."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.customers.rules import OrderDates
from core.customers.services import set_order_dates
from ui import clock
from ui.context import engine, tr
from ui.feedback import FLASH, FieldMarks
from ui.text import phrase

OLDEST = date(1990, 1, 1)


def _keys(pid: int) -> list[str]:
    return [f"pd_loaded_{pid}", f"pd_eff_{pid}", f"pd_dlv_{pid}"]


def _forget(pid: int) -> None:
    for key in _keys(pid):
        st.session_state.pop(key, None)


def product_dates_form(actor, products: list[dict]) -> None:
    st.caption(tr("product_form.help"))
    options = {p["id"]: p for p in products}
    pid = st.selectbox(tr("product_form.product"), list(options), key="pd_product", placeholder=tr("widget.choose"),
                       format_func=lambda i: f"{options[i]['order_no']} · {options[i]['model']}")
    loaded_key, eff_key, dlv_key = _keys(pid)
    loaded = st.session_state.setdefault(
        loaded_key, OrderDates(options[pid]["effective_date"], options[pid]["delivery_date"]))
    marks = FieldMarks(f"pd_{pid}")
    with st.form(f"pd_{pid}"):
        c1, c2 = st.columns(2)
        eff = c1.date_input(tr("product_form.effective_date"), value=loaded.effective_date, min_value=OLDEST,
                            max_value=date(2100, 1, 1), key=eff_key)
        marks.under("effective_date", eff_key, where=c1)
        dlv = c2.date_input(tr("product_form.delivery_date"), value=loaded.delivery_date, min_value=OLDEST,
                            max_value=date(2100, 1, 1), key=dlv_key)
        marks.under("delivery_date", dlv_key, where=c2)
        saved = st.form_submit_button(tr("product_form.save"))
    if saved:
        _save(actor, pid, loaded, OrderDates(eff, dlv), marks)
    if st.button(tr("product_form.reload"), key=f"pd_reload_{pid}"):
        _forget(pid)
        marks.forget()
        st.rerun()


def _save(actor, pid: int, loaded: OrderDates, wanted: OrderDates, marks: FieldMarks) -> None:
    if wanted == loaded:
        st.info(tr("product_form.no_changes"))
        return
    created = marks.attempt(lambda: set_order_dates(engine(), actor, pid, loaded, wanted, clock.now()))
    if created is not None:
        _forget(pid)
        st.session_state[FLASH] = (phrase("product_form.saved_planned", count=len(created)) if created
                                   else tr("product_form.saved"))
        st.rerun()
