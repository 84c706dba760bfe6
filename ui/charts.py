"""KPI charts (Altair) from the small aggregate frames of core.kpi: titles, axes, legends and enum values
translated; weeks shown as office dates. Also the one cached way to call a KPI."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from importlib import import_module

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date

from core.fmt import BABEL_LOCALE
from core.i18n import enum_label
from db.config import get_config
from ui.context import engine, lang, tr


@st.cache_data(ttl=60, show_spinner=False)
def _run(module: str, name: str, url: str, args: tuple):
    return getattr(import_module(module), name)(engine(), *args)


def compute(fn: Callable, *args):
    """A KPI's result, cached a minute per database, KPI and arguments (filter, zone, clock) — STYLE habit 6."""
    return _run(fn.__module__, fn.__name__, get_config().database_url, args)


WEEK_PATTERN = {"en": "d MMM", "zh": "M月d日"}


def _weeks(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Weeks as short office dates of their Monday ("16 Nov", "11月16日"), in time order."""
    labels = [format_date(w, WEEK_PATTERN[lang()], locale=BABEL_LOCALE[lang()]) for w in frame["week"]]
    return frame.assign(week=labels), labels


def _x_week(order: list[str]) -> alt.X:
    return alt.X("week:O", sort=order, title=tr("kpi.axis.week"), axis=alt.Axis(labelAngle=-45))


def _series(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Wide counts per week → long rows (week, series label, count) for a colour legend."""
    long = frame.melt(id_vars="week", value_vars=columns, var_name="series", value_name="count")
    return long.assign(series=long["series"].map(lambda c: tr(f"kpi.series.{c}")))


def _color(field: str, title_key: str, order: list[str]) -> alt.Color:
    return alt.Color(f"{field}:N", title=tr(title_key), sort=order, scale=alt.Scale(domain=order),
                     legend=alt.Legend(orient="bottom", columns=2))


def _tooltip(*fields: tuple[str, str]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f, title=tr(key)) for f, key in fields]


def enum_order(enum_cls: type[Enum]) -> list[str]:
    return [enum_label(m, lang()) for m in enum_cls]


def labelled(frame: pd.DataFrame, column: str, enum_cls: type[Enum]) -> pd.DataFrame:
    """The frame with an enum column's values replaced by their labels in the user's language."""
    return frame.assign(**{column: [enum_label(enum_cls(v), lang()) for v in frame[column]]})


def weekly_counts(frame: pd.DataFrame, columns: list[str], title_key: str) -> alt.Chart:
    """One line per count column over the weeks (e.g. work orders opened and completed)."""
    frame, order = _weeks(frame)
    series = [tr(f"kpi.series.{c}") for c in columns]
    return alt.Chart(_series(frame, columns), title=tr(title_key)).mark_line(point=True).encode(
        x=_x_week(order), y=alt.Y("count:Q", title=tr("kpi.axis.count")),
        color=_color("series", "kpi.axis.series", series),
        tooltip=_tooltip(("week", "kpi.axis.week"), ("series", "kpi.axis.series"), ("count", "kpi.axis.count")),
    )


def due_vs_done(frame: pd.DataFrame, title_key: str) -> alt.LayerChart:
    """Bars of callbacks due and done per week, and the completion rate as a line on its own axis."""
    frame, order = _weeks(frame)
    series = [tr("kpi.series.due"), tr("kpi.series.done")]
    bars = alt.Chart(_series(frame, ["due", "done"])).mark_bar().encode(
        x=_x_week(order), xOffset=alt.XOffset("series:N", sort=series),
        y=alt.Y("count:Q", title=tr("kpi.axis.count")), color=_color("series", "kpi.axis.series", series),
        tooltip=_tooltip(("week", "kpi.axis.week"), ("series", "kpi.axis.series"), ("count", "kpi.axis.count")),
    )
    rate = alt.Chart(frame).mark_line(point=True, color="#d62728").encode(
        x=_x_week(order),
        y=alt.Y("completion_rate:Q", title=tr("kpi.series.completion_rate"), scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("week", title=tr("kpi.axis.week")),
                 alt.Tooltip("completion_rate:Q", title=tr("kpi.series.completion_rate"), format=".1%")],
    )
    return alt.layer(bars, rate, title=tr(title_key)).resolve_scale(y="independent")


def bars(frame: pd.DataFrame, title_key: str, y: tuple[str, str, list[str]],
         color: tuple[str, str, list[str]] | None = None) -> alt.Chart:
    """Counts as horizontal bars, one per category, so long labels stay readable in both languages.
    `y` and `color` are (column, axis title key, order of the already translated values); with a colour
    the bars are stacked in that order."""
    (yf, y_title, y_order) = y
    tips = [(yf, y_title)]
    enc = {"y": alt.Y(f"{yf}:N", sort=y_order, title=tr(y_title), axis=alt.Axis(labelLimit=240)),
           "x": alt.X("count:Q", title=tr("kpi.axis.count"), stack="zero")}
    if color:
        enc["color"] = _color(color[0], color[1], color[2])
        enc["order"] = alt.Order("color_rank:Q")
        frame = frame.assign(color_rank=[color[2].index(v) for v in frame[color[0]]])
        tips.append(color[:2])
    return alt.Chart(frame, title=tr(title_key)).mark_bar().encode(
        **enc, tooltip=_tooltip(*tips, ("count", "kpi.axis.count")))
