"""Running a use case from a page: a DomainError becomes a clear message in the user's language, the
user's input stays on screen, and nothing was written (the use case's transaction rolled back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import streamlit as st

from core.errors import DomainError, Unchanged
from core.fmt import fmt_datetime
from ui.context import lang, office, tr
from ui.text import Markdown, phrase, plain

T = TypeVar("T")


def message_of(err: DomainError) -> Markdown:
    """The error's catalog text; its parameters (who won a race, a typed value) shown as plain text."""
    params = {k: fmt_datetime(v, lang(), office().timezone) if isinstance(v, datetime) else v
              for k, v in err.params.items()}
    params.setdefault("when", "?")
    return phrase(err.key, **params)


FLASH = "_flash"


def attempt(action: Callable[[], T], success_key: str | None = None, rerun: bool = False) -> T | None:
    """Run `action`; on a DomainError show its message and return None. With `rerun`, a success reruns
    the page so everything shown reflects the change, and the success message survives the rerun. A save
    that changed nothing is said neutrally, not as an error nor as a success."""
    try:
        result = action()
    except Unchanged as err:
        st.info(plain(message_of(err)))
        return None
    except DomainError as err:
        st.error(plain(message_of(err)))
        return None
    if success_key and rerun:
        st.session_state[FLASH] = phrase(success_key)
        st.rerun()
    if success_key:
        st.success(tr(success_key))
    return result


REFUSED = "_refused"


def attempt_in_callback(action: Callable[[], T]) -> T | None:
    """Run `action` from a widget's on_click callback, which Streamlit runs before the page script: so the
    page, drawn next, reads the records after the action (a card never shows the state from before it), and
    a click is never lost because the button is no longer drawn on that run. A DomainError's message is kept
    for `show_refusal`, which the page calls where the message belongs."""
    try:
        return action()
    except DomainError as err:
        st.session_state[REFUSED] = message_of(err)
        return None


def show_refusal() -> None:
    message = st.session_state.pop(REFUSED, None)
    if message:
        st.error(plain(message))  # message_of's text: plain passes it through as it is


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.toast(plain(message), icon=":material/check_circle:")  # a raw message is escaped whole


RESETS = "_resets"


def clear_after_save(values: dict[str, object]) -> None:
    """Put these widgets back to these values on the next run (a saved form starts empty, so it cannot be
    saved twice by mistake). Popping a widget's key is not enough: the browser would keep the typed text."""
    st.session_state[RESETS] = {**st.session_state.get(RESETS, {}), **values}  # assigned, not mutated in place


def apply_resets() -> None:
    """Called by ui.auth.page_guard before the page draws its widgets, when assigning them is allowed."""
    for key, value in st.session_state.pop(RESETS, {}).items():
        st.session_state[key] = value
