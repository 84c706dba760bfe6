"""The complaints area (K-3): complaints closed by the promised deadline; complaints by channel and status.
The K-3 helper's new KPIs join these lists."""

from __future__ import annotations

from core import kpi
from db.enums import ComplaintChannel, ComplaintStatus
from ui.charts import bars, compute, enum_order, labelled
from ui.kpi.specs import Chart, Headline, area

HEADLINES = [
    Headline(kpi.complaints_closed_by_deadline,
             lambda f, c: compute(kpi.complaints_closed_by_deadline, f, c.tz, c.now)),
]

CHARTS = [
    Chart(kpi.complaints_by_channel, lambda f, c: compute(kpi.complaints_by_channel, f, c.tz),
          lambda data, f, c: bars(data, "kpi.chart.complaints_by_channel",
                                  ("channel", "kpi.axis.channel", enum_order(ComplaintChannel)),
                                  ("status", "kpi.axis.status", enum_order(ComplaintStatus))),
          label=lambda frame, c: labelled(labelled(frame, "channel", ComplaintChannel), "status", ComplaintStatus)),
]


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
