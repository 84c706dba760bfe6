"""The callbacks area (K-1, K-2): completion, on time, reach and score; callbacks per week against the L1
target, and the satisfaction of reached calls. The K-1/K-2 helpers' new KPIs join these lists."""

from __future__ import annotations

from core import kpi
from db.enums import Satisfaction
from ui.charts import bars, compute, due_vs_done, enum_order, labelled
from ui.context import tr
from ui.kpi.specs import Chart, Headline, area


def _weeks(f, c):
    return kpi.callback_weeks(compute(kpi.callback_days, f, c.tz), f)


def _attempts(f, c):
    return kpi.attempt_counts(compute(kpi.attempt_days, f, c.tz))


def _l1(c) -> str:
    return tr("kpi_ui.target.l1_done")


HEADLINES = [
    Headline(kpi.callback_completion_rate, lambda f, c: kpi.callback_completion_rate(_weeks(f, c)), target=_l1,
             drill=("callbacks_per_week", {"series": "due"})),
    Headline(kpi.callback_on_time_rate, lambda f, c: kpi.callback_on_time_rate(_weeks(f, c))),
    Headline(kpi.reach_rate, lambda f, c: kpi.reach_rate(_attempts(f, c))),
    Headline(kpi.average_score, lambda f, c: kpi.average_score(_attempts(f, c)), fmt="score"),
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
]


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
