"""What `streamlit run launcher.py` serves: the Streamlit app plus its own sign-in routes and the
middleware that sends a browser without a session to them. At start, a real office without an
administrator gets its one-time setup code printed on this console (ui.web_auth.announce_setup_code).
Script errors are logged on the server; the browser gets a friendly message (streamlit_app.py) and no
traceback (.streamlit/config.toml). Every response carries the security headers, and Streamlit's metrics
and agent routes answer nobody (ui.web_security). While the server runs, a scheduler builds the weekly office
report every Monday morning (ui.report_schedule; REPORT_SCHEDULER=off leaves it to cron)."""

import logging
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from ui.export_route import ROUTES as EXPORT_ROUTES
from ui.report_schedule import scheduler_for_the_server
from ui.web_auth import ROUTES, RequireSignIn, setup_code_at_start
from ui.web_security import CloseInternalRoutes, SecurityHeaders
from ui.wo_print_route import ROUTES as PRINT_ROUTES

log = logging.getLogger("servicedesk")


@asynccontextmanager
async def lifespan(app):
    """The server's life: the setup code announced at start, the weekly report's scheduler running throughout."""
    async with setup_code_at_start(app), scheduler_for_the_server(app):
        yield


def _log_script_error(exc: Exception) -> bool:
    log.error("script error", exc_info=exc)
    return False


# Streamlit treats a `pages/` folder as a legacy multipage app, running the file named by the URL
# directly (around streamlit_app.py and its sign-in), until some run in the process has called
# st.navigation. This app always navigates through streamlit_app.py: switch the legacy mode off before
# the first request. (Pinned Streamlit 1.67; tests/e2e checks the first request after a start.)
PagesManager.uses_pages_directory = False

# Outermost first: every response, a redirect to sign-in or a refusal too, leaves with the security headers.
MIDDLEWARE = [Middleware(SecurityHeaders), Middleware(CloseInternalRoutes), Middleware(RequireSignIn)]
app = st.App("streamlit_app.py", routes=ROUTES + PRINT_ROUTES + EXPORT_ROUTES, middleware=MIDDLEWARE,
             on_script_error=_log_script_error,
             lifespan=lifespan)
