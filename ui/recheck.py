"""The period's re-check coverage (CB-4) for the manager and the director: what the system sampled,
how much is done, against the target."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core.fmt import fmt_percent
from core.rechecks.queries import coverage
from core.rechecks.rules import period_of
from core.scheduling.daily import last_period_day
from ui.context import engine, lang, office, tr
from ui.text import phrase, plain
from ui.widgets import table


def recheck_coverage(now: datetime) -> None:
    key, _, _ = period_of(last_period_day(engine(), now, office().timezone), str(office().get("recheck.period")))
    levels = coverage(engine(), key)
    st.markdown(f"#### {tr('sampling.title')} · {plain(key)}")
    st.caption(phrase("sampling.help", l2=office().get("recheck.l2_rate_pct"), l3=office().get("recheck.l3_rate_pct")))
    if not any(level["drawn"] for level in levels.values()):
        st.info(tr("sampling.not_drawn"))
        return
    rows = [lv | {"level": name, "rate_done": fmt_percent(lv["rate_done"], lang())} for name, lv in levels.items()]
    table(rows, {"level": ("sampling.level", "text"), "population": ("sampling.population", "text"),
                 "rate_pct": ("sampling.rate_pct", "text"), "target": ("sampling.target", "text"),
                 "sampled": ("sampling.sampled", "text"), "completed": ("sampling.completed", "text"),
                 "rate_done": ("sampling.rate_done", "text")})
