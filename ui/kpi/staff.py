"""The staff area (K-6): the specialists' and the technicians' figures side by side in two tables (names,
rates as percents, no data as —), then one comparison chart each: callbacks on time per specialist and
dispatch within target per technician, a bar listing that person's callbacks or work orders."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from core import kpi
from core.fmt import fmt_money, fmt_percent
from core.kpi.staff_view import specialist_view, technician_view
from ui import vl
from ui.charts import compute, key
from ui.context import lang, office, tr
from ui.kpi.specs import Chart, area, view

PERCENT = {"callback_on_time_rate", "dispatch_within_target_rate", "accepted_signed_rate"}
SCORE = {"average_score", "after_repair_average_score"}


def _specialists(f, c) -> pd.DataFrame:
    """The rollups read per person only (core.kpi.rollups.read `by`: the days summed in SQL)."""
    return specialist_view(compute(kpi.callback_days, f, c.tz, ("assignee_id",)),
                           compute(kpi.attempt_days, f, c.tz, ("caller_id",)), compute(kpi.lead_contact_days, f, c.tz))


def _technicians(f, c) -> pd.DataFrame:
    # A2's staff filter is the caller: read it for everyone, keep the calls about the filtered technician's orders.
    calls = compute(kpi.attempt_days, replace(f, staff_id=None), c.tz, ("technician_id", "kind"))
    if f.staff_id:
        calls = calls[calls["technician_id"] == f.staff_id]
    per_technician = ("technician_id",)
    return technician_view(compute(kpi.order_intake_days, f, c.tz, c.dispatch_target, per_technician),
                           compute(kpi.order_done_days, f, c.tz, per_technician), calls,
                           compute(kpi.awaiting_dispatch_by_technician, f, c.tz, c.now, c.dispatch_target))


def _names(ids) -> list[str]:
    names = compute(kpi.staff)
    return [names.get(int(p), f"#{int(p)}") for p in ids]


def _cell(column: str, value) -> str:
    """A figure as the table shows it: — for no data, rates as percents, scores to two places, money in the
    office's currency, seconds as hours."""
    if value is None or value != value:  # None, or NaN
        return "—"
    if column in PERCENT:
        return fmt_percent(value, lang())
    if column in SCORE:
        return f"{value:.2f}"
    if column.endswith("_cents"):
        return fmt_money(int(value), lang(), office().currency)
    if column.endswith("_s"):
        return f"{value / 3600:.1f}"
    return str(int(value))


def shown_table(frame: pd.DataFrame, person: str) -> pd.DataFrame:
    """The view as the page shows it: the person's name first, every figure as text, headers translated."""
    table = {tr("kpi_wa.col.name"): _names(frame[person])}
    for column in frame.columns.drop(person):
        table[tr(f"kpi_wa.col.{column}")] = [_cell(column, v) for v in frame[column]]
    return pd.DataFrame(table)


def _rate_per_person(frame: pd.DataFrame, person: str, rate: str, pick: str) -> pd.DataFrame:
    rows = frame[frame[rate].notna()].reset_index(drop=True)
    return pd.DataFrame({"staff_person": _names(rows[person]), "staff_rate": rows[rate].astype(float),
                         key(pick): rows[person].astype(int).astype(str)})


def _rate_figure(name: str, axis: str):
    def figure(data: pd.DataFrame, f, c):
        if data.empty:  # people listed, none with the rate's denominator
            return None
        return vl.Chart(data, title=tr(f"kpi.chart.{name}")).mark_bar().encode(
            y=vl.Y("staff_person:N", title=tr(f"kpi_wa.axis.{axis}"), sort=list(data["staff_person"]),
                   axis=vl.Axis(labelLimit=240)),
            x=vl.X("staff_rate:Q", title=tr("kpi.calls.axis.rate"), scale=vl.Scale(domain=[0, 1]),
                   axis=vl.Axis(format="%")),
            tooltip=[vl.Tooltip("staff_person:N", title=tr(f"kpi_wa.axis.{axis}")),
                     vl.Tooltip("staff_rate:Q", title=tr("kpi.calls.axis.rate"), format=".1%")])
    return figure


HEADLINES: list = []
CHARTS = [
    Chart(specialist_view, _specialists, _rate_figure("specialist_view", "specialist"),
          label=lambda frame, c: _rate_per_person(frame, "user_id", "callback_on_time_rate", "user")),
    Chart(technician_view, _technicians, _rate_figure("technician_view", "technician"),
          label=lambda frame, c: _rate_per_person(frame, "technician_id", "dispatch_within_target_rate",
                                                  "technician")),
]


@st.cache_data(ttl=60, show_spinner=False, max_entries=1_000)
def _tables(view: str, _f: kpi.KpiFilter, _ctx) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The two tables as shown (None: nobody to list), kept as their KPIs are (until the minute turns), so a
    cached page run redraws them without recounting (issue 14); `view` (ui.kpi.specs.view: the filter, clock,
    language, database and settings such as the currency) is what they depend on."""
    frames = (_specialists(_f, _ctx), "user_id"), (_technicians(_f, _ctx), "technician_id")
    return tuple(None if frame.empty else shown_table(frame, person) for frame, person in frames)


def _table(title_key: str, table: pd.DataFrame | None) -> None:
    st.subheader(tr(title_key))
    if table is None:
        st.info(tr("kpi.no_data"))
    else:
        st.dataframe(table, hide_index=True, width="stretch")


def render(f: kpi.KpiFilter, ctx) -> None:
    specialists, technicians = _tables(view(f, ctx), f, ctx)
    _table("kpi_wa.table.specialists", specialists)  # full width, one under the other: side by side, half
    _table("kpi_wa.table.technicians", technicians)  # their columns were cut off behind a scroll bar
    area(HEADLINES, CHARTS, f, ctx)
