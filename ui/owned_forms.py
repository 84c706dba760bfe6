"""C-5's list made actionable on the customer's page (C-1): add a product, add a contact, correct a product's
details (core.customers.owned). A refusal is shown under its field and the typed values stay; a correction
keeps the details it was loaded with, so a save over somebody else's newer ones is refused naming them."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.customers.owned import DETAILS, add_contact, add_product, correct_product
from ui import clock
from ui.context import engine, tr
from ui.feedback import FLASH, FieldMarks

OLDEST, LATEST = date(1990, 1, 1), date(2100, 1, 1)
TEXTS = ("model", "order_no", "spec", "serial_no", "place", "usage")
DATES = ("purchase_date", "effective_date", "delivery_date")


LABELS = {f: f"import.field.{f}" for f in (*TEXTS, *DATES)} | {"effective_date": "owned.effective_date"}


def _saved(key: str) -> None:
    st.session_state[FLASH] = tr(key)
    st.rerun()


def new_product_form(actor, customer_id: int) -> None:
    """A product owned, with its order's dates (the save plans its CB-2 calls)."""
    marks = FieldMarks(f"np_{customer_id}")
    with st.form(f"np_{customer_id}"):
        cols, typed = st.columns(3), {}
        for i, f in enumerate(TEXTS):
            typed[f] = cols[i % 3].text_input(tr(LABELS[f]), key=f"np_{f}_{customer_id}")
            marks.under(f, f"np_{f}_{customer_id}", where=cols[i % 3])
        for i, f in enumerate(DATES):
            typed[f] = cols[i].date_input(tr(LABELS[f]), value=None, min_value=OLDEST, max_value=LATEST,
                                          key=f"np_{f}_{customer_id}")
            marks.under(f, f"np_{f}_{customer_id}", where=cols[i])
        asked = st.form_submit_button(tr("owned.add_product"))
    if asked and marks.attempt(lambda: add_product(engine(), actor, customer_id, typed, clock.now())):
        _saved("owned.product_added")


def new_contact_form(actor, customer_id: int) -> None:
    marks = FieldMarks(f"nk_{customer_id}")
    with st.form(f"nk_{customer_id}"):
        cols, typed = st.columns(2), {}
        for i, f in enumerate(("name", "title", "phone", "email")):
            typed[f] = cols[i % 2].text_input(tr(f"owned.contact_{f}"), key=f"nk_{f}_{customer_id}")
            marks.under(f, f"nk_{f}_{customer_id}", where=cols[i % 2])
        asked = st.form_submit_button(tr("owned.add_contact"))
    if asked and marks.attempt(lambda: add_contact(engine(), actor, customer_id, typed, clock.now())):
        _saved("owned.contact_added")


def product_details_form(actor, products: list[dict]) -> None:
    """A product's model, spec, serial / plate number, place and usage corrected (compare-and-set)."""
    options = {p["id"]: p for p in products}
    pid = st.selectbox(tr("product_form.product"), list(options), key="pdx_product",
                       format_func=lambda i: f"{options[i]['order_no']} · {options[i]['model']}")
    loaded = st.session_state.setdefault(f"pdx_loaded_{pid}", {f: options[pid][f] for f in DETAILS})
    marks = FieldMarks(f"pdx_{pid}")
    with st.form(f"pdx_{pid}"):
        cols, typed = st.columns(3), {}
        for i, f in enumerate(DETAILS):
            shown = "" if loaded[f] is None else str(loaded[f])
            typed[f] = cols[i % 3].text_input(tr(LABELS[f]), value=shown, key=f"pdx_{f}_{pid}")
            marks.under(f, f"pdx_{f}_{pid}", where=cols[i % 3])
        asked = st.form_submit_button(tr("owned.save_details"))
    if asked and marks.attempt(lambda: correct_product(engine(), actor, pid, loaded, typed, clock.now()) or True):
        st.session_state.pop(f"pdx_loaded_{pid}", None)
        _saved("owned.details_saved")
