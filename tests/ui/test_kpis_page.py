"""The KPIs page: headline numbers and six charts, every title and definition in the user's language."""

import json
from datetime import timedelta

import pyarrow as pa
import pytest

from core.clock import office_day
from core.i18n import t
from db.enums import ComplaintChannel

HEADLINE = ["callback_completion_rate", "callback_on_time_rate", "reach_rate", "average_score",
            "complaints_closed_by_deadline", "dispatch_within_target", "paid_service_revenue"]
CHARTS = ["work_orders_per_week", "callbacks_per_week", "complaints_by_channel", "satisfaction_distribution",
          "work_order_backlog", "dispatch_time_distribution"]


def _titles(at) -> list[str]:
    """The title of every Altair chart on the page, read from its Vega-Lite spec."""
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return [s["title"] if isinstance(s["title"], str) else s["title"]["text"] for s in specs]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_kpis_page_shows_headline_numbers_and_charts_in_each_language(open_page, lang):
    at = open_page("pages/kpis.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.kpis", lang)
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{name}", lang) for name in HEADLINE]
    assert at.metric[0].value.endswith("%") and at.metric[-1].value != "—"
    assert _titles(at) == [t(f"kpi.chart.{name}", lang) for name in CHARTS]
    captions = {c.value for c in at.caption}
    assert {t(f"kpi.def.{name}", lang) for name in CHARTS} <= captions


def test_chart_values_and_axes_are_translated(open_page):
    at = open_page("pages/kpis.py", "zh")
    chart = at.get("vega_lite_chart")[2].proto  # complaints by channel
    spec = json.loads(chart.spec)
    assert spec["encoding"]["y"]["title"] == t("kpi.axis.channel", "zh")
    assert spec["encoding"]["color"]["title"] == t("kpi.axis.status", "zh")
    data = pa.ipc.open_stream(chart.datasets[0].data.data).read_pandas()
    assert set(data["channel"]) <= {t(f"enum.ComplaintChannel.{c}", "zh") for c in ComplaintChannel}
    assert t("enum.ComplaintStatus.received", "zh") in set(data["status"])


def test_the_staff_filter_narrows_the_kpis(open_page):
    at = open_page("pages/kpis.py")
    everyone = [m.value for m in at.metric]
    at.selectbox(key="kpi_staff").select_index(1).run()
    assert not at.exception
    assert [m.value for m in at.metric] != everyone


def test_a_date_range_without_data_shows_no_data_not_zero(open_page, now):
    """K-1..K-4: rates with no denominator are None, shown as —."""
    at = open_page("pages/kpis.py")
    today = office_day(now, "Asia/Shanghai")
    two_years_ago = today - timedelta(days=730)  # before the demo's history, within the pickable range
    at.date_input(key="kpi_dates").set_value((two_years_ago, two_years_ago + timedelta(days=30))).run()
    assert not at.exception
    assert {m.value for m in at.metric} == {"—"}
    assert t("kpi.no_data", "en") in [i.value for i in at.info]
