"""KPI charts (ui.vl: Vega-Lite written the way Altair is) from the small aggregate frames of core.kpi: titles, axes,
legends and enum values translated; weeks shown as office dates. Also the one cached way to call a KPI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from functools import cache
from importlib import import_module

import pandas as pd
import streamlit as st
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema
from babel.dates import format_date

from core.fmt import BABEL_LOCALE
from core.i18n import enum_label
from db.config import get_config
from ui import vl
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


def _x_week(order: list[str]) -> vl.X:
    return vl.X("week:O", sort=order, title=tr("kpi.axis.week"), axis=vl.Axis(labelAngle=-45))


def _series(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Wide counts per week → long rows (week, coverage, series label, count) for a colour legend."""
    ids = ["week", "coverage", *[c for c in frame.columns if c == key("week")]]
    long = frame.melt(id_vars=ids, value_vars=columns, var_name="series", value_name="count")
    return long.assign(series=long["series"].map(lambda c: tr(f"kpi.series.{c}")), **{key("series"): long["series"]})


def _color(field: str, title_key: str, order: list[str], colours: list[str] | None = None) -> vl.Color:
    scale = vl.Scale(domain=order) if colours is None else vl.Scale(domain=order, range=colours)
    return vl.Color(f"{field}:N", title=tr(title_key), sort=order, scale=scale,
                    legend=vl.Legend(orient="bottom", columns=2))


def coverage_opacity(frame: pd.DataFrame) -> vl.Opacity:
    """Partial weeks drawn lighter, with a legend entry saying so; no legend when every week is whole."""
    shown = [tr("kpi.week.full"), tr("kpi.week.partial")]
    partial = (frame["coverage"] == shown[1]).any()
    return vl.Opacity("coverage:N", title=tr("kpi.axis.coverage"), sort=shown,
                      scale=vl.Scale(domain=shown, range=[1.0, PARTIAL_OPACITY]),
                      legend=(vl.Legend(orient="top", values=[shown[1]], labelLimit=LEGEND_LABELS) if partial
                              else None))


def _tooltip(*fields: tuple[str, str]) -> list[vl.Tooltip]:
    return [vl.Tooltip(f, title=tr(key)) for f, key in fields]


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
    pick = vl.selection_point(name=PICK, fields=fields)
    if isinstance(chart, vl.LayerChart):
        chart.layer[layer] = chart.layer[layer].add_params(pick)
    else:
        chart = chart.add_params(pick)
    chart.usermeta = {"embedOptions": {"renderer": "svg"}}  # set in place: .properties() copies the whole chart
    return chart


VALIDATE = False  # each chart checked against the Vega-Lite schema; on in tests (tests/ui/conftest.py)


@cache
def _schema() -> dict:
    return load_schema()  # read and parsed once: 35-100 ms a call


def vega_spec(chart) -> dict:
    """The chart as st.altair_chart would send it (ui.vl: the data as named Arrow datasets), so a spec kept in a
    cache and sent with st.vega_lite_chart draws the same chart (tests/ui/test_kpi_vl.py holds every KPI chart
    equal to Altair's). With VALIDATE, a spec the Vega-Lite schema refuses raises (jsonschema's ValidationError),
    where the served app skips the check: our charts are fixed code, checked in every page test."""
    spec = chart.to_dict()
    if VALIDATE:
        validate_jsonschema({**spec, "datasets": {name: [] for name in spec["datasets"]}}, _schema())
    return spec


def _target_layers(value: float, label: str, axis: str, field: str, fmt: str, scale, dy: int | None = None,
                   title: str | None = None) -> list[vl.Chart]:
    rows = pd.DataFrame({field: [value], "label": [label]})
    # on an axis of its own, none drawn; on the chart's shared axis, its title (Vega-Lite merges the layers' axes:
    # one without an axis would hide the chart's, one with another title would add "target" to it)
    shown = {"axis": None} if title is None else {"title": title}
    at = getattr(vl, axis.upper())(f"{field}:Q", scale=scale, **shown)
    base = vl.Chart(rows).encode(**{axis: at}, tooltip=[vl.Tooltip(f"{field}:Q", title=label, format=fmt)])
    other = {"x": vl.value(4)} if axis == "y" else {"y": vl.value(4)}
    return [base.mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], strokeWidth=2),
            base.mark_text(align="left", dx=4 if axis == "x" else 0,
                           dy=dy if dy is not None else -6 if axis == "y" else 6,
                           color=TARGET_COLOUR).encode(text="label:N", **other)]


def target_layers(value: float, label: str, axis: str = "y", fmt: str = ".0%", dy: int | None = None,
                  title: str | None = None) -> list[vl.Chart]:
    """A target drawn on a chart, as its two layers to lay over it (`vl.layer(chart, *target_layers(...))`): a
    dashed rule at `value` on the `axis` (y for a rate over weeks, x for horizontal bars), labelled with `label`
    (e.g. tr("kpi_ui.target.coverage", ...)), sharing the chart's scale (a rate chart's 0-100%); `dy` moves the
    label down from its rule (two targets' labels one under the other); `title` the chart's own title of that
    axis when the target shares it (without, the target draws no axis of its own)."""
    return _target_layers(value, label, axis, "target", fmt, vl.Undefined, dy, title)


def _line(long: pd.DataFrame, x: vl.X, y: vl.Y, color: vl.Color, tips: list) -> list[vl.Chart]:
    """A line through the whole weeks only, and a point on every week, a partial week's lighter: the line
    does not dip into a week still being counted. A layer without rows is left out (an empty mark group
    has no accessible name)."""
    whole = long[long["coverage"] == tr("kpi.week.full")]
    points = vl.Chart(long).mark_point(filled=True, size=60).encode(
        x=x, y=y, color=color, opacity=coverage_opacity(long), tooltip=tips)
    line = vl.Chart(whole).mark_line().encode(x=x, y=y, color=color)
    return ([line] if len(whole) else []) + ([points] if len(long) else [])


def weekly_counts(frame: pd.DataFrame, columns: list[str], title_key: str,
                  partial: set[date] = frozenset()) -> vl.LayerChart:
    """One line per count column over the weeks (e.g. work orders opened and completed), every line in the
    legend and partial weeks marked as such."""
    frame, order = week_labels(frame, partial)
    series = [tr(f"kpi.series.{c}") for c in columns]
    tips = _tooltip(("week", "kpi.axis.week"), ("series", "kpi.axis.series"), ("count", "kpi.axis.count"),
                    ("coverage", "kpi.axis.coverage"))
    layers = _line(_series(frame, columns), _x_week(order), vl.Y("count:Q", title=tr("kpi.axis.count")),
                   _color("series", "kpi.axis.series", series), tips)
    return vl.layer(*layers, title=tr(title_key))


def weekly_amounts(frame: pd.DataFrame, column: str, title_key: str, axis_key: str,
                   partial: set[date] = frozenset()) -> vl.Chart | None:
    """One bar per week of an amount (e.g. revenue in the currency's units), partial weeks drawn lighter;
    None when every week is 0 (no data)."""
    if not frame[column].any():
        return None
    frame, order = week_labels(frame, partial)
    tips = [vl.Tooltip("week", title=tr("kpi.axis.week")),
            vl.Tooltip(f"{column}:Q", title=tr(axis_key), format=",.2f"),
            vl.Tooltip("coverage", title=tr("kpi.axis.coverage"))]
    return vl.Chart(frame, title=tr(title_key)).mark_bar(color=COLOURS[0]).encode(
        x=_x_week(order), y=vl.Y(f"{column}:Q", title=tr(axis_key)), opacity=coverage_opacity(frame),
        tooltip=tips)


def due_vs_done(frame: pd.DataFrame, title_key: str, partial: set[date] = frozenset(),
                target: tuple[float, str] | None = None) -> vl.LayerChart:
    """Bars of callbacks due and done per week, and the completion rate as a line on its own axis; all three
    in the legend, and partial weeks drawn lighter. `target` (rate, label): a rule on the rate's axis."""
    frame, order = week_labels(frame, partial)
    series = [tr("kpi.series.due"), tr("kpi.series.done"), tr("kpi.series.completion_rate")]
    color = _color("series", "kpi.axis.series", series, COLOURS)
    long = _series(frame, ["due", "done"])
    bars = vl.Chart(long).mark_bar().encode(
        x=_x_week(order), xOffset=vl.XOffset("series:N", sort=series[:2]),
        y=vl.Y("count:Q", title=tr("kpi.axis.count")), color=color, opacity=coverage_opacity(long),
        tooltip=_tooltip(("week", "kpi.axis.week"), ("series", "kpi.axis.series"), ("count", "kpi.axis.count"),
                         ("coverage", "kpi.axis.coverage")),
    )
    rates = frame[frame["completion_rate"].notna()].assign(series=series[2])
    y = vl.Y("completion_rate:Q", title=series[2], scale=vl.Scale(domain=[0, 1]), axis=vl.Axis(format="%"))
    tips = [vl.Tooltip("week", title=tr("kpi.axis.week")),
            vl.Tooltip("completion_rate:Q", title=series[2], format=".1%"),
            vl.Tooltip("coverage", title=tr("kpi.axis.coverage"))]
    rate = _line(rates, _x_week(order), y, color, tips)
    goal = [] if target is None else _target_layers(*target, "y", "completion_rate", ".0%", vl.Scale(domain=[0, 1]))
    return vl.layer(bars, *rate, *goal, title=tr(title_key)).resolve_scale(y="independent")


def bars(frame: pd.DataFrame, title_key: str, y: tuple[str, str, list[str]],
         color: tuple[str, str, list[str]] | None = None) -> vl.Chart:
    """Counts as horizontal bars, one per category, so long labels stay readable in both languages.
    `y` and `color` are (column, axis title key, order of the already translated values); with a colour
    the bars are stacked in that order."""
    (yf, y_title, y_order) = y
    tips = [(yf, y_title)]
    enc = {"y": vl.Y(f"{yf}:N", sort=y_order, title=tr(y_title), axis=vl.Axis(labelLimit=240)),
           "x": vl.X("count:Q", title=tr("kpi.axis.count"), stack="zero")}
    if color:
        enc["color"] = _color(color[0], color[1], color[2])
        enc["order"] = vl.Order("color_rank:Q")
        frame = frame.assign(color_rank=[color[2].index(v) for v in frame[color[0]]])
        tips.append(color[:2])
    return vl.Chart(frame, title=tr(title_key)).mark_bar().encode(
        **enc, tooltip=_tooltip(*tips, ("count", "kpi.axis.count")))
