"""The work orders area of the KPI page (issue 14, K-4): every figure on screen in both languages, each new
chart's picked mark listing as many orders as it counts, each headline's "show records" its denominator, and
the export holding what the chart draws."""

import csv
import io
import json
import re

import pytest

from core.i18n import t
from tests.ui.test_kpis_page import CHARTS, HEADLINES, _chart_rows, _titles, opened

NEW_HEADLINES = ["average_dispatch_time", "average_time_to_complete", "accepted_signed_share",
                 "accepted_special_share"]
NEW_CHARTS = ["pending_reasons", "revenue_per_week"]



def marks(at, chart: str, lang: str = "en"):
    """The rows behind a chart of the page, found by its title."""
    titles = _titles(at)
    return _chart_rows(at.get("vega_lite_chart")[titles.index(t(f"kpi.chart.{chart}", lang))].proto)


def listed(at, chart: str) -> int:
    """The total the records list of `chart` says it holds (its heading)."""
    for m in at.markdown:
        text = m.value.replace("\\", "").replace("“", "").replace("”", "")
        start = t("kpi_ui.records", "en", chart=t(f"kpi.chart.{chart}", "en"), total="").replace("“", "").replace(
            "”", "")
        if text.startswith(start):
            return int(text.removeprefix(start))
    raise AssertionError(f"no records of {chart}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_k4_figure_is_on_screen_with_its_definition(open_page, lang):
    at = opened(open_page, lang, area="work_orders")
    assert not at.exception
    assert set(NEW_HEADLINES) <= set(HEADLINES["work_orders"]) and set(NEW_CHARTS) <= set(CHARTS["work_orders"])
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{n}", lang) for n in HEADLINES["work_orders"]]
    assert _titles(at) == [t(f"kpi.chart.{n}", lang) for n in CHARTS["work_orders"]]
    assert {t(f"kpi.def.{n}", lang) for n in NEW_CHARTS} <= {c.value for c in at.caption}
    assert t("kpi_ui.target.dispatch", lang, minutes=5) in at.metric[1].proto.help  # K-4: the dispatch target


def test_a_picked_pending_reason_lists_as_many_orders_as_its_bar(open_page):
    """K-4, WO-7: the orders pending now for the picked reason."""
    at = opened(open_page, area="work_orders")
    bar = marks(at, "pending_reasons").sort_values("count").iloc[-1]
    assert bar["count"] > 0 and bar["reason"] == t(f"enum.PendingReason.{bar['reason_key']}", "en")
    at.query_params["pick"] = f"pending_reasons:reason={bar['reason_key']}"
    at.run()
    assert not at.exception and listed(at, "pending_reasons") == bar["count"]
    assert {link.proto.page for link in at.get("page_link")} == {"work_orders"}


def test_a_picked_week_of_revenue_lists_its_paid_orders_and_the_headline_those_of_the_period(open_page):
    """K-4, WO-8: a week's bar lists the paid orders with a fee completed that week; the revenue headline's
    "show records" those of the whole period, as many as the weeks' orders."""
    at = opened(open_page, area="work_orders")
    weeks = marks(at, "revenue_per_week")
    week = weeks.sort_values("orders").iloc[-1]
    at.query_params["pick"] = f"revenue_per_week:week={week['week_key']}"
    at.run()
    assert not at.exception and listed(at, "revenue_per_week") == week["orders"] > 0
    at.button(key="records_paid_service_revenue").click().run()
    assert not at.exception and at.query_params["pick"] == "revenue_per_week:period=all"
    assert listed(at, "revenue_per_week") == weeks["orders"].sum()


def test_the_completion_figures_records_are_the_orders_completed_in_the_period(open_page):
    """K-4, WO-4/5/6: the average time to complete and both acceptance shares count the orders completed in
    the period; their "show records" lists them, as many as the weekly chart's completed points."""
    at = opened(open_page, area="work_orders")
    weekly = marks(at, "work_orders_per_week")
    completed = int(weekly.loc[weekly["series_key"] == "completed"].drop_duplicates("week_key")["count"].sum())
    for name in ("average_time_to_complete", "accepted_signed_share", "accepted_special_share"):
        at.button(key=f"records_{name}").click().run()
        assert not at.exception and at.query_params["pick"] == "work_orders_per_week:series=completed"
        assert listed(at, "work_orders_per_week") == completed > 0


def test_the_average_dispatch_times_records_are_the_orders_it_averages_over(open_page):
    """K-4, WO-3: as many as the dispatch chart's dispatched groups (every group but "not dispatched")."""
    at = opened(open_page, area="work_orders")
    groups = marks(at, "dispatch_time_distribution")
    dispatched = int(groups.loc[groups["bucket_key"] != "not_dispatched", "count"].sum())
    at.button(key="records_average_dispatch_time").click().run()
    assert not at.exception and listed(at, "average_dispatch_time") == dispatched > 0


@pytest.mark.parametrize("chart", NEW_CHARTS)
def test_the_export_holds_the_rows_the_chart_draws(open_page, export_dir, chart):
    at = opened(open_page, "zh", area="work_orders")
    drawn = marks(at, chart, "zh")
    at.button(key=f"export_kpis_{chart}_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    rows = list(csv.reader(io.StringIO((export_dir / link.proto.url.removeprefix("/export/") / "file")
                                       .read_bytes().decode("utf-8-sig"))))
    if chart == "pending_reasons":
        assert rows[0] == [t(f"export.kpi.{c}", "zh") for c in ("reason", "count")]
        assert sorted(rows[1:]) == sorted([[r.reason, str(r.count)] for r in drawn.itertuples()])
    else:
        assert rows[0] == [t(f"export.kpi.{c}", "zh") for c in ("week", "revenue", "orders")]
        assert [(float(r[1]), int(r[2])) for r in rows[1:]] == [(r.revenue, r.orders) for r in drawn.itertuples()]
        assert drawn["revenue"].sum() > 0  # in the currency's units, as drawn (the KPI's frame holds cents)


def titles_in(spec) -> list[str]:
    """Every title a Vega-Lite spec draws (the chart's, its axes' and legends', its tooltips'), any depth."""
    if isinstance(spec, dict):
        own = [spec["title"]] if isinstance(spec.get("title"), str) else []
        return own + [s for k, v in spec.items() for s in titles_in(v)]
    return [s for v in spec for s in titles_in(v)] if isinstance(spec, list) else []


@pytest.mark.parametrize("area", ["work_orders", "complaints"])
def test_a_chinese_screen_titles_every_axis_legend_and_tooltip_in_chinese(open_page, area):
    """The language walk's rule (tests/e2e/test_language_in_browser.py) on these areas' charts: no Latin word
    in a title; enum values are drawn translated, their raw keys only in the data."""
    at = opened(open_page, "zh", area=area)
    shown = [s for c in at.get("vega_lite_chart") for s in titles_in(json.loads(c.proto.spec))]
    assert shown and not [s for s in shown if re.search("[A-Za-z]", s)]
    assert not [m.label for m in at.metric if re.search("[A-Za-z]", m.label)]
