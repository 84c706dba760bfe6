"""The leads area (K-5): the sales amount, the conversion and the follow-ups on time; the L-2 funnel per week
(with the sales amount), per specialist and per weekday, and the L-1 A/B/C follow-ups on time and late. The
funnel charts read the daily lead-contact frame; the follow-ups their own aggregate, cached with the office's
intervals. Each chart's marks open the lead contacts they count (core.kpi.drill_leads)."""

from __future__ import annotations

import pandas as pd

from core import kpi
from core.kpi.leads import STAGES
from db.enums import LeadClass
from ui import vl
from ui.charts import COLOURS, compute, coverage_opacity, enum_order, key, labelled, week_labels
from ui.context import office, tr
from ui.kpi.specs import Chart, Headline, area

STAGE_COLUMNS = list(STAGES)  # dialed, completed, appointments, recommendations, sales: each a bar
AMOUNT = "lead_sales_amount"  # the sales amount in the currency's units (the frame's cents ÷ 100)
PREFIX = "lead_"  # the funnel's columns as exported (export.kpi.lead_<stage>)
AMOUNT_COLOUR = "#54545c"  # the amount's line: a grey no stage's bar uses
INTERVALS = ("lead.a_interval_days", "lead.b_interval_days", "lead.c_interval_days")


def _days(f, c):
    return compute(kpi.lead_contact_days, f, c.tz)


def _follow_ups(f, c):
    """The A/B/C follow-up counts; the office's intervals passed as a plain mapping so the call caches by them."""
    intervals = {name: int(office().get(name)) for name in INTERVALS}
    return compute(kpi.lead_follow_ups, f, c.tz, intervals)


def _funnel(frame: pd.DataFrame) -> pd.DataFrame:
    """The funnel's stage counts and its amount under their export names."""
    return frame.drop(columns=["sales_amount_cents"]).rename(columns={s: PREFIX + s for s in STAGE_COLUMNS}).assign(
        **{AMOUNT: frame["sales_amount_cents"] / 100})


def _stages(data: pd.DataFrame, ids: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Wide stage counts → long rows (ids, stage label, count, stage_key), the stages in funnel order."""
    long = data.melt(id_vars=ids, value_vars=[PREFIX + s for s in STAGE_COLUMNS], var_name="stage", value_name="count")
    raw = long["stage"].str.removeprefix(PREFIX)
    order = [tr(f"kpi.lead.stage.{s}") for s in STAGE_COLUMNS]
    return long.assign(stage=raw.map(lambda s: tr(f"kpi.lead.stage.{s}")), **{key("stage"): raw}), order


def _stage_bars(long: pd.DataFrame, x: vl.X, x_field: str, x_title: str, order: list[str], opacity=None):
    enc = {"x": x, "xOffset": vl.XOffset("stage:N", sort=order),
           "y": vl.Y("count:Q", title=tr("kpi.axis.count")),
           "color": vl.Color("stage:N", title=tr("kpi.lead.axis.stage"), sort=order, scale=vl.Scale(domain=order),
                             legend=vl.Legend(orient="bottom", columns=3)),
           "tooltip": [vl.Tooltip(x_field, title=tr(x_title)), vl.Tooltip("stage", title=tr("kpi.lead.axis.stage")),
                       vl.Tooltip("count:Q", title=tr("kpi.axis.count"))]}
    if opacity is not None:
        enc["opacity"] = opacity
    return vl.Chart(long).mark_bar().encode(**enc)


def _empty(data: pd.DataFrame) -> bool:
    return data[PREFIX + "dialed"].sum() == 0


def week_figure(data: pd.DataFrame, f, c):
    """The five stages per week as grouped bars (partial weeks lighter) and the sales amount as a line on its
    own axis."""
    if _empty(data):
        return None
    frame, order = week_labels(data.drop(columns=[key("week")]), c.partial(f))
    long, stages = _stages(frame, ["week", "coverage", key("week")])
    x = vl.X("week:O", sort=order, title=tr("kpi.axis.week"), axis=vl.Axis(labelAngle=-45))
    bars = _stage_bars(long, x, "week", "kpi.axis.week", stages, coverage_opacity(long))
    amount = tr("kpi.lead.stage.sales_amount_cents")
    mark = {"color": AMOUNT_COLOUR, "strokeWidth": 1.5, "point": {"size": 20, "color": AMOUNT_COLOUR}}
    line = vl.Chart(frame.assign(series=amount)).mark_line(**mark).encode(
        x=x, y=vl.Y(f"{AMOUNT}:Q", title=amount),
        tooltip=[vl.Tooltip("week", title=tr("kpi.axis.week")),
                 vl.Tooltip(f"{AMOUNT}:Q", title=amount, format=",.2f")])
    return vl.layer(bars, line, title=tr("kpi.chart.lead_funnel_per_week")).resolve_scale(y="independent")


def _week_label(frame: pd.DataFrame, c) -> pd.DataFrame:
    return _funnel(frame).assign(**{key("week"): [w.isoformat() for w in frame["week"]]})


def _specialists(frame: pd.DataFrame, c) -> pd.DataFrame:
    names = compute(kpi.staff)  # a contact's user no longer on staff shows as its id
    ids = [int(u) if pd.notna(u) else None for u in frame["user_id"]]
    shown = ["—" if u is None else names.get(u, f"#{u}") for u in ids]
    return _funnel(frame).drop(columns=["user_id"]).assign(
        **{"lead_specialist": shown, key("user_id"): ["" if u is None else str(u) for u in ids]}).loc[
        :, ["lead_specialist", *[PREFIX + s for s in STAGE_COLUMNS], AMOUNT, key("user_id")]]


def _weekdays(frame: pd.DataFrame, c) -> pd.DataFrame:
    shown = [tr(f"kpi.lead.weekday.{d}") for d in frame["weekday"]]
    return _funnel(frame).drop(columns=["weekday"]).assign(
        **{"lead_weekday": shown, key("weekday"): [str(int(d)) for d in frame["weekday"]]}).loc[
        :, ["lead_weekday", *[PREFIX + s for s in STAGE_COLUMNS], AMOUNT, key("weekday")]]


def _per(field: str, raw: str, title: str, chart: str):
    """A funnel chart over one category: `field` the labelled column (drawn in the frame's order), `raw` the
    pick's key kept beside it."""
    def figure(data: pd.DataFrame, f, c):
        if _empty(data):
            return None
        long, stages = _stages(data, [field, key(raw)])
        x = vl.X(f"{field}:N", sort=list(data[field]), title=tr(title), axis=vl.Axis(labelAngle=0, labelLimit=160))
        return _stage_bars(long, x, field, title, stages).properties(title=tr(chart))
    return figure


def _follow_up_label(frame: pd.DataFrame, c) -> pd.DataFrame:
    shown = labelled(frame, "lead_class", LeadClass)
    return shown.assign(late=shown["due"] - shown["on_time"]).rename(
        columns={"due": "lead_follow_ups", "late": "lead_late", "on_time_rate": "lead_on_time_rate"}).loc[
        :, ["lead_class", "lead_follow_ups", "on_time", "lead_late", "lead_on_time_rate", key("lead_class")]]


def follow_up_figure(data: pd.DataFrame, f, c):
    """Per class, the follow-ups made on time and late as stacked horizontal bars."""
    if data["lead_follow_ups"].sum() == 0:
        return None
    parts = {"yes": ("on_time", "kpi.lead.follow_up.on_time"), "no": ("lead_late", "kpi.lead.follow_up.late")}
    long = pd.concat([data.assign(when=tr(label), count=data[column], **{key("on_time"): raw})
                      for raw, (column, label) in parts.items()], ignore_index=True)
    order = [tr(label) for _, label in parts.values()]
    long = long.assign(rank=[order.index(v) for v in long["when"]])
    return vl.Chart(long, title=tr("kpi.chart.lead_follow_ups_on_schedule")).mark_bar().encode(
        y=vl.Y("lead_class:N", sort=enum_order(LeadClass), title=tr("kpi.lead.axis.lead_class"),
               axis=vl.Axis(labelLimit=240)),
        x=vl.X("count:Q", title=tr("kpi.axis.count"), stack="zero"),
        color=vl.Color("when:N", title=tr("kpi.lead.axis.on_time"), sort=order,
                       scale=vl.Scale(domain=order, range=[COLOURS[0], COLOURS[2]]),
                       legend=vl.Legend(orient="bottom")),
        order=vl.Order("rank:Q"),
        tooltip=[vl.Tooltip("lead_class", title=tr("kpi.lead.axis.lead_class")),
                 vl.Tooltip("when", title=tr("kpi.lead.axis.on_time")),
                 vl.Tooltip("count:Q", title=tr("kpi.axis.count")),
                 vl.Tooltip("lead_on_time_rate:Q", title=tr("kpi.lead.follow_up.on_time_rate"), format=".1%")])


HEADLINES = [
    Headline(kpi.lead_sales_amount, lambda f, c: kpi.lead_sales_amount(_days(f, c)), fmt="money",
             drill=("lead_sales_amount", {"stage": "sales"})),
    Headline(kpi.lead_conversion_rate, lambda f, c: kpi.lead_conversion_rate(_days(f, c)),
             drill=("lead_conversion_rate", {"stage": "sales"})),
    Headline(kpi.lead_follow_up_on_time_rate,
             lambda f, c: kpi.lead_follow_up_on_time_rate(kpi.lead_follow_ups_on_schedule(_follow_ups(f, c))),
             drill=("lead_follow_ups_on_schedule", {"on_time": "yes"})),  # the numerator: the bars say "late"
]

CHARTS = [
    Chart(kpi.lead_funnel_per_week, lambda f, c: kpi.lead_funnel_per_week(_days(f, c), f), week_figure,
          label=_week_label, keys=("week", "stage")),
    Chart(kpi.lead_funnel_per_specialist, lambda f, c: kpi.lead_funnel_per_specialist(_days(f, c)),
          _per("lead_specialist", "user_id", "kpi.lead.axis.specialist", "kpi.chart.lead_funnel_per_specialist"),
          label=_specialists, keys=("user_id", "stage")),
    Chart(kpi.lead_funnel_per_weekday, lambda f, c: kpi.lead_funnel_per_weekday(_days(f, c)),
          _per("lead_weekday", "weekday", "kpi.lead.axis.weekday", "kpi.chart.lead_funnel_per_weekday"),
          label=_weekdays, keys=("weekday", "stage")),
    Chart(kpi.lead_follow_ups_on_schedule,
          lambda f, c: kpi.lead_follow_ups_on_schedule(_follow_ups(f, c)), follow_up_figure,
          label=_follow_up_label, keys=("lead_class", "on_time")),
]


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
