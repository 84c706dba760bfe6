"""Re-check coverage (CB-4) for the manager and the director, for any period drawn (the last complete one
first): per group, what the system sampled, how much is done, against the group's own target."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core.fmt import fmt_percent
from core.i18n import enum_label
from core.permissions import Action, Actor, allowed
from core.rechecks.queries import coverage, sampled_periods
from core.rechecks.rules import period_of
from core.scheduling.daily import last_period_day
from db.enums import CallbackLevel, SampleGroup
from ui.context import engine, lang, office, tr
from ui.text import heading, phrase
from ui.widgets import table

COLUMNS = {"level": ("sampling.level", "text"), "group": ("sampling.group", "text"),
           "population": ("sampling.population", "text"), "rate_pct": ("sampling.rate_pct", "text"),
           "target": ("sampling.target", "text"), "sampled": ("sampling.sampled", "text"),
           "drawn_for": ("sampling.drawn_for", "text"), "completed": ("sampling.completed", "text"),
           "rate_done": ("sampling.rate_done", "text")}


def recheck_coverage(actor: Actor, now: datetime) -> None:
    """Drawn only for the re-checkers (VIEW_RECHECKS), for any period that has a sample (CB-4)."""
    if not allowed(actor.role, Action.VIEW_RECHECKS):
        return
    last, _, _ = period_of(last_period_day(engine(), now, office().timezone), str(office().get("recheck.period")))
    periods = sampled_periods(engine(), actor)
    heading("sampling.title")
    key = st.selectbox(tr("sampling.period"), periods if last in periods else [last, *periods], key="recheck_period")
    st.caption(phrase("sampling.help", l2=office().get("recheck.l2_rate_pct"), l3=office().get("recheck.l3_rate_pct")))
    groups = coverage(engine(), actor, key)
    if not any(group["drawn"] for group in groups.values()):
        st.info(tr("sampling.not_drawn"))
        return
    rows = [g | {"level": enum_label(CallbackLevel(g["level"]), lang()), "group": enum_label(SampleGroup(name), lang()),
                 "rate_done": fmt_percent(g["rate_done"], lang()),
                 "rate_pct": "" if g["rate_pct"] is None else str(g["rate_pct"])}  # one type per column (Arrow)
            for name, g in groups.items()]
    table(rows, COLUMNS)
