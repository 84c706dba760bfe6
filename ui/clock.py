"""The app's clock: one instant per screen run. The entry script reads the machine clock once, at the top
of the run (`start_run`), and every page and form of that run asks `now()`, so a run never straddles
midnight between two of its own reads and tests pin time by replacing one function, `read_clock`
(the outside boundary, as ui.auth.session_token is for the cookie). core never reads the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

NOW_KEY = "_now"


def read_clock() -> datetime:
    """The outside boundary: the machine's clock, in UTC (tests replace this one function)."""
    return datetime.now(UTC)


def start_run() -> datetime:
    """Called once at the top of every run of the entry script: this run's instant."""
    moment = read_clock()
    st.session_state[NOW_KEY] = moment
    return moment


def now() -> datetime:
    """This run's instant. A page run on its own, around the entry script, reads the clock afresh instead:
    it has no run instant, and keeping one would freeze the session's time at its first read."""
    moment = st.session_state.get(NOW_KEY)
    return moment if moment is not None else read_clock()
