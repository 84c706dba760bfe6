"""Each page script driven through AppTest against the benchmark office, timed warm.

Before every timed run st.cache_data is cleared (st.cache_resource, the engine, is kept), so
the database work of the page is what is measured, not a cache hit.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

import ui.auth
from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, set_demo_passwords
from core.accounts.sessions import sign_in
from db.config import ROOT
from db.engine import make_engine
from db.enums import Role

PAGES = (
    "pages/my_work.py", "pages/callbacks.py", "pages/incoming.py", "pages/leads.py", "pages/complaints.py",
    "pages/work_orders.py", "pages/customers.py", "pages/kpis.py", "pages/audit.py", "pages/settings.py",
)
MAIN = ROOT / "streamlit_app.py"
ROLE = Role.MANAGER  # the service manager may open every page benchmarked here (core.permissions)
TIMEOUT_S = 600


def page_name(path: str) -> str:
    return path.removeprefix("pages/").removesuffix(".py")


def demo_sign_in(url: str, role: Role = ROLE) -> str:
    """A real sign-in of the demo account of `role` (demo passwords set first); returns its token."""
    engine = make_engine(url)
    try:
        set_demo_passwords(engine)
        return sign_in(engine, DEMO_ACCOUNTS[role], DEMO_PASSWORD, datetime.now(UTC))
    finally:
        engine.dispose()


@contextmanager
def serving(url: str) -> Iterator[None]:
    """For the duration: DATABASE_URL is the benchmark office, errors show in full, and the app sees the
    demo manager signed in. AppTest cannot send cookies, so the one outside boundary, the cookie the
    browser sent (ui.auth.session_token), answers with the token of a real sign-in, as in tests/ui."""
    old_url, old_details = os.environ.get("DATABASE_URL"), config.get_option("client.showErrorDetails")
    old_token = ui.auth.session_token
    os.environ["DATABASE_URL"] = url
    config.set_option("client.showErrorDetails", "full")
    token = demo_sign_in(url)
    ui.auth.session_token = lambda: token
    logging.getLogger().addHandler(LOGGED)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(LOGGED)
        ui.auth.session_token = old_token
        config.set_option("client.showErrorDetails", old_details)
        if old_url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old_url


class _LoggedErrors(logging.Handler):
    """The front door catches a page's exception, logs it and shows a friendly st.error: keep the log's."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        self.last = f"{type(exc).__name__}: {exc}" if exc else record.getMessage()


LOGGED = _LoggedErrors()


def _error(at: AppTest) -> str | None:
    """The page's exception with the line it came from, else the st.error box it showed (and what was logged)."""
    logged, LOGGED.last = LOGGED.last, None
    if not at.exception:
        if not at.error:
            return None
        return f"st.error: {at.error[0].value}" + (f" ({logged})" if logged else "")
    e = at.exception[0]
    where = e.stack_trace[-1].strip().splitlines()[0] if e.stack_trace else ""
    return f"{e.message} [{where}]" if where else e.message


def _timed(at: AppTest, runs: int) -> tuple[list[float], str | None]:
    """`runs` reruns of the current page, the data cache cleared before each; times in ms."""
    times, error = [], None
    for _ in range(runs):
        st.cache_data.clear()
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
        error = error or _error(at)
    return times, error


def summary(times: list[float], error: str | None, first_ms: float | None = None) -> dict:
    return {
        "status": "error" if error else "ok", "runs_ms": [round(t, 1) for t in times],
        "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1), "first_ms": None if first_ms is None else round(first_ms, 1),
        "exception": error,
    }


def _open_first_record(at: AppTest) -> str | None:
    """Click the first row of the page's list (the table keyed ui.listing.ROWS), if it has one: the page then
    shows that record in place of the list."""
    from ui.listing import ROWS

    if not any(d.key == ROWS for d in at.dataframe):
        return None
    at.session_state[ROWS] = {"selection": {"rows": [0], "columns": []}}
    return ROWS


def time_page(page: str, runs: int) -> dict:
    """Warm-up then `runs` timed reruns of `page`; and the same for one opened record when it has a picker."""
    if not (ROOT / page).exists():
        return {"status": "missing"}
    at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT_S)
    at.session_state["lang"] = "en"
    at.run()
    if at.exception:
        return {"status": "error", "exception": _error(at)}
    started = time.perf_counter()
    at.switch_page(page).run()
    first_ms = (time.perf_counter() - started) * 1000
    result = summary(*_timed(at, runs), first_ms=first_ms)
    picker = _open_first_record(at)
    if picker is not None:
        at.run()
        result["detail"] = summary(*_timed(at, runs)) | {"picker": picker}
    return result
