"""A changed window setting and the open callbacks planned before it (issue 9, CB-2): the admin sees, per
setting, how many open callbacks applying it would move and how many would fall overdue at once, and
applies it only after ticking that they read the numbers. core.scheduling.windows counts and moves."""

from __future__ import annotations

import streamlit as st

from core.scheduling import windows
from ui import clock
from ui.context import engine, tr
from ui.feedback import FLASH, attempt
from ui.settings_form import label
from ui.text import phrase


def window_apply_box(actor) -> None:
    pending = windows.preview(engine(), actor, clock.now())
    if not pending:
        return
    st.subheader(tr("settings_window.title"))
    st.caption(tr("settings_window.explain"))
    for p in pending:
        with st.container(border=True):
            st.warning(phrase("settings_window.pending", setting=label(p.setting), days=p.days, moving=p.moving,
                          overdue=p.fall_overdue))
            sure = st.checkbox(phrase("settings_window.confirm", setting=label(p.setting)), key=f"win_sure_{p.setting}")
            if st.button(tr("settings_window.apply"), key=f"win_apply_{p.setting}", disabled=not sure):
                _apply(actor, p.setting)


def _apply(actor, setting: str) -> None:
    done = attempt(lambda: windows.apply(engine(), actor, setting, clock.now()))
    if done is not None:
        st.session_state[FLASH] = phrase("settings_window.applied", setting=label(setting), moving=done.moving,
                                     overdue=done.fall_overdue)
        st.rerun()
