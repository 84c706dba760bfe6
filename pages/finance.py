"""Finance (WO-8): the week's paid orders (number, customer, fee, collected on site or to invoice, invoice
number) with their totals; an invoice number entered per order while the week is open; the week signed off
after a confirmation, which settles its orders; a signed week read-only with who signed it and when; the
list exported to Excel."""

import streamlit as st

from core.work_orders import finance
from db.enums import WorkOrderStatus
from ui import clock, feedback, listing
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.export import offer, rows_of
from ui.text import joined, phrase
from ui.widgets import cell_formats, table
from ui.wo_work import week_totals

COLUMNS = {"number": ("wo.number", "text"), "customer": ("wo.customer", "text"), "fee_cents": ("wo.fee", "money"),
           "collected_on_site": ("wo.finance.collected_on_site", "bool"), "invoice_no": ("wo.invoice_no", "text"),
           "status": ("wo.status", "enum")}


def invoice_form(row: dict) -> None:
    """One order's invoice number, saved on its own (Act.INVOICE; refused once the week is signed)."""
    with st.form(f"invoice_{row['id']}", border=True):
        st.markdown(joined([row["number"], row["customer"], cell_formats()["money"](row["fee_cents"])], " · "))
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        typed = left.text_input(tr("wo.finance.invoice_no"), value=row["invoice_no"] or "",
                                key=f"invoice_no_{row['id']}_{row['version']}")
        if right.form_submit_button(tr("wo.finance.save_invoice"), key=f"save_invoice_{row['id']}"):
            feedback.attempt(lambda: finance.set_invoice(engine(), actor, row["id"], row["version"], typed,
                                                         clock.now()), "wo.finance.invoice_saved", rerun=True)


def sign_off(week: dict) -> None:
    confirmed = st.checkbox(tr("wo.finance.confirm"), key=f"confirm_{week['week_start']}")
    if not st.button(tr("wo.finance.sign_off"), type="primary", icon=":material/approval:"):
        return
    if not confirmed:
        st.error(tr("wo.finance.confirm_required"))
        return
    count = feedback.attempt(lambda: finance.sign_week(engine(), actor, week["week_start"], office(), clock.now()))
    if count is not None:
        st.session_state[feedback.FLASH] = phrase("wo.finance.signed_now", count=count)
        st.rerun()


def show_week(week: dict) -> None:
    if week["signed_at"] is not None:
        when = cell_formats()["datetime"](week["signed_at"])
        st.success(phrase("wo.finance.signed", who=week["signed_by"], when=when))
    else:
        st.caption(tr("wo.finance.open_week"))
    week_totals(week)
    if not week["rows"]:
        st.info(tr("wo.finance.empty"))
        return
    table(week["rows"], COLUMNS)
    offer("finance_week", COLUMNS, rows_of(week["rows"]))
    if week["signed_at"] is None:
        for row in week["rows"]:
            if row["status"] == WorkOrderStatus.ACCEPTED:
                invoice_form(row)
        if finance.is_over(week["week_start"], clock.now(), office().timezone):
            sign_off(week)
        else:
            st.caption(tr("wo.week.not_over"))


actor = page_guard("finance")
st.title(tr("nav.finance"))
feedback.show_flash()
tz = office().timezone
weeks = finance.paid_weeks(engine(), actor, clock.now(), tz)
on_change, args = listing.bind(listing.choice("week", weeks, weeks[0]))  # ?week=2026-06-15: a link shows it
chosen = st.selectbox(tr("wo.finance.week"), weeks, key="week", on_change=on_change, args=args,
                      format_func=lambda w: tr("wo.finance.week_option", start=cell_formats()["date"](w)))
show_week(finance.week_orders(engine(), actor, chosen, tz))
