"""A manager moves every open callback of the filtered list (all its pages, not the page shown) to another
person in one step (issue 10: a departing specialist's 142 overdue callbacks): the box says how many will
move, counted in SQL with the list's own filter, asks to confirm, and reports how many moved.
core.callbacks.services.reassign_matching checks the role and the target, moves them in one transaction and
audits each change."""

from __future__ import annotations

import streamlit as st

from core.callbacks.queries import CallbackFilter, reassign_count
from core.callbacks.services import reassign_matching
from ui import clock
from ui.context import engine, office, tr
from ui.feedback import FLASH, attempt, clear_after_save
from ui.text import phrase

SURE, TARGET, SIGNED = "cb_re_sure", "cb_re_to", "cb_re_sig"


def reassign_box(actor, flt: CallbackFilter, people: dict[int, str]) -> None:
    with st.expander(tr("cb.reassign.title")):
        target = st.selectbox(tr("cb.reassign.to"), list(people), index=None, format_func=people.get, key=TARGET,
                              placeholder=tr("cb.reassign.to_hint"))
        count = reassign_count(engine(), actor, flt, office().timezone, clock.now(), target)
        signed = st.session_state.get(SIGNED)
        # A confirmation holds for the list, the person and the number it was given for: when only the number
        # changed (callbacks added or finished meanwhile), the tick is undone and the box says so.
        changed = bool(st.session_state.get(SURE)) and signed is not None and signed[:2] == (flt, target) \
            and signed[2] != count
        if signed != (flt, target, count):
            st.session_state[SIGNED], st.session_state[SURE] = (flt, target, count), False
        if changed:
            st.warning(phrase("cb.reassign.count_changed", count=count, expected=signed[2]))
        if target is None:
            st.caption(phrase("cb.reassign.scope_any", count=count))
        else:
            st.warning(phrase("cb.reassign.scope", count=count, who=people[target]))
        sure = st.checkbox(phrase("cb.reassign.confirm", count=count), key=SURE)
        if st.button(tr("cb.reassign.go"), key="cb_re_go") and not changed:  # changed: already said, none moved
            _move(actor, flt, target, people, count, confirmed=sure or target is None or count == 0)


def _move(actor, flt: CallbackFilter, target: int | None, people: dict[int, str], count: int,
          confirmed: bool) -> None:
    """Unconfirmed: say so and move nothing. No target or nothing to move: core's refusal, shown as it is.
    Core moves only when the number moving is still the one confirmed (`expected`), in its transaction."""
    if not confirmed:
        st.warning(tr("cb.reassign.not_confirmed"))
        return
    moved = attempt(lambda: reassign_matching(engine(), actor, flt, office().timezone, target, clock.now(),
                                              expected=count if target is not None else None))
    if moved is not None:
        clear_after_save({SURE: False, TARGET: None})
        st.session_state[FLASH] = phrase("cb.reassign.done", count=moved, who=people.get(target, "?"))
        st.rerun()
