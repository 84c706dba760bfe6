"""The signed-in user, on the Streamlit side. The entry script resolves the session cookie once per
run (st.context.cookies carries the HttpOnly cookie, refreshes included) and runs the page inside
`signed_in_run`; pages then ask page_guard, which stops a page whose role may not open it before any of its
code runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st

from core.accounts.sessions import resolve_session, sign_out
from core.i18n import enum_label
from core.permissions import PAGES, Actor, allowed
from ui import clock
from ui.context import engine, lang, tr
from ui.feedback import apply_resets

COOKIE = "sd_session"
ACTOR_KEY = "_actor"
_UNRESOLVED = object()
# The actor the entry script resolved from the cookie at the top of this very run, set only while it runs the page
# (signed_in_run): page_guard then need not ask the database a second time in the same run (a settings read and a
# session query, issue 15). Never kept past the run, so every run still checks the cookie afresh.
_this_run: ContextVar[object] = ContextVar("actor_this_run", default=_UNRESOLVED)


def session_token() -> str | None:
    """The outside boundary: the cookie the browser sent (tests replace this one function)."""
    return st.context.cookies.get(COOKIE)


def resolve_actor() -> Actor | None:
    actor = resolve_session(engine(), session_token(), clock.now())
    st.session_state[ACTOR_KEY] = actor
    return actor


def current_actor() -> Actor | None:
    return st.session_state.get(ACTOR_KEY)


@contextmanager
def signed_in_run(actor: Actor) -> Iterator[None]:
    """The entry script runs the page inside this, with the actor it resolved at the top of the same run."""
    mark = _this_run.set(actor)
    try:
        yield
    finally:
        _this_run.reset(mark)


def page_guard(page: str) -> Actor:
    """First line of every page: the page's code never runs for a role the permission table refuses.
    The actor is the one the entry script resolved from the cookie in this same run (signed_in_run), never
    one trusted from session_state; a page run any other way than through the entry script resolves the
    cookie itself, so it still meets an expired or ended session. It also empties the widgets a save asked
    to clear (ui.feedback.clear_after_save), for the same reason."""
    resolved = _this_run.get()
    actor = resolve_actor() if resolved is _UNRESOLVED else resolved
    if actor is None or not allowed(actor.role, PAGES[page]):
        st.error(tr("error.forbidden"))
        st.stop()
    apply_resets()  # before the page draws a widget: a form saved on the last run starts empty
    return actor


def signed_out_screen() -> None:
    st.title(tr("app.title"))
    st.info(tr("auth.signed_out"))
    st.link_button(tr("auth.sign_in"), "/auth/signin", type="primary")


def account_sidebar(actor: Actor) -> None:
    st.sidebar.markdown(f"**{tr('auth.signed_in_as')}**")
    st.sidebar.text(f"{actor.display_name} · {enum_label(actor.role, lang())}")
    if st.sidebar.button(tr("auth.sign_out"), key="sign_out"):
        sign_out(engine(), session_token(), clock.now())
        st.session_state.pop(ACTOR_KEY, None)
        st.rerun()
