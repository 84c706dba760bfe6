"""Managers hand callbacks of the shown page to another specialist, one or many at once (issue 4);
core.scheduling.assignment.reassign checks the role and the target, and audits each change."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.scheduling.assignment import reassign
from ui import clock
from ui.context import engine, tr
from ui.feedback import FLASH, attempt
from ui.text import phrase


def reassign_box(actor, rows: list[dict], people: dict[int, str], label: Callable[[dict], str]) -> None:
    labels = {r["id"]: label(r) for r in rows}
    with st.expander(tr("cb.reassign.title")), st.form("cb_reassign"):
        chosen = st.multiselect(tr("cb.reassign.which"), list(labels), format_func=labels.get, key="cb_re_ids")
        target = st.selectbox(tr("cb.reassign.to"), list(people), format_func=people.get, key="cb_re_to")
        if st.form_submit_button(tr("cb.reassign.go")):
            moved = attempt(lambda: reassign(engine(), actor, chosen, target, clock.now()))
            if moved is not None:
                st.session_state[FLASH] = phrase("cb.reassign.done", count=len(moved), who=people[target])
                st.rerun()
