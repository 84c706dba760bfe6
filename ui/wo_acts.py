"""What is done on a work order without moving it (core.work_orders.flow.Act), offered from the same table
(`may`): the fee of a paid order in money with whether it was collected on site (WO-8), a manager's special
approval with its reason (WO-5), and a note. The signatures and the manager's countersign (WO-6) are
ui.wo_signatures'."""

from __future__ import annotations

import streamlit as st

from core.errors import Invalid
from core.fmt import amount_text
from core.work_orders.flow import Act, may
from core.work_orders.rules import TEXT_MAX
from core.work_orders.services import add_note, approve, record_fee
from ui import clock
from ui.context import engine, tr
from ui.feedback import FLASH, MARK, FieldMarks, clear_after_save
from ui.lead_form import cents
from ui.text import phrase


def _done(act: Act) -> None:
    st.session_state[FLASH] = phrase("wo.moves.moved", step=tr(f"wo.moves.done.{act.value}"))
    st.rerun()


def _fee_cents(typed: str) -> int:
    """The typed fee in cents: blank is 0 (the use case asks for an amount); what is not a number at all is
    refused here, saying so, rather than as an amount not above zero."""
    value = cents(typed)
    if value == -1:
        raise Invalid("wo.fin2.fee_not_a_number", field="fee_cents")
    return value or 0


def _fee(actor, record: dict) -> None:
    """WO-8: the fee in money (parsed as a decimal, sent in cents), collected on site or invoiced."""
    marks = FieldMarks("woa_fee")
    with st.form("woa_fee"):
        shown = amount_text(record.get("fee_cents") or None)
        amount = st.text_input(tr("wo.moves.fee_amount") + tr(MARK), value=shown, key="woa_fee_amount",
                               placeholder="280.00")
        marks.under("fee_cents", "woa_fee_amount")
        on_site = st.checkbox(tr("wo.fee_collected_on_site"), value=bool(record.get("fee_collected_on_site")),
                              key="woa_fee_on_site")
        marks.under("fee_collected_on_site", "woa_fee_on_site")
        submitted = st.form_submit_button(tr("wo.moves.do.fee"), type="primary")
    if submitted:
        now = clock.now()  # blank, unreadable or not above zero: refused beside the box
        if marks.attempt(lambda: record_fee(engine(), actor, record["id"], record["version"], _fee_cents(amount),
                                            on_site, now)) is not None:
            _done(Act.FEE)


def _text(actor, record: dict, act: Act) -> None:
    """A special approval's reason (WO-5, recorded on the order) or a note on its history."""
    marks, k = FieldMarks(f"woa_{act.value}"), f"woa_{act.value}_text"
    with st.form(f"woa_{act.value}"):
        label = tr("wo.moves.approval_reason") if act == Act.APPROVE else tr("wo.moves.note_text")
        text = st.text_area(label + tr(MARK), key=k, max_chars=TEXT_MAX, height=80)
        marks.under("reason" if act == Act.APPROVE else "note", k)
        submitted = st.form_submit_button(tr(f"wo.moves.do.{act.value}"))
    if submitted:
        now = clock.now()
        if act == Act.APPROVE:
            done = marks.attempt(lambda: approve(engine(), actor, record["id"], record["version"], text, now))
        else:
            done = marks.attempt(lambda: add_note(engine(), actor, record["id"], text, now) or True)
        if done is not None:
            if act == Act.NOTE:
                clear_after_save({k: ""})  # saved: the box starts empty, so the note is not added twice
            _done(act)


FORMS = {  # what each act asks for, in the order the record offers them
    Act.FEE: _fee, Act.APPROVE: lambda actor, record: _text(actor, record, Act.APPROVE),
    Act.NOTE: lambda actor, record: _text(actor, record, Act.NOTE),
}


def acts(actor, record: dict, ctx) -> None:
    """The acts this user may do on the order now, one expander each."""
    for act, form in FORMS.items():
        if may(act, record, actor, ctx):
            with st.expander(tr(f"wo.moves.do.{act.value}")):
                form(actor, record)
