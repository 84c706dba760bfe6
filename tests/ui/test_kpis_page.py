"""The KPIs page (issue 14): one area at a time, its filters in the URL, headlines against the previous period,
charts with their targets, a click from a mark to its records, and every chart's data exported as drawn."""

import csv
import io
import json
from datetime import timedelta

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import select
from streamlit.elements.vega_charts import VegaLiteState
from streamlit.util import ReadOnlyAttributeDictionary

from core.clock import office_day
from core.export.files import META
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import AuditAction, ComplaintChannel, ComplaintStatus
from db.models import AuditEntry
from tests.helpers import OFFICE_TZ, set_setting
from ui.charts import KEY, PICK
from ui.kpi.filters import AREAS

HEADLINES = {"callbacks": ["callback_completion_rate", "callback_on_time_rate", "reach_rate", "average_score",
                           "invalid_number_rate"],
             "complaints": ["complaints_closed_by_deadline", "complaint_response_hours", "complaint_close_days",
                            "complaint_ours_share", "complaint_capa_verified", "complaint_repeat_share",
                            "complaint_reopen_rate"],
             "work_orders": ["dispatch_within_target", "average_dispatch_time", "average_time_to_complete",
                             "accepted_signed_share", "accepted_special_share", "paid_service_revenue"],
             "leads": ["lead_sales_amount", "lead_conversion_rate", "lead_follow_up_on_time_rate"], "staff": []}
CHARTS = {"callbacks": ["callbacks_per_week", "satisfaction_distribution", "callback_rates_by_kind",
                        "recheck_coverage", "dissatisfaction_reasons", "qa_score_per_specialist"],
          "complaints": ["complaints_by_channel", "complaints_by_model", "complaints_by_cause"],
          "work_orders": ["work_orders_per_week", "work_order_backlog", "dispatch_time_distribution",
                          "pending_reasons", "revenue_per_week"],
          "leads": ["lead_funnel_per_week", "lead_funnel_per_specialist", "lead_funnel_per_weekday",
                    "lead_follow_ups_on_schedule"], "staff": ["specialist_view", "technician_view"]}



def _titles(at) -> list[str]:
    """The title of every Altair chart on the page, read from its Vega-Lite spec."""
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return [s["title"] if isinstance(s["title"], str) else s["title"]["text"] for s in specs]


def _chart_rows(chart) -> pd.DataFrame:
    """Every row of every dataset behind one chart (its layers each carry their own)."""
    return pd.concat([pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.datasets], ignore_index=True)


def opened(open_page, lang: str = "en", **params):
    """The KPI page opened from a link holding `params` (a pasted URL, a refresh)."""
    at = open_page("pages/kpis.py", lang)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def _figures(at) -> list[str]:
    return [m.value for m in at.metric]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_callbacks_area_opens_first_with_its_headlines_charts_and_definitions(open_page, lang):
    at = open_page("pages/kpis.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.kpis", lang)
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{name}", lang) for name in HEADLINES["callbacks"]]
    assert at.metric[0].value.endswith("%")
    assert _titles(at) == [t(f"kpi.chart.{name}", lang) for name in CHARTS["callbacks"]]
    assert {t(f"kpi.def.{name}", lang) for name in CHARTS["callbacks"]} <= {c.value for c in at.caption}


@pytest.mark.parametrize("area", AREAS)
def test_each_area_shows_only_its_own_headlines_and_charts(open_page, area):
    at = opened(open_page, "zh", area=area)
    assert not at.exception
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{name}", "zh") for name in HEADLINES[area]]
    assert _titles(at) == [t(f"kpi.chart.{name}", "zh") for name in CHARTS[area]]
    if not HEADLINES[area] and not CHARTS[area]:
        assert [i.value for i in at.info] == [t("kpi_ui.area_pending", "zh")]


@pytest.mark.parametrize("area", ["callbacks", "staff"])
def test_a_run_from_the_caches_draws_what_the_first_run_drew_and_a_language_switch_redraws(open_page, area):
    """Drawn charts, headline values and the staff tables are kept a minute (ui.kpi.specs._drawn, _values;
    ui.kpi.staff._tables): a second run shows the same, and the other language, chosen within the minute, is
    drawn in that language, not served from the first one's cache."""
    at = opened(open_page, "en", area=area)
    first = ([c.proto.spec for c in at.get("vega_lite_chart")], [(m.label, m.value) for m in at.metric],
             [d.value.to_dict() for d in at.dataframe])
    at.run()
    assert ([c.proto.spec for c in at.get("vega_lite_chart")], [(m.label, m.value) for m in at.metric],
            [d.value.to_dict() for d in at.dataframe]) == first
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert _titles(at) == [t(f"kpi.chart.{name}", "zh") for name in CHARTS[area]]
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{name}", "zh") for name in HEADLINES[area]]
    assert all(t("kpi_wa.col.name", "zh") in d.value.columns for d in at.dataframe)


def test_a_cached_run_draws_no_chart_again_and_a_changed_setting_is_drawn_at_once(open_page, demo_url, monkeypatch):
    """The second run within the minute builds no chart (ui.kpi.specs._drawn hits); a setting saved meanwhile
    (the lead intervals of L-1, as the settings page saves them and clears the office cache) is part of the key,
    so the follow-up figure is counted again at once."""
    import ui.context
    import ui.kpi.specs

    at = opened(open_page, "en", area="leads")
    before = {m.label: m.value for m in at.metric}
    built = []
    real = ui.kpi.specs.vega_spec
    monkeypatch.setattr(ui.kpi.specs, "vega_spec", lambda chart: built.append(chart) or real(chart))
    at.run()
    assert built == [] and {m.label: m.value for m in at.metric} == before
    engine = make_engine(demo_url)
    for lead_class in "abc":
        set_setting(engine, f"lead.{lead_class}_interval_days", 1)
    engine.dispose()
    ui.context.clear_office_cache()
    at.run()
    assert not at.exception and built  # drawn again under the new settings
    rate = t("kpi.metric.lead_follow_up_on_time_rate", "en")
    assert {m.label: m.value for m in at.metric}[rate] != before[rate]


def test_choosing_an_area_writes_it_to_the_url(open_page):
    at = open_page("pages/kpis.py")
    at.button_group(key="area").set_value("work_orders").run()
    assert not at.exception and at.query_params["area"] == "work_orders"
    assert _titles(at) == [t(f"kpi.chart.{name}", "en") for name in CHARTS["work_orders"]]


def test_every_headline_shows_its_change_against_the_previous_period(open_page):
    at = opened(open_page, area="work_orders")
    rate, revenue = at.metric[0], at.metric[-1]
    assert rate.proto.delta.endswith(" pp") or rate.proto.delta == ""
    assert t("kpi_ui.target.dispatch", "en", minutes=5) in rate.proto.help
    assert "Previous period" in revenue.proto.help


def test_changing_a_filter_changes_the_figures_and_the_url_and_the_link_restores_both(open_page):
    at = open_page("pages/kpis.py")
    everyone = _figures(at)
    at.selectbox(key="staff").select_index(1).run()
    assert not at.exception
    staff = at.query_params["staff"]
    assert staff.isdecimal() and _figures(at) != everyone
    at.selectbox(key="period").set_value("this_quarter").run()
    assert at.query_params["period"] == "this_quarter"
    narrowed = _figures(at)
    again = opened(open_page, staff=staff, period="this_quarter")
    assert not again.exception
    assert _figures(again) == narrowed
    assert again.selectbox(key="staff").value == int(staff) and again.selectbox(key="period").value == "this_quarter"


def test_choosing_a_custom_range_writes_the_days_shown_into_the_link_at_once(open_page, now):
    """A link copied before two days are picked held only period=custom (the tour): it now holds the days the
    page was showing, which the range box starts from."""
    from core.kpi.periods import period

    at = opened(open_page, period="last_month")
    at.selectbox(key="period").select("custom").run()
    assert not at.exception
    start, end = period("last_month", office_day(now, OFFICE_TZ))
    assert (at.query_params["period"], at.query_params["from"], at.query_params["to"]) == (
        "custom", start.isoformat(), end.isoformat())
    assert at.date_input(key="kpi_days").value == (start, end)


def test_a_custom_range_without_data_shows_no_data_not_zero(open_page, now):
    """K-1..K-4: rates with no denominator are None, shown as —."""
    day = office_day(now, "Asia/Shanghai") - timedelta(days=730)  # before the demo's history
    at = opened(open_page, period="custom", **{"from": day.isoformat(), "to": (day + timedelta(days=30)).isoformat()})
    assert not at.exception
    assert at.date_input(key="kpi_days").value == (day, day + timedelta(days=30))
    assert {m.value for m in at.metric} == {"—"}
    assert t("kpi.no_data", "en") in [i.value for i in at.info]


def test_values_a_link_cannot_hold_are_ignored_with_a_notice(open_page):
    at = opened(open_page, grade=["vip", "emperor"], staff="x9", period="yesterday", area="nowhere",
                **{"from": "2026-13-01"})
    assert not at.exception
    notice = [c.value for c in at.caption if c.value.startswith("Some values")]
    labels = [t(k, "en") for k in ("kpi.grade", "kpi.staff", "kpi_ui.period", "kpi_ui.area", "kpi.range")]
    assert len(notice) == 1 and all(label in notice[0] for label in labels)
    assert at.query_params.get("grade") == "vip" and "staff" not in at.query_params
    assert at.multiselect(key="grade").value == ["vip"]
    drawn = _titles(at)  # a chart without VIP data says so instead (kpi.no_data)
    assert drawn[:2] == [t(f"kpi.chart.{name}", "en") for name in CHARTS["callbacks"][:2]]
    assert set(drawn) <= {t(f"kpi.chart.{name}", "en") for name in CHARTS["callbacks"]}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_weekly_charts_mark_partial_first_and_last_weeks_in_the_users_language(open_page, now, lang):
    """Issue 10: a range from a Wednesday to today counts its first and current weeks in part; both are drawn
    lighter with a translated legend and tooltip, the weeks between are whole."""
    today = office_day(now, "Asia/Shanghai")
    monday = today - timedelta(days=today.weekday())
    at = opened(open_page, lang, period="custom",
                **{"from": (monday - timedelta(days=19)).isoformat(), "to": today.isoformat()})
    assert not at.exception
    partial, whole = t("kpi.week.partial", lang), t("kpi.week.full", lang)
    chart = at.get("vega_lite_chart")[0]
    order = json.loads(chart.proto.spec)["layer"][0]["encoding"]["x"]["sort"]  # the weeks in time order
    coverage = _chart_rows(chart.proto).dropna(subset=["coverage"]).drop_duplicates("week").set_index("week")
    first, *middle, last = coverage["coverage"][order].tolist()
    assert first == partial and set(middle) == {whole}
    assert last == (whole if today.weekday() == 6 else partial)


def test_the_callbacks_chart_draws_the_l1_target_and_every_series_in_its_legend(open_page):
    at = open_page("pages/kpis.py")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    coloured = [layer for layer in spec["layer"] if "color" in layer["encoding"]
                and "scale" in layer["encoding"]["color"]]
    assert all(layer["encoding"]["color"]["scale"]["domain"] == [t(f"kpi.series.{s}", "en")
                                                                  for s in ("due", "done", "completion_rate")]
               for layer in coloured)
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"])
    assert t("kpi_ui.target.l1_short", "en") in json.dumps(spec, ensure_ascii=False) + str(
        [d for d in _chart_rows(at.get("vega_lite_chart")[0].proto).get("label", [])])


def test_the_chart_values_and_axes_are_translated_and_keep_the_raw_keys_for_a_pick(open_page):
    at = opened(open_page, "zh", area="complaints")
    chart = at.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    assert spec["encoding"]["y"]["title"] == t("kpi.axis.channel", "zh")
    data = _chart_rows(chart)
    assert set(data["channel"]) <= {t(f"enum.ComplaintChannel.{c}", "zh") for c in ComplaintChannel}
    assert set(data["channel_key"]) <= {c.value for c in ComplaintChannel}
    assert spec["params"][0]["name"] == "pick"


def _shown(text: str, elements) -> bool:
    """Whether `text` is one of the elements' (Markdown escapes and curly quotes aside)."""
    def bare(value: str) -> str:
        return value.replace("\\", "").replace("“", "").replace("”", "")
    return bare(text) in [bare(e.value) for e in elements]


def _complaint_marks(at) -> pd.DataFrame:
    return _chart_rows(at.get("vega_lite_chart")[0].proto)


def test_a_picked_bar_lists_its_records_and_each_opens_its_complaint(open_page):
    at = opened(open_page, area="complaints")
    marks = _complaint_marks(at)
    mark = marks.sort_values("count").iloc[-1]
    at.query_params["pick"] = f"complaints_by_channel:channel={mark.channel_key},status={mark.status_key}"
    at.run()
    assert not at.exception
    heading = t("kpi_ui.records", "en", chart=t("kpi.chart.complaints_by_channel", "en"), total=int(mark["count"]))
    assert _shown(heading, at.markdown)
    links = [link.proto for link in at.get("page_link")]
    assert len(links) == min(int(mark["count"]), 25)
    assert {link.page for link in links} == {"complaints"}
    assert all(link.query_string.startswith("id=") for link in links)
    assert t(f"enum.ComplaintStatus.{mark.status_key}", "en") in links[0].label
    record = open_page("pages/complaints.py")  # where the link leads: the complaint's own page
    record.query_params["id"] = links[0].query_string.removeprefix("id=")
    record.run()
    number = links[0].label.split(" · ")[0].replace("\\", "")
    assert not record.exception and number in record.subheader[0].value.replace("\\", "")


def test_a_pick_the_chart_cannot_hold_shows_a_notice_and_no_list(open_page):
    at = opened(open_page, area="complaints", pick="complaints_by_channel:channel=pigeon")
    assert not at.exception
    assert t("kpi_ui.bad_pick", "en") in [w.value for w in at.warning]
    assert not at.get("page_link") and "pick" not in at.query_params


@pytest.mark.parametrize(("area", "chart"), [
    ("callbacks", "qa_score_per_specialist"), ("callbacks", "dissatisfaction_reasons"),
    ("complaints", "complaints_by_model"), ("work_orders", "pending_reasons"), ("leads", "lead_funnel_per_week"),
    ("staff", "specialist_view")])
def test_a_hand_edited_pick_shows_the_notice_never_a_traceback(open_page, area, chart):
    """Issue 14: a key no mark of the chart has (a hand-edited link) is refused by the drill (ValueError)."""
    at = opened(open_page, area=area, pick=f"{chart}:x=1")
    assert not at.exception
    assert t("kpi_ui.bad_pick", "en") in [w.value for w in at.warning]
    assert "pick" not in at.query_params


def test_a_headline_shows_its_records(open_page):
    at = opened(open_page, area="work_orders")
    at.button(key="records_dispatch_within_target").click().run()
    assert not at.exception
    assert at.query_params["pick"] == "dispatch_time_distribution:bucket=within"
    assert {link.proto.page for link in at.get("page_link")} == {"work_orders"}


def test_the_chart_export_holds_the_rows_the_chart_draws(open_page, export_dir):
    at = opened(open_page, "zh", area="complaints")
    drawn = _complaint_marks(at)
    at.button(key="export_kpis_complaints_by_channel_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    folder = export_dir / link.proto.url.removeprefix("/export/")
    data = (folder / "file").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [t(f"export.kpi.{c}", "zh") for c in ("channel", "status", "count")]
    assert sorted(rows[1:]) == sorted([[r.channel, r.status, str(r.count)] for r in drawn.itertuples()])
    name = json.loads((folder / META).read_text(encoding="utf-8"))["name"]  # what the browser saves it as
    assert name.startswith(f"{t('export.name.kpis', 'zh')}-{t('kpi.chart.complaints_by_channel', 'zh')}-")


def test_the_completion_rates_records_are_the_callbacks_due_in_the_period(open_page):
    """K-1: "show records" under the completion rate lists its denominator, as many as the chart's due bars."""
    at = open_page("pages/kpis.py")
    rows = _chart_rows(at.get("vega_lite_chart")[0].proto)
    due = int(rows.loc[rows["series_key"] == "due", "count"].sum())
    at.button(key="records_callback_completion_rate").click().run()
    assert not at.exception and at.query_params["pick"] == "callbacks_per_week:series=due"
    heading = t("kpi_ui.records", "en", chart=t("kpi.chart.callbacks_per_week", "en"), total=due)
    assert _shown(heading, at.markdown)
    assert {link.proto.page for link in at.get("page_link")} == {"callbacks"}


def test_the_records_of_a_pick_export_every_one_with_the_dashboards_filters(open_page, export_dir):
    at = opened(open_page, "zh", area="complaints", pick="complaints_by_channel:channel=phone")
    total = int(_complaint_marks(at).query("channel_key == 'phone'")["count"].sum())
    at.button(key="export_drill_complaints_by_channel_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    folder = export_dir / link.proto.url.removeprefix("/export/")
    data = (folder / "file").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [t(f"kpi_ui.col.{c}", "zh") for c in ("number", "customer", "at", "status", "staff")]
    assert len(rows) - 1 == total > 0 and len({r[0] for r in rows[1:]}) == total
    assert {r[3] for r in rows[1:]} <= {t(f"enum.ComplaintStatus.{s.value}", "zh") for s in ComplaintStatus}
    records = t("kpi_ui.records_file", "zh", chart=t("kpi.chart.complaints_by_channel", "zh"))
    assert json.loads((folder / META).read_text(encoding="utf-8"))["name"].startswith(f"指标数据-{records}-")


def test_a_new_pick_says_once_where_its_records_are(open_page):
    """The list opens under the chart's row, often below the window's edge: a toast says so, once a pick."""
    at = opened(open_page, "zh", area="complaints", pick="complaints_by_channel:channel=phone")
    total = int(_complaint_marks(at).query("channel_key == 'phone'")["count"].sum())
    told = t("kpi_ui.records_below", "zh", chart=t("kpi.chart.complaints_by_channel", "zh"), total=total)
    assert [toast.value.replace("\\", "") for toast in at.toast] == [told]
    at.run()
    assert not at.toast and at.get("page_link")  # the same pick: still listed, not announced again
    at.query_params["pick"] = "complaints_by_channel:channel=letter"
    at.run()
    assert len(at.toast) == 1 and not at.warning


def test_records_of_a_chart_not_drawn_are_announced_at_the_end_and_again_after_a_close(open_page):
    """A headline whose chart the area does not draw (the average dispatch time) lists its records at the end
    of the area: the toast says so; closed and asked again, it is announced again."""
    at = opened(open_page, area="work_orders")
    end = t("kpi_ui.records_at_end", "en", chart="§", total="¶").split("¶")[-1]
    for _ in range(2):
        at.button(key="records_average_dispatch_time").click().run()
        assert not at.exception and at.get("page_link")
        [toast] = at.toast
        assert toast.value.replace("\\", "").endswith(end)
        at.button(key="drill_average_dispatch_time_close").click().run()
        assert "pick" not in at.query_params and not at.toast


def _click(at, key: str, **marks: str):
    """A click on a chart's mark as the browser reports it: the chart's selection holds the mark's raw keys."""
    picked = [{f"{k}{KEY}": v for k, v in marks.items()}]
    at.session_state[key] = VegaLiteState({"selection": ReadOnlyAttributeDictionary({PICK: picked})})
    return at.run()


def test_a_mark_picked_closed_and_clicked_again_lists_its_records_again(open_page):
    """The browser sends nothing for a selection that has not changed: once its pick is closed (or replaced by
    another chart's), the chart comes back under a new key, without the selection, so the same bar picks again."""
    at = _click(opened(open_page, area="complaints"), "chart_complaints_by_channel", channel="phone")
    assert at.query_params["pick"] == "complaints_by_channel:channel=phone" and at.get("page_link")
    at.button(key="drill_complaints_by_channel_close").click().run()
    assert "pick" not in at.query_params and "chart_complaints_by_channel" not in at.session_state
    at = _click(at, "chart_complaints_by_channel_1", channel="phone")
    assert at.query_params["pick"] == "complaints_by_channel:channel=phone" and at.get("page_link")
    at = _click(at, "chart_complaints_by_model", model=_a_model(at))
    assert at.query_params["pick"].startswith("complaints_by_model:")
    assert "chart_complaints_by_channel_1" not in at.session_state  # replaced: drawn anew, as chart_..._2
    at = _click(at, "chart_complaints_by_channel_2", channel="phone")
    assert at.query_params["pick"] == "complaints_by_channel:channel=phone"


def _a_model(at) -> str:
    rows = _chart_rows([c.proto for c in at.get("vega_lite_chart")][1])
    return str(rows["model_key"].iloc[0])


@pytest.mark.parametrize(("lang", "params", "named"), [
    ("zh", {"period": "nonsense"}, ["kpi_ui.period"]),
    ("en", {"grade": "gold", "staff": "999999"}, ["kpi.staff", "kpi.grade"]),
    ("en", {"pick": "garbage"}, ["kpi_ui.show_records"]),  # no chart's pick: dropped and said, not kept unsaid
    ("en", {"pick": "complaints_by_model:="}, ["kpi_ui.show_records"]),
])
def test_values_a_link_cannot_hold_are_named_as_the_screen_labels_them(open_page, lang, params, named):
    at = opened(open_page, lang, area="complaints", **params)
    sep = t("kpi_ui.names_sep", lang)
    assert _shown(t("kpi_ui.ignored", lang, names=sep.join(t(k, lang) for k in named)), at.caption)
    assert not set(params) & set(at.query_params)


def test_every_parameter_the_link_check_can_drop_has_a_screen_label():
    from datetime import date

    from ui.kpi.filters import FROM, LABELS, PICK, Choices, params

    names = set(params(Choices(date(2026, 6, 17), {}, []))) | {FROM, PICK}
    assert names <= set(LABELS) and all(t(key, lang) != key for key in LABELS.values() for lang in ("en", "zh"))


def test_a_change_too_small_to_show_has_no_arrow():
    """A headline's "-0.0 pp" read as a fall, drawn green or red: a change that rounds to none is "0.0 pp"."""
    from ui.kpi.specs import delta_text, flat

    assert delta_text("percent", 0.28, 0.2800004) == t("kpi_ui.delta_pp", "en", value="0.0")
    assert flat(delta_text("percent", 0.28, 0.2800004)) and not flat(delta_text("percent", 0.3, 0.2))
    assert delta_text("percent", 0.3, 0.2) == t("kpi_ui.delta_pp", "en", value="+10.0")
    assert delta_text("score", 4.001, 4.0) == "0.00" and delta_text("count", 5, 5) == "0"
    assert delta_text("count", 4, 5) == "-1" and not flat("-1")


@pytest.mark.parametrize(("currency", "change", "flat_"), [("JPY", 49, True), ("JPY", 150, False),
                                                           ("CNY", 1, False), ("CNY", 0, True)])
def test_a_money_change_is_flat_when_its_currency_shows_none(monkeypatch, currency, change, flat_):
    """A currency without cents (JPY) shows a 49-cent change as ¥0: no arrow, as for any change that shows none."""
    from types import SimpleNamespace

    import ui.kpi.specs as specs

    monkeypatch.setattr(specs, "office", lambda: SimpleNamespace(currency=currency))
    delta = specs.delta_text("money", 10_000 + change, 10_000)
    assert specs.flat(delta) is flat_ and (flat_ or delta.startswith("+"))


def test_a_link_picking_another_areas_chart_lists_its_records(open_page):
    """A hand-made or edited link (area=leads, a complaints pick): the records are listed, not silently dropped."""
    at = opened(open_page, area="leads", period="last_12_months", pick="complaints_by_channel:channel=phone")
    assert not at.exception
    assert at.get("page_link") and {link.proto.page for link in at.get("page_link")} == {"complaints"}


def test_records_past_the_cap_say_more_than_it_page_and_export_every_one(open_page, export_dir, monkeypatch):
    """Issue 14 (a drill-down list ≤ 100 ms): past CAP the total is not counted; the list says "3+", still pages,
    and the export still holds every record."""
    from core.kpi import drill_page

    monkeypatch.setattr(drill_page, "CAP", 3)
    at = opened(open_page, area="complaints", pick="complaints_by_channel:channel=phone")
    total = int(_complaint_marks(at).query("channel_key == 'phone'")["count"].sum())
    assert not at.exception and total > 3
    heading = t("kpi_ui.records_more", "en", chart=t("kpi.chart.complaints_by_channel", "en"), total="3")
    assert _shown(heading, at.markdown)
    assert len(at.get("page_link")) == min(total, 25)
    assert _shown(t("list.count_more", "en", total="3", page=1, pages=1), at.caption)
    at.button(key="export_drill_complaints_by_channel_csv").click().run()
    [link] = at.get("link_button")
    data = (export_dir / link.proto.url.removeprefix("/export/") / "file").read_bytes()
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1 == total


def test_the_records_export_audits_the_dashboards_filters_with_the_pick(open_page, demo_url, export_dir):
    """Issue 14: the audit of a drill's export records the filters the list was drawn with, not only its pick."""
    at = opened(open_page, area="complaints", period="this_quarter", pick="complaints_by_channel:channel=phone")
    at.button(key="export_drill_complaints_by_channel_csv").click().run()
    assert not at.exception
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)).all()
        audited = entry.changes["_"]["filter"]
    engine.dispose()
    assert audited["period"] == ["this_quarter"] and audited["area"] == ["complaints"]
    assert audited["chart"] == ["complaints_by_channel"] and audited["pick"] == ["complaints_by_channel:channel=phone"]


LOWER_IS_BETTER = {"invalid_number_rate", "average_dispatch_time", "average_time_to_complete",
                   "complaint_response_hours", "complaint_close_days", "complaint_repeat_share",
                   "complaint_reopen_rate"}


@pytest.mark.parametrize("area", ["callbacks", "complaints", "work_orders"])
def test_a_fall_is_drawn_as_good_news_where_lower_is_better(open_page, area):
    """The change against the previous period is green when it is good: a rise of a rate, a fall of a time,
    of invalid numbers, repeats or reopenings (st.metric's inverse colours)."""
    from streamlit.proto.Metric_pb2 import Metric

    at = opened(open_page, area=area, period="last_month")  # the demo office has the month before it too
    assert not at.exception
    names = {t(f"kpi.metric.{name}", "en"): name for name in HEADLINES[area]}
    checked = 0
    for m in at.metric:
        delta = m.proto.delta
        if not delta or m.label not in names or delta.lstrip("+-").startswith("0.0"):
            continue
        good = delta.startswith("-") == (names[m.label] in LOWER_IS_BETTER)
        assert m.proto.color == (Metric.MetricColor.GREEN if good else Metric.MetricColor.RED), m.label
        checked += 1
    assert checked
