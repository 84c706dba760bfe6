"""What `streamlit run launcher.py` serves: the Streamlit app plus its own sign-in routes and the
middleware that sends a browser without a session to them. Script errors are logged on the server;
the browser gets a friendly message (streamlit_app.py) and no traceback (.streamlit/config.toml)."""

import logging

import streamlit as st
from starlette.middleware import Middleware

from ui.web_auth import ROUTES, RequireSignIn

log = logging.getLogger("servicedesk")


def _log_script_error(exc: Exception) -> bool:
    log.error("script error", exc_info=exc)
    return False


app = st.App("streamlit_app.py", routes=ROUTES, middleware=[Middleware(RequireSignIn)],
             on_script_error=_log_script_error)
