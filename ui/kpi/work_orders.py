"""The work orders area (K-4): dispatch within the target, the average times to dispatch and to complete, the
shares accepted with complete signatures and with special approval, and paid-service revenue; orders per week,
the backlog by status and age, the time to dispatch against the target, the orders pending now by reason and
the revenue per week."""

from __future__ import annotations

from core import kpi
from db.enums import PendingReason, WorkOrderStatus
from ui.charts import bars, compute, enum_order, key, labelled, weekly_amounts, weekly_counts
from ui.context import tr
from ui.kpi.specs import Chart, Headline, area

DAY = ("day",)  # every figure here sums its rollup's days (core.kpi.rollups.read `by`): summed so in SQL


def _intake(f, c):
    return compute(kpi.order_intake_days, f, c.tz, c.dispatch_target, DAY)


def _done(f, c):
    return compute(kpi.order_done_days, f, c.tz, DAY)


def _dispatch(f, c):
    return kpi.dispatch_counts(_intake(f, c), compute(kpi.awaiting_dispatch, f, c.tz, c.now, c.dispatch_target))


def _target(c) -> str:
    return tr("kpi_ui.target.dispatch", minutes=c.dispatch_target)


def _ages(frame, c):
    labelled_frame = labelled(frame, "status", WorkOrderStatus)
    return labelled_frame.assign(age=[tr(f"kpi.age.{a}") for a in frame["age"]], **{key("age"): frame["age"]})


def _buckets(frame, c):
    labels = {b: tr(f"kpi.dispatch.{b}", minutes=c.dispatch_target * k) for b, k in kpi.DISPATCH_BUCKETS.items()}
    return frame.assign(bucket=frame["bucket"].map(labels), **{key("bucket"): frame["bucket"]})


def _dispatch_figure(data, f, c):
    if data["count"].sum() == 0:
        return None
    order = [tr(f"kpi.dispatch.{b}", minutes=c.dispatch_target * k) for b, k in kpi.DISPATCH_BUCKETS.items()]
    return bars(data, "kpi.chart.dispatch_time_distribution", ("bucket", "kpi.axis.dispatch_time", order)).properties(
        title={"text": tr("kpi.chart.dispatch_time_distribution"), "subtitle": _target(c)})


def _revenue(frame, c):
    """Revenue per week in the currency's units (the frame holds cents), as drawn and exported."""
    return frame.assign(revenue=frame["revenue"] / 100)


# the orders completed in the whole period: the denominator of the completion-time figures (K-4)
COMPLETED = ("work_orders_per_week", {"series": "completed"})

HEADLINES = [
    Headline(kpi.dispatch_within_target, lambda f, c: kpi.dispatch_within_target(_dispatch(f, c)), target=_target,
             drill=("dispatch_time_distribution", {"bucket": "within"})),
    Headline(kpi.average_dispatch_time, lambda f, c: kpi.average_dispatch_time(_intake(f, c)), fmt="score",
             target=_target, drill=("average_dispatch_time", {"part": "denominator"}), lower_is_better=True),
    Headline(kpi.average_time_to_complete, lambda f, c: kpi.average_time_to_complete(_done(f, c)), fmt="score",
             drill=COMPLETED, lower_is_better=True),
    Headline(kpi.accepted_signed_share, lambda f, c: kpi.accepted_signed_share(_done(f, c)), drill=COMPLETED),
    Headline(kpi.accepted_special_share, lambda f, c: kpi.accepted_special_share(_done(f, c)), drill=COMPLETED),
    Headline(kpi.paid_service_revenue, lambda f, c: kpi.paid_service_revenue(_done(f, c)), fmt="money",
             drill=("revenue_per_week", {"period": "all"})),
]

CHARTS = [
    Chart(kpi.work_orders_per_week, lambda f, c: kpi.work_orders_per_week(_intake(f, c), _done(f, c), f),
          lambda data, f, c: weekly_counts(data, ["opened", "completed"], "kpi.chart.work_orders_per_week",
                                           c.partial(f)),
          keys=("week", "series"), layer=-1),
    Chart(kpi.work_order_backlog, lambda f, c: compute(kpi.work_order_backlog, f, c.now),
          lambda data, f, c: bars(data, "kpi.chart.work_order_backlog",
                                  ("status", "kpi.axis.status", enum_order(WorkOrderStatus)),
                                  ("age", "kpi.axis.age", [tr(f"kpi.age.{a}") for a in kpi.AGES])),
          label=_ages),
    Chart(kpi.dispatch_time_distribution, lambda f, c: kpi.dispatch_time_distribution(_dispatch(f, c)),
          _dispatch_figure, label=_buckets),
    Chart(kpi.pending_reasons, lambda f, c: compute(kpi.pending_reasons, f),
          lambda data, f, c: None if data["count"].sum() == 0 else bars(
              data, "kpi.chart.pending_reasons", ("reason", "kpi.axis.pending_reason", enum_order(PendingReason))),
          label=lambda frame, c: labelled(frame, "reason", PendingReason)),
    Chart(kpi.revenue_per_week, lambda f, c: kpi.revenue_per_week(_done(f, c), f),
          lambda data, f, c: weekly_amounts(data, "revenue", "kpi.chart.revenue_per_week", "kpi.axis.revenue",
                                            c.partial(f)),
          label=_revenue, keys=("week",), layer=0),
]


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
