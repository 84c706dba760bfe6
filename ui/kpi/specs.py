"""An area of the dashboard is a list of declarative specs (STYLE: data plus one renderer): a Headline is a
KPI's figure over the period beside its change against the previous period of the same length; a Chart is a
KPI's frame, the figure drawn from it, its export and, when core.kpi.drill has one, the list of the records
behind a clicked mark. Adding a KPI to an area is one spec:

    Headline(kpi.reach_rate, lambda f, c: kpi.reach_rate(kpi.attempt_counts(compute(kpi.attempt_days, f, c.tz))))
    Chart(kpi.callbacks_per_week, lambda f, c: ..., lambda data, f, c: due_vs_done(...), keys=("week", "series"))

The label, title and help come from the catalog by the KPI function's name (kpi.metric.<name>, kpi.chart.<name>,
kpi.def.<name>), so its docstring stays the definition managers read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
import streamlit as st

from core.fmt import fmt_date, fmt_money, fmt_percent
from core.kpi import KpiFilter, partial_weeks
from core.kpi.periods import previous
from db.config import get_config
from ui import vl
from ui.charts import KEY, PICK, keys_of, pickable, shown, vega_spec
from ui.context import lang, office, tr
from ui.export import chart_data
from ui.kpi import drill
from ui.text import plain


@dataclass(frozen=True)
class Ctx:
    """What every spec may need besides the filter: the clock (to the minute), the office's zone and today, the
    dispatch target (minutes) and the recheck sample targets (percent)."""

    now: datetime
    tz: str
    today: date
    dispatch_target: int
    l2_target: int
    l3_target: int

    def partial(self, f: KpiFilter) -> set[date]:
        return partial_weeks(f, self.today)


def context(now: datetime, today: date) -> Ctx:
    o = office()
    return Ctx(now, o.timezone, today, int(o.get("work_order.dispatch_target_minutes")),
               int(o.get("recheck.l2_rate_pct")), int(o.get("recheck.l3_rate_pct")))


Value = Callable[[KpiFilter, Ctx], object]


@dataclass(frozen=True)
class Headline:
    """A headline number: `value(f, ctx)` the KPI's figure for a filter (called for the period and the previous
    one: the same cached functions), shown as `fmt` (percent, money, score, count), its change in percentage
    points for rates and amounts otherwise. `target(ctx)` the target's text for the help; `drill` a chart's
    name and pick its "show records" lists."""

    fn: Callable
    value: Value
    fmt: str = "percent"
    target: Callable[[Ctx], str] | None = None
    drill: tuple[str, dict] | None = None
    lower_is_better: bool = False  # a fall is good news (drawn green): times, invalid numbers, repeats, reopenings


@dataclass(frozen=True)
class Chart:
    """A chart: `frame(f, ctx)` the KPI's frame (raw values), `label(frame, ctx)` it translated with the raw
    keys beside (ui.charts.labelled; the export writes it without them), `figure(data, f, ctx)` the chart (ui.vl)
    (None: no data), `keys` the raw fields a click picks (default: the labelled frame's keys), `layer` the layer
    that holds the clickable marks, `drillable` False to leave a chart without a records list."""

    fn: Callable
    frame: Value
    figure: Callable[[pd.DataFrame, KpiFilter, Ctx], vl.Chart | vl.LayerChart | None]
    label: Callable[[pd.DataFrame, Ctx], pd.DataFrame] = field(default=lambda frame, ctx: frame)
    keys: tuple[str, ...] | None = None
    layer: int = 0
    drillable: bool = True

    @property
    def name(self) -> str:
        return self.fn.__name__


def delta_text(fmt: str, now, before) -> str | None:
    """The change as st.metric shows it: a number and a catalog unit, no user text (so not escaped: its leading
    sign sets the arrow and colour)."""
    if now is None or before is None:
        return None
    change = now - before
    if fmt == "percent":
        points = round(change * 100, 1)
        return tr("kpi_ui.delta_pp", value=f"{points:+.1f}" if points else "0.0")  # never "-0.0"
    if fmt == "money":  # decided on the text: a currency without cents (JPY) shows 49 cents as ¥0
        text, none = (fmt_money(cents, lang(), office().currency) for cents in (abs(int(change)), 0))
        return text if text == none else ("-" if change < 0 else "+") + text
    if fmt == "score":
        return f"{change:+.2f}" if round(change, 2) else "0.00"
    return f"{int(change):+d}" if int(change) else "0"


def flat(delta: str | None) -> bool:
    """A change that shows as none at its precision ("0.0 pp"): drawn without an arrow or a colour."""
    return delta is not None and not delta.startswith(("+", "-"))


def shown_value(fmt: str, value) -> str:
    if value is None:
        return "—"
    if fmt == "percent":
        return fmt_percent(value, lang())
    if fmt == "money":
        return fmt_money(value, lang(), office().currency)
    return f"{value:.2f}" if fmt == "score" else str(value)


def help_text(h: Headline, ctx: Ctx, before, days: tuple[date, date]) -> str:
    """The headline's help: its definition, target and previous value, catalog texts and figures only."""
    parts = [tr(f"kpi.def.{h.fn.__name__}")]
    if h.target:
        parts.append(h.target(ctx))
    parts.append(tr("kpi_ui.previous", start=fmt_date(days[0], lang()), end=fmt_date(days[1], lang()),
                    value=shown_value(h.fmt, before)))
    return "\n\n".join(parts)


def view(f: KpiFilter, ctx: Ctx) -> str:
    """What a drawn chart or headline depends on besides its spec, as one string: the filter, the context (its
    clock to the minute), the language, the database and the office's settings (a currency, a lead interval
    changed in the settings is drawn at once). A string is hashed at once, where the dataclasses themselves cost
    the cache a few milliseconds each (issue 14: a cached page run)."""
    return repr((f, ctx, lang(), get_config().database_url, sorted(office().values.items())))


def _where(fn) -> str:
    code = getattr(fn, "__code__", None)
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}:{code.co_firstlineno if code else ''}"


def _ident(spec: Headline | Chart) -> str:
    """A spec's name in the caches: its KPI and where its frame and figure (a headline: its value) are written,
    the same in every run and after a reload of its module (one KPI may be drawn by two areas)."""
    parts = (spec.value,) if isinstance(spec, Headline) else (spec.frame, spec.figure, spec.label)
    return "@".join([spec.fn.__name__, *map(_where, parts)])


@st.cache_data(ttl=60, show_spinner=False, max_entries=5_000)
def _values(ident: str, view: str, _h: Headline, _f: KpiFilter, _before: KpiFilter, _ctx: Ctx) -> tuple:
    """A headline's value over the period and the previous one, kept as its KPIs are (until the minute turns:
    the clock is part of `view`)."""
    return _h.value(_f, _ctx), _h.value(_before, _ctx)


def headlines(specs: list[Headline], f: KpiFilter, ctx: Ctx) -> None:
    """The row(s) of headline numbers, up to four to a row (at least three columns wide: room for money), each
    with its change against the previous period."""
    days = previous(f.start, f.end)
    before_f = replace(f, start=days[0], end=days[1])
    key = view(f, ctx)
    box = st.container(key="kpi_headlines")  # ui.chrome: every name given two lines, so the cards line up
    for start in range(0, len(specs), 4):
        for col, h in zip(box.columns(max(3, len(specs[start:start + 4]))), specs[start:start + 4], strict=False):
            now, before = _values(_ident(h), key, h, f, before_f, ctx)
            with col:
                delta = delta_text(h.fmt, now, before)  # a number and a catalog unit: no user text to escape
                st.metric(tr(f"kpi.metric.{h.fn.__name__}"), plain(shown_value(h.fmt, now)),
                          delta=delta_text(h.fmt, now, before), help=help_text(h, ctx, before, days), border=True,
                          delta_color="off" if flat(delta) else "inverse" if h.lower_is_better else "normal",
                          delta_arrow="off" if flat(delta) else "auto")
                if h.drill and now is not None:
                    drill.show_records_button(*h.drill, key=f"records_{h.fn.__name__}")  # the list: drilled_<chart>


@dataclass(frozen=True)
class Drawn:
    """A chart ready to send: its Vega-Lite spec (as st.altair_chart would send it), the data its export writes,
    and whether a click on it picks a mark."""

    spec: dict
    data: pd.DataFrame
    pickable: bool


@st.cache_data(ttl=60, show_spinner=False, max_entries=1_000)
def _drawn(ident: str, view: str, _spec: Chart, _f: KpiFilter, _ctx: Ctx) -> Drawn | None:
    """The chart for a filter, drawn once a minute (as its KPIs are cached; the clock is part of `view`): drawing
    every chart on every run took most of a cached page run (issue 14); None: no data."""
    frame = _spec.frame(_f, _ctx)
    data = None if frame is None or frame.empty else _spec.label(frame, _ctx)
    figure = None if data is None else _spec.figure(data, _f, _ctx)
    if figure is None:
        return None
    keys = list(_spec.keys) if _spec.keys is not None else [k.removesuffix(KEY) for k in keys_of(data)]
    can_drill = _spec.drillable and drill.has_drill(_spec.name) and bool(keys)
    if can_drill:
        figure = pickable(figure, [k + KEY for k in keys], _spec.layer)
    return Drawn(vega_spec(figure), shown(data), can_drill)


def chart(spec: Chart, f: KpiFilter, ctx: Ctx) -> None:
    """One chart (or "no data"), clickable when it has a drill-down, its data to export and its definition."""
    drawn = _drawn(_ident(spec), view(f, ctx), spec, f, ctx)
    if drawn is None:
        st.info(tr("kpi.no_data"))
    else:
        if drawn.pickable:
            event = st.vega_lite_chart(spec=drawn.spec, width="stretch", key=drill.chart_key(spec.name),
                                       on_select="rerun", selection_mode=PICK)
            drill.picked(spec.name, event)
        else:
            st.vega_lite_chart(spec=drawn.spec, width="stretch")
        chart_data(spec.name, drawn.data, f)
    st.caption(tr(f"kpi.def.{spec.name}"))


def charts(specs: list[Chart], f: KpiFilter, ctx: Ctx) -> None:
    """The charts two to a row; the records of a picked mark listed under its row, full width."""
    for start in range(0, len(specs), 2):
        row = specs[start:start + 2]
        for col, spec in zip(st.columns(2), row, strict=False):
            with col:
                chart(spec, f, ctx)
        for spec in row:
            drill.records(spec.name, f, ctx.tz, ctx.now)


def area(heads: list[Headline], graphs: list[Chart], f: KpiFilter, ctx: Ctx) -> None:
    """An area's page: its headlines, then its charts; an area with neither says its KPIs are on the way."""
    if not heads and not graphs:
        st.info(tr("kpi_ui.area_pending"))
        return
    headlines(heads, f, ctx)
    charts(graphs, f, ctx)
    picked = drill.current()
    if picked is None:
        drill.forget_told()
    listed = {h.drill[0] for h in heads if h.drill} | ({picked[0]} if picked else set())
    drill.headline_records(listed - {c.name for c in graphs}, f, ctx.tz, ctx.now)
