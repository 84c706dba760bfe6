"""The leads area of the KPI page (issue 14, K-5): every lead headline and chart on screen in both languages,
a picked mark listing as many lead contacts as it counts, a headline's records, and each chart's export
holding what the chart draws."""

import csv
import io
import json

import pandas as pd
import pyarrow as pa
import pytest

from core.fmt import fmt_percent
from core.i18n import t

HEADLINES = ["lead_sales_amount", "lead_conversion_rate", "lead_follow_up_on_time_rate"]
CHARTS = ["lead_funnel_per_week", "lead_funnel_per_specialist", "lead_funnel_per_weekday",
          "lead_follow_ups_on_schedule"]
STAGES = ["dialed", "completed", "appointments", "recommendations", "sales"]



def _leads(open_page, lang="en", **params):
    at = open_page("pages/kpis.py", lang)
    at.query_params["area"] = "leads"
    at.query_params["period"] = "this_quarter"
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def _title(spec: dict) -> str:
    return spec["title"] if isinstance(spec["title"], str) else spec["title"]["text"]


def _specs(at) -> dict[str, dict]:
    return {_title(s): s for s in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))}


def _rows(at, chart: str, lang: str = "en") -> pd.DataFrame:
    """The rows of the chart's clickable layer (the first dataset that carries the stage/class key)."""
    title = t(f"kpi.chart.{chart}", lang)
    [proto] = [c.proto for c in at.get("vega_lite_chart") if _title(json.loads(c.proto.spec)) == title]
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets]
    return next(f for f in frames if "stage_key" in f.columns or "on_time_key" in f.columns)


def _heading(chart: str, total: int) -> str:
    return t("kpi_ui.records", "en", chart=t(f"kpi.chart.{chart}", "en"), total=total).replace("“", "").replace(
        "”", "")


def _headings(at) -> list[str]:
    return [m.value.replace("\\", "").replace("“", "").replace("”", "") for m in at.markdown]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_leads_area_shows_every_k5_headline_and_chart_with_its_definition(open_page, lang):
    at = _leads(open_page, lang)
    assert not at.exception
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{n}", lang) for n in HEADLINES]
    assert list(_specs(at)) == [t(f"kpi.chart.{n}", lang) for n in CHARTS]
    assert {t(f"kpi.def.{n}", lang) for n in CHARTS} <= {c.value for c in at.caption}
    assert all(m.value != "—" for m in at.metric)  # the demo has lead contacts and follow-ups this quarter


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_funnel_charts_translate_stages_and_weekdays_and_keep_the_raw_keys(open_page, lang):
    at = _leads(open_page, lang)
    week = _rows(at, "lead_funnel_per_week", lang)
    assert set(week["stage_key"]) == set(STAGES)
    assert set(week["stage"]) == {t(f"kpi.lead.stage.{s}", lang) for s in STAGES}
    weekday = _rows(at, "lead_funnel_per_weekday", lang)
    assert set(weekday["lead_weekday"]) == {t(f"kpi.lead.weekday.{d}", lang) for d in range(7)}
    assert set(weekday["weekday_key"]) == {str(d) for d in range(7)}
    classes = _rows(at, "lead_follow_ups_on_schedule", lang)
    assert set(classes["lead_class_key"]) == {"A", "B", "C"} and set(classes["on_time_key"]) == {"yes", "no"}
    spec = _specs(at)[t("kpi.chart.lead_funnel_per_week", lang)]
    assert t("kpi.lead.stage.sales_amount_cents", lang) in json.dumps(spec, ensure_ascii=False)


@pytest.mark.parametrize("chart,fields", [("lead_funnel_per_week", ("week", "stage")),
                                          ("lead_funnel_per_specialist", ("user_id", "stage")),
                                          ("lead_funnel_per_weekday", ("weekday", "stage")),
                                          ("lead_follow_ups_on_schedule", ("lead_class", "on_time"))])
def test_a_picked_mark_lists_as_many_lead_contacts_as_it_counts(open_page, chart, fields):
    at = _leads(open_page)
    rows = _rows(at, chart)
    mark = rows[rows["count"] > 0].sort_values("count").iloc[-1]
    pick = ",".join(f"{k}={mark[k + '_key']}" for k in fields)
    at.query_params["pick"] = f"{chart}:{pick}"
    at.run()
    assert not at.exception
    assert _heading(chart, int(mark["count"])) in _headings(at)
    links = [link.proto for link in at.get("page_link")]
    assert len(links) == min(int(mark["count"]), 25) and {link.page for link in links} == {"leads"}


def test_the_sales_headline_lists_every_sale_of_the_period(open_page):
    at = _leads(open_page)
    sales = int(_rows(at, "lead_funnel_per_week").query("stage_key == 'sales'")["count"].sum())
    at.button(key="records_lead_sales_amount").click().run()
    assert not at.exception and at.query_params["pick"].startswith("lead_sales_amount")
    assert _heading("lead_sales_amount", sales) in _headings(at)
    assert len(at.get("page_link")) == min(sales, 25) > 0


def test_the_follow_ups_headline_lists_the_follow_ups_made_on_time(open_page):
    """K-5 (L-1): the on-time rate's "show records" lists its numerator, as many as the chart's on-time bars."""
    at = _leads(open_page)
    on_time = int(_rows(at, "lead_follow_ups_on_schedule").query("on_time_key == 'yes'")["count"].sum())
    at.button(key="records_lead_follow_up_on_time_rate").click().run()
    assert not at.exception and at.query_params["pick"] == "lead_follow_ups_on_schedule:on_time=yes"
    assert _heading("lead_follow_ups_on_schedule", on_time) in _headings(at)
    assert len(at.get("page_link")) == min(on_time, 25) > 0


def _export(at, export_dir, chart: str) -> list[list[str]]:
    at.button(key=f"export_kpis_{chart}_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    data = (export_dir / link.proto.url.removeprefix("/export/") / "file").read_bytes()
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_weekday_funnels_export_holds_the_counts_the_chart_draws(open_page, export_dir):
    at = _leads(open_page, "zh")
    drawn = _rows(at, "lead_funnel_per_weekday", "zh")
    rows = _export(at, export_dir, "lead_funnel_per_weekday")
    header = [t(f"export.kpi.lead_{c}", "zh") for c in ["weekday", *STAGES, "sales_amount"]]
    assert rows[0] == header
    exported = {(r[0], t(f"kpi.lead.stage.{s}", "zh")): int(r[1 + i]) for r in rows[1:] for i, s in enumerate(STAGES)}
    assert exported == {(r.lead_weekday, r.stage): int(r.count) for r in drawn.itertuples()}


def test_the_follow_ups_export_holds_the_bars_the_chart_draws(open_page, export_dir):
    at = _leads(open_page)
    drawn = _rows(at, "lead_follow_ups_on_schedule")
    rows = _export(at, export_dir, "lead_follow_ups_on_schedule")
    assert rows[0] == [t(f"export.kpi.{c}", "en") for c in ("lead_class", "lead_follow_ups", "on_time", "lead_late",
                                                            "lead_on_time_rate")]
    on_time = {r.lead_class: int(r.count) for r in drawn.itertuples() if r.on_time_key == "yes"}
    late = {r.lead_class: int(r.count) for r in drawn.itertuples() if r.on_time_key == "no"}
    assert {r[0]: (int(r[2]), int(r[3]), int(r[1])) for r in rows[1:]} == {
        k: (on_time[k], late[k], on_time[k] + late[k]) for k in on_time}


def test_the_conversion_headline_is_the_weekly_funnels_sales_over_its_dialed(open_page):
    """K-5 (L-2): the headline and the chart read the same contacts: sales ÷ dialed over the period's weeks."""
    at = _leads(open_page)
    week = _rows(at, "lead_funnel_per_week")
    sales, dialed = (int(week.loc[week["stage_key"] == s, "count"].sum()) for s in ("sales", "dialed"))
    assert dialed > 0
    assert at.metric[1].value.replace("\\", "") == fmt_percent(sales / dialed, "en")  # shown as plain text
