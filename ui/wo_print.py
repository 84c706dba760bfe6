"""WO-9 on the work order's record: "Print the customer's copy" (the print-ready page, in a new tab) and the
copy as a PDF, offered once the order is completed. The PDF is made when the button is clicked, not on
every run of the page."""

from __future__ import annotations

import streamlit as st

from core.office.settings import Office
from core.permissions import Actor
from core.work_orders.copy import customer_copy, printable
from ui.context import engine, lang, office, tr
from ui.wo_copy_html import copy_url
from ui.wo_copy_pdf import render_copy_pdf


def copy_links(actor: Actor, detail: dict) -> None:
    """The two ways to the customer's copy, for an order completed or later (nothing before)."""
    order = detail["order"]
    if not printable(order["status"]):
        return
    code = lang()
    left, right = st.columns(2)
    left.link_button(tr("wo.copy.print"), copy_url(order["id"], code), help=tr("wo.copy.print_help"),
                     icon=":material/print:")
    right.download_button(tr("wo.copy.pdf"), data=_pdf_of(engine(), actor, order["id"], code, office()),
                          file_name=f"{order['number']}.pdf", mime="application/pdf", on_click="ignore",
                          icon=":material/picture_as_pdf:", key=f"wo_copy_pdf_{order['id']}")


def _pdf_of(db, actor: Actor, order_id: int, code: str, settings: Office):
    """The PDF's maker, run by Streamlit on the click, outside the page's run: it needs no st.* call."""

    def make() -> bytes:
        return render_copy_pdf(customer_copy(db, actor, order_id, code, settings))

    return make
