"""The front door: page config, the signed-in user, language, and the navigation of the pages their
role may open (core.permissions). A page outside the role's navigation cannot be reached by URL: the
navigation lands on the default page, and every page script checks again (ui.auth.page_guard)."""

import logging
from pathlib import Path

import streamlit as st

from core.permissions import pages_for
from ui import clock
from ui.auth import account_sidebar, resolve_actor, signed_in_run, signed_out_screen
from ui.chrome import streamlit_texts
from ui.context import lang, language_switch, tr
from ui.feedback import refused_notice, said_database_trouble, show_flash
from ui.find_customer import sidebar_search
from ui.nav import PAGES

# A file of our own: a ":material/...:" page icon makes the browser fetch it from an outside font host, and an
# office app on a LAN asks no host but its own (issue 9; tests/e2e/test_http_surface_in_browser.py).
PAGE_ICON = Path(__file__).with_name("assets") / "page_icon.svg"
st.set_page_config(page_title=tr("app.title"), page_icon=str(PAGE_ICON), layout="wide")  # the tab, in the language
clock.start_run()  # this run's one instant: every page and form of the run reads ui.clock.now()


language_switch()
streamlit_texts(lang())  # Streamlit's own English that no parameter reaches (ui.chrome)
try:
    actor = resolve_actor()
except Exception as exc:  # the database down or full: say so (issue 15, "Faults"); anything else is a bug
    if not said_database_trouble(exc):
        raise
    st.stop()
if actor is None:
    signed_out_screen()
    st.stop()
account_sidebar(actor)
show_flash()

allowed = pages_for(actor.role)
nav = st.navigation([
    st.Page(f"pages/{name}.py", title=tr(f"nav.{name}"), icon=PAGES[name][0], url_path=PAGES[name][1],
            default=(i == 0))
    for i, name in enumerate(allowed)
], expanded=True)  # every page of the role shown: Streamlit's "View N more" cannot be translated
sidebar_search(allowed)  # C-1: find a customer from any page
refused_notice(allowed, nav.url_path == "")  # a link to no page of the role was sent here: say so, once
try:
    with signed_in_run(actor):  # the page's guard takes this run's actor: the cookie is resolved once a run
        nav.run()
except Exception as exc:  # the database down or full: say so; a page's bug: log it, a friendly message, no traceback
    if not said_database_trouble(exc):
        logging.getLogger("servicedesk").exception("page %s failed", nav.url_path)
        st.error(tr("app.error"))
    st.stop()  # a stopped run keeps the widgets the page did not reach, and what was typed in them
