"""The callbacks area (K-1, K-2): completion, on time, reach, score and invalid numbers; callbacks per week
against the L1 target, the satisfaction of reached calls, completion and on-time rate per kind and level, the
L2/L3 re-check coverage against its targets, the top reasons for dissatisfaction and the checklist score per
specialist."""

from __future__ import annotations

import pandas as pd

from core import kpi
from db.enums import CallbackKind, CallbackLevel, Satisfaction
from ui import vl
from ui.charts import bars, compute, due_vs_done, enum_order, key, labelled, target_layers
from ui.context import tr
from ui.kpi.specs import Chart, Headline, area

RATE_SERIES = {"completion_rate": "done", "on_time_rate": "on_time"}  # a rate's bar lists its numerator
# What each figure reads of the rollups (core.kpi.rollups.read `by`): only its own columns, summed in SQL.
DAY, TOTALS, KIND_LEVEL, CALLER = ("day",), (), ("kind", "level"), ("caller_id",)


def _weeks(f, c):
    return kpi.callback_weeks(compute(kpi.callback_days, f, c.tz, DAY), f)


def _attempts(f, c):
    return kpi.attempt_counts(compute(kpi.attempt_days, f, c.tz, TOTALS))


def _l1(c) -> str:
    return tr("kpi_ui.target.l1_done")


def _recheck_targets(c) -> str:
    return tr("kpi_wa.target.recheck", l2=c.l2_target, l3=c.l3_target)


def _rates(frame: pd.DataFrame, c) -> pd.DataFrame:
    """One row per kind, level and rate (translated, raw keys beside); a rate without a value left out."""
    long = frame.melt(id_vars=["kind", "level", "due", "done", "on_time"], value_vars=list(RATE_SERIES),
                      var_name="series", value_name="rate")
    long = labelled(labelled(long[long["rate"].notna()].reset_index(drop=True), "kind", CallbackKind), "level",
                    CallbackLevel)
    shown = pd.DataFrame({"kind_level": [f"{k} · {lv}" for k, lv in zip(long["kind"], long["level"], strict=True)],
                          "rate_name": [tr(f"kpi.calls.series.{s}") for s in long["series"]],
                          "rate_value": long["rate"].astype(float), "due": long["due"], "done": long["done"],
                          "on_time": long["on_time"]})
    return shown.assign(**{key("kind"): long[key("kind")], key("level"): long[key("level")],
                           key("series"): long["series"].map(RATE_SERIES)})


def _rates_figure(data: pd.DataFrame, f, c):
    series = [tr(f"kpi.calls.series.{s}") for s in RATE_SERIES]
    return vl.Chart(data, title=tr("kpi.chart.callback_rates_by_kind")).mark_bar().encode(
        y=vl.Y("kind_level:N", title=tr("kpi.calls.axis.kind"), sort=list(dict.fromkeys(data["kind_level"])),
               axis=vl.Axis(labelLimit=240)),
        yOffset=vl.YOffset("rate_name:N", sort=series),
        x=vl.X("rate_value:Q", title=tr("kpi.calls.axis.rate"), scale=vl.Scale(domain=[0, 1]),
               axis=vl.Axis(format="%")),
        color=vl.Color("rate_name:N", title=tr("kpi.axis.series"), sort=series,
                       legend=vl.Legend(orient="bottom")),
        tooltip=[vl.Tooltip("kind_level:N", title=tr("kpi.calls.axis.kind")),
                 vl.Tooltip("rate_name:N", title=tr("kpi.axis.series")),
                 vl.Tooltip("rate_value:Q", title=tr("kpi.calls.axis.rate"), format=".1%"),
                 vl.Tooltip("due:Q", title=tr("kpi.series.due"))])


def _period(raw: str) -> str:
    """A re-check period's key (an ISO week "2026-W48" or a month "2026-11") as the user's language writes it."""
    year, _, rest = raw.partition("-")
    if rest.startswith("W"):
        return tr("kpi_wa.period.week", year=year, week=int(rest[1:]))
    return tr("kpi_wa.period.month", year=year, month=int(rest))


def _coverage(frame: pd.DataFrame, c) -> pd.DataFrame:
    """The samples with a coverage, each as "period · level", the raw period and level beside."""
    rows = labelled(frame[frame["coverage"].notna()].reset_index(drop=True), "level", CallbackLevel)
    samples = [f"{_period(p)} · {lv}" for p, lv in zip(rows["period"], rows["level"], strict=True)]
    return pd.DataFrame({"recheck_sample": samples,
                         "callback_level": rows["level"], "population": rows["population"], "drawn": rows["drawn"],
                         "done": rows["done"], "recheck_coverage": rows["coverage"].astype(float),
                         "coverage_target": rows["target"], key("period"): rows["period"],
                         key("level"): rows[key("level")]})


def _coverage_figure(data: pd.DataFrame, f, c):
    if data.empty:
        return None
    levels = enum_order(CallbackLevel)[1:]  # L2, L3
    chart = vl.Chart(data).mark_bar().encode(
        y=vl.Y("recheck_sample:N", title=tr("kpi.calls.axis.period"), sort=list(data["recheck_sample"]),
               axis=vl.Axis(labelLimit=260)),  # "2026年第23周 · 二级（经理）" whole, not cut with "…"
        x=vl.X("recheck_coverage:Q", title=tr("kpi.calls.series.coverage"), axis=vl.Axis(format="%")),
        color=vl.Color("callback_level:N", title=tr("kpi.calls.axis.level"), sort=levels,
                       legend=vl.Legend(orient="bottom")),
        tooltip=[vl.Tooltip("recheck_sample:N", title=tr("kpi.calls.axis.period")),
                 vl.Tooltip("recheck_coverage:Q", title=tr("kpi.calls.series.coverage"), format=".1%"),
                 vl.Tooltip("done:Q", title=tr("kpi.calls.series.done")),
                 vl.Tooltip("population:Q", title=tr("kpi.calls.series.population")),
                 vl.Tooltip("coverage_target:Q", title=tr("kpi.calls.series.target"), format=".0%")])
    coverage = tr("kpi.calls.series.coverage")  # the targets share the bars' axis: its title, not none (no axis)
    l2, l3 = (target_layers(pct / 100, tr(f"kpi_wa.target.{level}", percent=pct), axis="x", dy=dy, title=coverage)
              for level, pct, dy in (("l2", c.l2_target, None), ("l3", c.l3_target, 22)))
    # the L3 label under the L2 one: equal targets would overlap
    title = {"text": tr("kpi.chart.recheck_coverage"), "subtitle": _recheck_targets(c)}
    return vl.layer(chart, *l2, *l3, title=title)


def _reasons(frame: pd.DataFrame, c) -> pd.DataFrame:
    return pd.DataFrame({"dissatisfaction_reason": frame["reason"], "count": frame["count"],
                         key("reason"): frame["reason"]})


def _names(frame: pd.DataFrame, column: str, c) -> list[str]:
    names = compute(kpi.staff)
    return [names.get(int(p), f"#{int(p)}") for p in frame[column]]


def _qa(frame: pd.DataFrame, c) -> pd.DataFrame:
    return pd.DataFrame({"qa_specialist": _names(frame, "caller_id", c), "qa_score": frame["qa_score"].round(2),
                         "qa_calls": frame["calls"], key("caller"): frame["caller_id"].astype(int).astype(str)})


def _qa_figure(data: pd.DataFrame, f, c):
    return vl.Chart(data, title=tr("kpi.chart.qa_score_per_specialist")).mark_bar().encode(
        y=vl.Y("qa_specialist:N", title=tr("kpi.calls.axis.specialist"), sort=list(data["qa_specialist"]),
               axis=vl.Axis(labelLimit=240)),
        x=vl.X("qa_score:Q", title=tr("kpi.calls.axis.qa_score"), scale=vl.Scale(domain=[0, 11])),
        tooltip=[vl.Tooltip("qa_specialist:N", title=tr("kpi.calls.axis.specialist")),
                 vl.Tooltip("qa_score:Q", title=tr("kpi.calls.axis.qa_score"), format=".2f"),
                 vl.Tooltip("qa_calls:Q", title=tr("kpi.calls.axis.calls"))])


HEADLINES = [
    Headline(kpi.callback_completion_rate, lambda f, c: kpi.callback_completion_rate(_weeks(f, c)), target=_l1,
             drill=("callbacks_per_week", {"series": "due"})),
    Headline(kpi.callback_on_time_rate, lambda f, c: kpi.callback_on_time_rate(_weeks(f, c)),
             drill=("callbacks_on_time", {"series": "on_time"})),
    Headline(kpi.reach_rate, lambda f, c: kpi.reach_rate(_attempts(f, c)),
             drill=("call_attempts", {"outcome": "reached"})),
    Headline(kpi.average_score, lambda f, c: kpi.average_score(_attempts(f, c)), fmt="score",
             drill=("scored_calls", {"scored": "yes"})),
    Headline(kpi.invalid_number_rate, lambda f, c: kpi.invalid_number_rate(_attempts(f, c)),
             drill=("call_attempts", {"outcome": "wrong_number"}), lower_is_better=True),
]

CHARTS = [
    Chart(kpi.callbacks_per_week, lambda f, c: kpi.callbacks_per_week(_weeks(f, c)),
          lambda data, f, c: due_vs_done(data, "kpi.chart.callbacks_per_week", c.partial(f),
                                         target=(1.0, tr("kpi_ui.target.l1_short"))),
          keys=("week", "series")),
    Chart(kpi.satisfaction_distribution, lambda f, c: kpi.satisfaction_distribution(_attempts(f, c)),
          lambda data, f, c: bars(data, "kpi.chart.satisfaction_distribution",
                                  ("satisfaction", "kpi.axis.satisfaction", enum_order(Satisfaction))),
          label=lambda frame, c: labelled(frame, "satisfaction", Satisfaction)),
    Chart(kpi.callback_rates_by_kind,
          lambda f, c: kpi.callback_rates_by_kind(compute(kpi.callback_days, f, c.tz, KIND_LEVEL)),
          _rates_figure, label=_rates),
    Chart(kpi.recheck_coverage, lambda f, c: compute(kpi.recheck_coverage, f), _coverage_figure, label=_coverage),
    Chart(kpi.dissatisfaction_reasons, lambda f, c: compute(kpi.dissatisfaction_reasons, f, c.tz),
          lambda data, f, c: bars(data, "kpi.chart.dissatisfaction_reasons",
                                  ("dissatisfaction_reason", "kpi.calls.axis.reason",
                                   list(data["dissatisfaction_reason"]))),
          label=_reasons),
    Chart(kpi.qa_score_per_specialist,
          lambda f, c: kpi.qa_score_per_specialist(compute(kpi.attempt_days, f, c.tz, CALLER)),
          _qa_figure, label=_qa),
]


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
