"""KPI charts (Altair) from the small aggregate frames of core.kpi: titles, axes, legends and enum values
translated; weeks shown as office dates. Also the one cached way to call a KPI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from importlib import import_module

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

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
PARTIAL_OPACITY = 0.35
COLOURS = ["#4c78a8", "#f58518", "#d62728"]  # Vega's first two category colours, then the rate line's red
TARGET_COLOUR = "#2ca02c"
KEY = "_key"  # the suffix of a raw key column kept beside a translated one
LEGEND_LABELS = 320  # px the partial-week legend's one label may take: Vega's 160 cut "Partial week (not all its d…"
PICK = "pick"  # the name of a chart's point selection (ui.kpi.specs reads it)


def week_labels(frame: pd.DataFrame, partial: set[date]) -> tuple[pd.DataFrame, list[str]]:
    """Weeks as short office dates of their Monday ("16 Nov", "11月16日"), in time order, each with its
    coverage: a whole week, or a partial one (core.kpi.partial_weeks) whose count covers fewer days."""
    labels = [format_date(w, WEEK_PATTERN[lang()], locale=BABEL_LOCALE[lang()]) for w in frame["week"]]
    coverage = [tr("kpi.week.partial") if w in partial else tr("kpi.week.full") for w in frame["week"]]
    return frame.assign(week=labels, coverage=coverage, **{key("week"): [w.isoformat() for w in frame["week"]]}), labels


def _x_week(order: list[str]) -> alt.X:
    return alt.X("week:O", sort=order, title=tr("kpi.axis.week"), axis=alt.Axis(labelAngle=-45))


def _series(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Wide counts per week → long rows (week, coverage, series label, count) for a colour legend."""
    ids = ["week", "coverage", *[c for c in frame.columns if c == key("week")]]
    long = frame.melt(id_vars=ids, value_vars=columns, var_name="series", value_name="count")
    return long.assign(series=long["series"].map(lambda c: tr(f"kpi.series.{c}")), **{key("series"): long["series"]})


def _color(field: str, title_key: str, order: list[str], colours: list[str] | None = None) -> alt.Color:
    scale = alt.Scale(domain=order) if colours is None else alt.Scale(domain=order, range=colours)
    return alt.Color(f"{field}:N", title=tr(title_key), sort=order, scale=scale,
                     legend=alt.Legend(orient="bottom", columns=2))


def coverage_opacity(frame: pd.DataFrame) -> alt.Opacity:
    """Partial weeks drawn lighter, with a legend entry saying so; no legend when every week is whole."""
    shown = [tr("kpi.week.full"), tr("kpi.week.partial")]
    partial = (frame["coverage"] == shown[1]).any()
    return alt.Opacity("coverage:N", title=tr("kpi.axis.coverage"), sort=shown,
                       scale=alt.Scale(domain=shown, range=[1.0, PARTIAL_OPACITY]),
                       legend=(alt.Legend(orient="bottom", values=[shown[1]], labelLimit=LEGEND_LABELS) if partial
                               else None))


def _tooltip(*fields: tuple[str, str]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f, title=tr(key)) for f, key in fields]


def enum_order(enum_cls: type[Enum]) -> list[str]:
    return [enum_label(m, lang()) for m in enum_cls]


def key(column: str) -> str:
    """The column beside a translated one that keeps its raw value (an enum's value, an ISO week) for a
    drill-down's pick; exports leave it out."""
    return f"{column}{KEY}"


def labelled(frame: pd.DataFrame, column: str, enum_cls: type[Enum]) -> pd.DataFrame:
    """The frame with an enum column's values replaced by their labels in the user's language, the raw
    values kept beside them (`key`)."""
    return frame.assign(**{column: [enum_label(enum_cls(v), lang()) for v in frame[column]],
                           key(column): [enum_cls(v).value for v in frame[column]]})


def keys_of(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith(KEY)]


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the chart shows it and the export writes it: without the raw keys."""
    return frame.drop(columns=keys_of(frame))


def pickable(chart, fields: list[str], layer: int = 0):
    """The chart's marks clickable (Streamlit's on_select): a point selection named PICK on the raw key
    columns; in a layered chart, on layer `layer` (the bars or points). Drawn as SVG (vega-embed reads the
    spec's usermeta.embedOptions), so each mark is an element a pointer, a screen reader and a browser test
    can find."""
    if not fields:
        return chart
    pick = alt.selection_point(name=PICK, fields=fields)
    if isinstance(chart, alt.LayerChart):
        chart.layer[layer] = chart.layer[layer].add_params(pick)
    else:
        chart = chart.add_params(pick)
    chart.usermeta = {"embedOptions": {"renderer": "svg"}}  # set in place: .properties() copies the whole chart
    return chart


VALIDATE = False  # Altair's check of each chart against the Vega-Lite schema; on in tests (tests/ui/conftest.py)


class _Unvalidated:
    """An Altair chart whose to_dict skips the schema check: 40 ms a chart, most of a cold KPI page's drawing
    (issue 14). Our charts are fixed code, checked in every page test."""

    def __init__(self, chart) -> None:
        self.chart = chart

    def to_dict(self) -> dict:
        return self.chart.to_dict(validate=VALIDATE)


def vega_spec(chart) -> dict:
    """The Altair chart as st.altair_chart sends it: Streamlit's own conversion (its theme "none", the data as
    named Arrow datasets), so a spec kept in a cache and sent with st.vega_lite_chart draws the same chart. It is a
    private Streamlit function, pinned with Streamlit (tests/unit/test_kpi_charts.py holds the two equal)."""
    return _convert_altair_to_vega_lite_spec(_Unvalidated(chart))


def _target_layers(value: float, label: str, axis: str, field: str, fmt: str, scale) -> list[alt.Chart]:
    rows = pd.DataFrame({field: [value], "label": [label]})
    at = getattr(alt, axis.upper())(f"{field}:Q", axis=None, scale=scale)
    base = alt.Chart(rows).encode(**{axis: at}, tooltip=[alt.Tooltip(f"{field}:Q", title=label, format=fmt)])
    other = {"x": alt.value(4)} if axis == "y" else {"y": alt.value(4)}
    return [base.mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], strokeWidth=2),
            base.mark_text(align="left", dx=4 if axis == "x" else 0, dy=-6 if axis == "y" else 6,
                           color=TARGET_COLOUR).encode(text="label:N", **other)]


def target_layers(value: float, label: str, axis: str = "y", fmt: str = ".0%") -> list[alt.Chart]:
    """A target drawn on a chart, as its two layers to lay over it (`alt.layer(chart, *target_layers(...))`): a
    dashed rule at `value` on the `axis` (y for a rate over weeks, x for horizontal bars), labelled with `label`
    (e.g. tr("kpi_ui.target.coverage", ...)), sharing the chart's scale (a rate chart's 0-100%)."""
    return _target_layers(value, label, axis, "target", fmt, alt.Undefined)


def _line(long: pd.DataFrame, x: alt.X, y: alt.Y, color: alt.Color, tips: list) -> list[alt.Chart]:
    """A line through the whole weeks only, and a point on every week, a partial week's lighter: the line
    does not dip into a week still being counted. A layer without rows is left out (an empty mark group
    has no accessible name)."""
    whole = long[long["coverage"] == tr("kpi.week.full")]
    points = alt.Chart(long).mark_point(filled=True, size=60).encode(
        x=x, y=y, color=color, opacity=coverage_opacity(long), tooltip=tips)
    line = alt.Chart(whole).mark_line().encode(x=x, y=y, color=color)
    return ([line] if len(whole) else []) + ([points] if len(long) else [])


def weekly_counts(frame: pd.DataFrame, columns: list[str], title_key: str,
                  partial: set[date] = frozenset()) -> alt.LayerChart:
    """One line per count column over the weeks (e.g. work orders opened and completed), every line in the
    legend and partial weeks marked as such."""
    frame, order = week_labels(frame, partial)
    series = [tr(f"kpi.series.{c}") for c in columns]
    tips = _tooltip(("week", "kpi.axis.week"), ("series", "kpi.axis.series"), ("count", "kpi.axis.count"),
                    ("coverage", "kpi.axis.coverage"))
    layers = _line(_series(frame, columns), _x_week(order), alt.Y("count:Q", title=tr("kpi.axis.count")),
                   _color("series", "kpi.axis.series", series), tips)
    return alt.layer(*layers, title=tr(title_key))


def weekly_amounts(frame: pd.DataFrame, column: str, title_key: str, axis_key: str,
                   partial: set[date] = frozenset()) -> alt.Chart | None:
    """One bar per week of an amount (e.g. revenue in the currency's units), partial weeks drawn lighter;
    None when every week is 0 (no data)."""
    if not frame[column].any():
        return None
    frame, order = week_labels(frame, partial)
    tips = [alt.Tooltip("week", title=tr("kpi.axis.week")),
            alt.Tooltip(f"{column}:Q", title=tr(axis_key), format=",.2f"),
            alt.Tooltip("coverage", title=tr("kpi.axis.coverage"))]
    return alt.Chart(frame, title=tr(title_key)).mark_bar(color=COLOURS[0]).encode(
        x=_x_week(order), y=alt.Y(f"{column}:Q", title=tr(axis_key)), opacity=coverage_opacity(frame),
        tooltip=tips)


def due_vs_done(frame: pd.DataFrame, title_key: str, partial: set[date] = frozenset(),
                target: tuple[float, str] | None = None) -> alt.LayerChart:
    """Bars of callbacks due and done per week, and the completion rate as a line on its own axis; all three
    in the legend, and partial weeks drawn lighter. `target` (rate, label): a rule on the rate's axis."""
    frame, order = week_labels(frame, partial)
    series = [tr("kpi.series.due"), tr("kpi.series.done"), tr("kpi.series.completion_rate")]
    color = _color("series", "kpi.axis.series", series, COLOURS)
    long = _series(frame, ["due", "done"])
    bars = alt.Chart(long).mark_bar().encode(
        x=_x_week(order), xOffset=alt.XOffset("series:N", sort=series[:2]),
        y=alt.Y("count:Q", title=tr("kpi.axis.count")), color=color, opacity=coverage_opacity(long),
        tooltip=_tooltip(("week", "kpi.axis.week"), ("series", "kpi.axis.series"), ("count", "kpi.axis.count"),
                         ("coverage", "kpi.axis.coverage")),
    )
    rates = frame[frame["completion_rate"].notna()].assign(series=series[2])
    y = alt.Y("completion_rate:Q", title=series[2], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    tips = [alt.Tooltip("week", title=tr("kpi.axis.week")),
            alt.Tooltip("completion_rate:Q", title=series[2], format=".1%"),
            alt.Tooltip("coverage", title=tr("kpi.axis.coverage"))]
    rate = _line(rates, _x_week(order), y, color, tips)
    goal = [] if target is None else _target_layers(*target, "y", "completion_rate", ".0%", alt.Scale(domain=[0, 1]))
    return alt.layer(bars, *rate, *goal, title=tr(title_key)).resolve_scale(y="independent")


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
