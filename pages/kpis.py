"""KPIs (K-1..K-4): the manager's filter, a row of headline numbers and the charts, each with its definition."""

import streamlit as st

from core import kpi
from core.clock import office_day
from core.fmt import fmt_money, fmt_percent
from db.enums import (
    CallbackKind,
    ComplaintChannel,
    ComplaintStatus,
    CustomerGrade,
    Satisfaction,
    ServiceType,
    WorkOrderStatus,
)
from ui import clock
from ui.auth import page_guard
from ui.charts import bars, compute, due_vs_done, enum_order, labelled, weekly_counts
from ui.context import lang, office, tr
from ui.export import chart_data
from ui.text import plain
from ui.widgets import enum_filter, person_filter

now = clock.now().replace(second=0, microsecond=0)  # to the minute, so the KPI cache can hit
tz = office().timezone
target = int(office().get("work_order.dispatch_target_minutes"))
today = office_day(now, tz)

page_guard("kpis")
st.title(tr("nav.kpis"))

c1, c2, c3 = st.columns(3)
with c1:
    picked = st.date_input(tr("kpi.range"), value=kpi.default_range(today), min_value=kpi.earliest(today),
                           max_value=today, key="kpi_dates", format="YYYY-MM-DD")
people = compute(kpi.staff)
with c2:
    staff_id = person_filter("kpi.staff", people, "kpi_staff")
with c3:
    grades = enum_filter("kpi.grade", CustomerGrade, "kpi_grade")
c4, c5, c6 = st.columns(3)
with c4:
    types = enum_filter("kpi.service_type", ServiceType, "kpi_type")
with c5:
    kinds = enum_filter("kpi.callback_kind", CallbackKind, "kpi_kind")
with c6:
    channels = enum_filter("kpi.complaint_channel", ComplaintChannel, "kpi_channel")
st.caption(tr("kpi.filters_hint"))

if not picked:
    st.info(tr("kpi.pick_range"))
    st.stop()
start, end = (picked[0], picked[-1]) if isinstance(picked, tuple | list) else (picked, picked)
f = kpi.KpiFilter(start, end, staff_id, grades, types, kinds, channels)
partial = kpi.partial_weeks(f, today)

# One SQL aggregate per table feeds its KPIs (core.kpi); compute() caches each for a minute.
cb_weeks = kpi.callback_weeks(compute(kpi.callback_days, f, tz), f)
attempts = kpi.attempt_counts(compute(kpi.attempt_days, f, tz))
intake = compute(kpi.order_intake_days, f, tz, target)
done = compute(kpi.order_done_days, f, tz)
dispatch = kpi.dispatch_counts(intake, compute(kpi.awaiting_dispatch, f, tz, now, target))
percent = lambda v: fmt_percent(v, lang())  # noqa: E731
HEADLINE = [
    (kpi.callback_completion_rate, kpi.callback_completion_rate(cb_weeks), percent),
    (kpi.callback_on_time_rate, kpi.callback_on_time_rate(cb_weeks), percent),
    (kpi.reach_rate, kpi.reach_rate(attempts), percent),
    (kpi.average_score, kpi.average_score(attempts), lambda v: "—" if v is None else f"{v:.2f}"),
    (kpi.complaints_closed_by_deadline, compute(kpi.complaints_closed_by_deadline, f, tz, now), percent),
    (kpi.dispatch_within_target, kpi.dispatch_within_target(dispatch), percent),
    (kpi.paid_service_revenue, kpi.paid_service_revenue(done),
     lambda v: "—" if v is None else fmt_money(v, lang(), office().currency)),
]
cols = [*st.columns(4), *st.columns(3)]  # the wider second row leaves room for money
for col, (fn, value, show) in zip(cols, HEADLINE, strict=True):
    col.metric(tr(f"kpi.metric.{fn.__name__}"), plain(show(value)), help=tr(f"kpi.def.{fn.__name__}"), border=True)


def chart(fn, figure, data=None) -> None:
    """A chart (or 'no data') with its definition under it, as the KPI's docstring says it (translated), and
    its data to export (ui.export.chart_data)."""
    if figure is None:
        st.info(tr("kpi.no_data"))
    else:
        st.altair_chart(figure, width="stretch")
        chart_data(fn.__name__, data, f)
    st.caption(tr(f"kpi.def.{fn.__name__}"))


left, right = st.columns(2)
with left:
    frame = kpi.work_orders_per_week(intake, done, f)
    chart(kpi.work_orders_per_week, weekly_counts(frame, ["opened", "completed"], "kpi.chart.work_orders_per_week",
                                                   partial), frame)
with right:
    frame = kpi.callbacks_per_week(cb_weeks)
    chart(kpi.callbacks_per_week, due_vs_done(frame, "kpi.chart.callbacks_per_week", partial), frame)

left, right = st.columns(2)
with left:
    frame = compute(kpi.complaints_by_channel, f, tz)
    frame = frame if frame.empty else labelled(labelled(frame, "channel", ComplaintChannel), "status", ComplaintStatus)
    chart(kpi.complaints_by_channel, None if frame.empty else bars(
        frame, "kpi.chart.complaints_by_channel", ("channel", "kpi.axis.channel", enum_order(ComplaintChannel)),
        ("status", "kpi.axis.status", enum_order(ComplaintStatus))), frame)
with right:
    frame = kpi.satisfaction_distribution(attempts)
    frame = frame if frame.empty else labelled(frame, "satisfaction", Satisfaction)
    chart(kpi.satisfaction_distribution, None if frame.empty else bars(
        frame, "kpi.chart.satisfaction_distribution", ("satisfaction", "kpi.axis.satisfaction",
                                                       enum_order(Satisfaction))), frame)

left, right = st.columns(2)
with left:
    frame = compute(kpi.work_order_backlog, f, now)
    ages = [tr(f"kpi.age.{a}") for a in kpi.AGES]
    frame = frame if frame.empty else labelled(frame, "status", WorkOrderStatus).assign(
        age=[tr(f"kpi.age.{a}") for a in frame["age"]])
    chart(kpi.work_order_backlog, None if frame.empty else bars(
        frame, "kpi.chart.work_order_backlog", ("status", "kpi.axis.status", enum_order(WorkOrderStatus)),
        ("age", "kpi.axis.age", ages)), frame)
with right:
    frame = kpi.dispatch_time_distribution(dispatch)
    labels = {b: tr(f"kpi.dispatch.{b}", minutes=target * k) for b, k in kpi.DISPATCH_BUCKETS.items()}
    frame = frame.assign(bucket=frame["bucket"].map(labels))
    chart(kpi.dispatch_time_distribution, None if frame["count"].sum() == 0 else bars(
        frame, "kpi.chart.dispatch_time_distribution", ("bucket", "kpi.axis.dispatch_time", list(labels.values()))),
          frame)
