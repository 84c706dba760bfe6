"""What's next on a complaint's record page: the moves the flow table offers this user (CP-2, one form
each), escalating (CP-5, anyone who reads complaints), a note, and on a return of goods the CP-3 returned
goods form. What is offered comes from core.complaints.flow (moves_for, may); the use cases decide."""

from __future__ import annotations

import streamlit as st

from core.complaints.flow import Act, may, moves_for
from core.complaints.goods import ReturnedGoods, full_inspection, record_goods
from core.complaints.queries import complaint_people
from core.complaints.rules import QUANTITY_MAX, TEXT_MAX
from core.complaints.services import add_note, escalate, plan_complaint_call
from core.i18n import enum_label
from db.enums import Remedy
from ui import clock
from ui.complaint_moves import move_form
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, attempt
from ui.text import heading, phrase


def whats_next(actor, detail: dict) -> None:
    """The offered moves (one expander each, the first open), then escalate, note and returned goods. A form
    is submitted on the version of the complaint the user saw when it was drawn (the run before), so a
    move made by someone else in between is refused naming them (compare-and-set), never applied blind."""
    current, ctx = detail["complaint"], detail["context"]
    seen = f"cp_seen_{current['id']}"
    record = current | {"version": st.session_state.get(seen, current["version"])}
    heading("cp.whats_next")
    _offered(actor, record, current, ctx)
    st.session_state[seen] = current["version"]  # what this run showed: the next submission's version


def _offered(actor, record: dict, current: dict, ctx) -> None:
    moves = moves_for(current, actor, ctx)
    if moves:
        people = complaint_people(engine())
        for n, move in enumerate(moves):
            with st.expander(tr(f"cp.do.{move.value}"), expanded=n == 0):
                move_form(actor, record, move, people)
    else:
        st.caption(tr("cp.nothing_to_do"))
    if may(Act.PLAN_CALL, current, actor, ctx):  # CB-2: this round has no complaint call still to be made
        _plan_call(actor, current)
    if may(Act.GOODS, current, actor, ctx):
        with st.expander(tr("cp.do.goods")):
            goods_form(actor, record)
    if may(Act.ESCALATE, current, actor, ctx):
        with st.expander(tr("cp.do.escalate")):
            _text_form(actor, record, "escalate", "cp.escalation_reason", "reason")
    if may(Act.NOTE, current, actor, ctx):
        with st.expander(tr("cp.do.note")):
            _text_form(actor, record, "note", "cp.note", "note")


def _plan_call(actor, record: dict) -> None:
    st.caption(tr("cp.call.none_to_make"))
    if st.button(tr("cp.do.plan_call"), key="cpa_plan_call"):
        if attempt(lambda: plan_complaint_call(engine(), actor, record["id"], clock.now()) or True) is not None:
            _done("plan_call")


def _done(step: str) -> None:
    st.session_state[FLASH] = phrase("cp.moved", step=tr(f"cp.done.{step}"))
    st.rerun()


def _text_form(actor, record: dict, act: str, label_key: str, field: str) -> None:
    """CP-5 escalation (a reason, on this version of the complaint) or a note on its history."""
    marks = FieldMarks(f"cpa_{act}")
    with st.form(f"cpa_{act}"):
        text = st.text_area(tr(label_key) + tr(MARK), key=f"cpa_{act}_{field}", max_chars=TEXT_MAX, height=80)
        marks.under(field, f"cpa_{act}_{field}")
        submitted = st.form_submit_button(tr(f"cp.do.{act}"))
    if submitted:
        now = clock.now()
        if marks.attempt(lambda: _save(actor, record, act, text, now)) is not None:
            _done(act)


def _save(actor, record: dict, act: str, text: str, now) -> bool:
    if act == "escalate":
        escalate(engine(), actor, record["id"], record["version"], text, now)
    else:
        add_note(engine(), actor, record["id"], text, now)
    return True


def _number(field: str, value) -> int | None:
    return st.number_input(tr(f"cp.{field}"), min_value=0, max_value=QUANTITY_MAX, step=1, value=value,
                           key=f"cpg_{field}")


def _inspection_hint(record: dict) -> None:
    """CP-3: small returns are inspected in full, batches by sample (complaint.full_inspection_max)."""
    limit = int(office().get("complaint.full_inspection_max"))
    st.caption(phrase("cp.inspection_rule", limit=limit))
    if record.get("return_quantity"):
        full = full_inspection(record["return_quantity"], office())
        st.caption(tr("cp.full_inspection" if full else "cp.sample_inspection"))


def goods_form(actor, record: dict) -> None:
    """CP-3 returned goods: how many came back, isolated and labelled, the inspection and the remedy."""
    lg, marks = lang(), FieldMarks("cpg")
    _inspection_hint(record)
    with st.form("cpg"):
        values = {"return_quantity": _number("return_quantity", record.get("return_quantity"))}
        marks.under("return_quantity", "cpg_return_quantity")
        values["isolated_labelled"] = st.checkbox(tr("cp.isolated_labelled"), value=bool(record.get(
            "isolated_labelled")), key="cpg_isolated_labelled")
        marks.under("isolated_labelled", "cpg_isolated_labelled")
        for field in ("inspected_quantity", "defects_found"):
            values[field] = _number(field, record.get(field))
            marks.under(field, f"cpg_{field}")
        values["inspection_result"] = st.text_area(tr("cp.inspection_result"), value=record.get(
            "inspection_result") or "", key="cpg_inspection_result", max_chars=TEXT_MAX, height=80)
        marks.under("inspection_result", "cpg_inspection_result")
        remedies = list(Remedy)
        values["remedy"] = st.selectbox(tr("cp.remedy"), remedies, index=remedies.index(record["remedy"]) if record.get(
            "remedy") in remedies else None, key="cpg_remedy", format_func=lambda m: enum_label(m, lg),
            placeholder=tr("cp.choose"))
        marks.under("remedy", "cpg_remedy")
        answers = {None: tr("cp.not_yet"), True: tr("common.yes"), False: tr("common.no")}
        values["remedy_accepted"] = st.selectbox(tr("cp.remedy_accepted"), list(answers), key="cpg_remedy_accepted",
                                                 index=list(answers).index(record.get("remedy_accepted")),
                                                 format_func=answers.get)
        marks.under("remedy_accepted", "cpg_remedy_accepted")
        submitted = st.form_submit_button(tr("cp.do.goods"))
    if submitted:
        goods, now = ReturnedGoods(**values), clock.now()
        if marks.attempt(lambda: record_goods(engine(), actor, record["id"], record["version"], goods, office(),
                                              now)) is not None:
            _done("goods")
