"""KPIs (K-1..K-6): the period and filters, kept in the URL (ui.kpi.filters); one area at a time, so only its
queries run (ui.kpi.<area>: headlines against the previous period, charts with their targets, a click from a
mark to its records)."""

from importlib import import_module

import streamlit as st

from core.clock import office_day
from ui import clock
from ui.auth import page_guard
from ui.context import office, tr
from ui.kpi import filters
from ui.kpi.specs import context
from ui.text import phrase

now = clock.now().replace(second=0, microsecond=0)  # to the minute, so the KPI cache can hit
today = office_day(now, office().timezone)

page_guard("kpis")
st.title(tr("nav.kpis"))

choices = filters.choices(today)
ignored = filters.clean_url(choices)
if ignored:
    st.caption(phrase("kpi_ui.ignored", names=tr("kpi_ui.names_sep").join(filters.ignored_labels(ignored))))
left, right = st.columns([1, 2], vertical_alignment="bottom")
with left:
    filters.period_box(choices)
with right:
    chosen = filters.area_control(choices)
filters.filter_boxes(choices)
f = filters.kpi_filter(choices)
st.caption(tr("kpi.filters_hint"))

import_module(f"ui.kpi.{chosen}").render(f, context(now, today))
