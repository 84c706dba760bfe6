"""The signed-in user, on the Streamlit side. The entry script resolves the session cookie once per
run (st.context.cookies carries the HttpOnly cookie, refreshes included); pages then ask page_guard,
which stops a page whose role may not open it before any of its code runs."""

from __future__ import annotations

import streamlit as st

from core.accounts.sessions import resolve_session, sign_out
from core.i18n import enum_label
from core.permissions import PAGES, Actor, allowed
from ui import clock
from ui.context import engine, lang, tr
from ui.feedback import apply_resets

COOKIE = "sd_session"
ACTOR_KEY = "_actor"


def session_token() -> str | None:
    """The outside boundary: the cookie the browser sent (tests replace this one function)."""
    return st.context.cookies.get(COOKIE)


def resolve_actor() -> Actor | None:
    actor = resolve_session(engine(), session_token(), clock.now())
    st.session_state[ACTOR_KEY] = actor
    return actor


def current_actor() -> Actor | None:
    return st.session_state.get(ACTOR_KEY)


def page_guard(page: str) -> Actor:
    """First line of every page: the page's code never runs for a role the permission table refuses.
    The session is resolved again from the cookie rather than trusted from session_state, so a page
    run any other way than through the entry script still meets an expired or ended session. It also
    empties the widgets a save asked to clear (ui.feedback.clear_after_save), for the same reason."""
    actor = resolve_actor()
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
