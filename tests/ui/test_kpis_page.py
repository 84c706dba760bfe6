"""The KPIs page: headline numbers and six charts, every title and definition in the user's language."""

import json
from datetime import timedelta

import pandas as pd
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


def _chart_rows(chart) -> pd.DataFrame:
    """Every row of every dataset behind one chart (its layers each carry their own)."""
    return pd.concat([pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.datasets], ignore_index=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_weekly_charts_mark_partial_first_and_last_weeks_in_the_users_language(open_page, now, lang):
    """Issue 10: a range from a Wednesday to today counts its first and current weeks in part; both are drawn
    lighter with a translated legend and tooltip, the weeks between are whole."""
    at = open_page("pages/kpis.py", lang)
    today = office_day(now, "Asia/Shanghai")
    monday = today - timedelta(days=today.weekday())
    at.date_input(key="kpi_dates").set_value((monday - timedelta(days=19), today)).run()  # a Wednesday
    assert not at.exception
    partial, whole = t("kpi.week.partial", lang), t("kpi.week.full", lang)
    for chart in at.get("vega_lite_chart")[:2]:
        order = json.loads(chart.proto.spec)["layer"][0]["encoding"]["x"]["sort"]  # the weeks in time order
        coverage = _chart_rows(chart.proto).drop_duplicates("week").set_index("week")["coverage"]
        first, *middle, last = coverage[order].tolist()
        assert first == partial and set(middle) == {whole}
        assert last == (whole if today.weekday() == 6 else partial)
        assert partial in json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)  # its legend


def test_every_line_of_the_callbacks_chart_is_in_its_legend(open_page):
    at = open_page("pages/kpis.py")
    spec = json.loads(at.get("vega_lite_chart")[1].proto.spec)
    domains = [layer["encoding"]["color"]["scale"]["domain"] for layer in spec["layer"]]
    assert all(d == [t(f"kpi.series.{s}", "en") for s in ("due", "done", "completion_rate")] for d in domains)
    assert any(layer["mark"]["type"] == "line" for layer in spec["layer"])
