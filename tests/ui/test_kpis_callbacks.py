"""The callbacks area (issue 14, K-1 and K-2): every new headline and chart on screen in both languages, the
re-check coverage against its L2/L3 targets, each chart's mark and each headline's "show records" listing as
many records as the figure counts, and each chart's export holding the rows it draws."""

import csv
import io
import json

import pytest

from core.i18n import t
from tests.ui.test_kpis_page import CHARTS, HEADLINES, _chart_rows, _titles, opened

NEW_HEADLINES = ["invalid_number_rate"]
NEW_CHARTS = ["callback_rates_by_kind", "recheck_coverage", "dissatisfaction_reasons", "qa_score_per_specialist"]



def _chart(at, name: str, lang: str = "en"):
    """The chart titled as `name`'s, its spec and the rows it draws."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["title"] if isinstance(spec["title"], str) else spec["title"]["text"]
        if title == t(f"kpi.chart.{name}", lang):
            return spec, _chart_rows(chart.proto)
    raise AssertionError(f"no chart {name}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_new_headline_and_chart_is_on_screen_with_its_definition(open_page, lang):
    at = opened(open_page, lang, area="callbacks")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert [t(f"kpi.metric.{n}", lang) for n in NEW_HEADLINES] == labels[len(HEADLINES["callbacks"]) - 1:]
    assert set(_titles(at)) == {t(f"kpi.chart.{n}", lang) for n in CHARTS["callbacks"]}
    assert {t(f"kpi.def.{n}", lang) for n in NEW_CHARTS} <= {c.value for c in at.caption}


def test_recheck_coverage_draws_the_l2_and_l3_targets(open_page):
    at = opened(open_page, area="callbacks")
    spec, rows = _chart(at, "recheck_coverage")
    rules = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rule"]
    assert len(rules) == 2
    targets = rows.dropna(subset=["label"])
    percents = {"l2": round(targets["target"].max() * 100), "l3": round(targets["target"].min() * 100)}
    assert set(targets["label"]) == {t(f"kpi_wa.target.{level}", "en", percent=p) for level, p in percents.items()}
    assert set(rows.dropna(subset=["level_key"])["level_key"]) <= {"L2", "L3"}
    # the targets share the bars' x axis: none of its layers hides it (Vega-Lite merges their axes)
    assert all(layer["encoding"]["x"].get("axis", {}) is not None for layer in spec["layer"])
    assert {layer["encoding"]["x"]["title"] for layer in spec["layer"]} == {t("kpi.calls.series.coverage", "en")}


def _pick(at, chart: str, **keys) -> None:
    at.query_params["pick"] = f"{chart}:" + ",".join(f"{k}={v}" for k, v in keys.items())
    at.run()
    assert not at.exception


def test_a_picked_mark_lists_as_many_records_as_it_counts(open_page):
    at = opened(open_page, area="callbacks")
    _, rates = _chart(at, "callback_rates_by_kind")
    mark = rates.dropna(subset=["kind_key"]).sort_values("due").iloc[-1]
    checks = [("callback_rates_by_kind", {"kind": mark.kind_key, "level": mark.level_key, "series": "done"},
               int(mark.done))]
    _, reasons = _chart(at, "dissatisfaction_reasons")
    top = reasons.dropna(subset=["reason_key"]).iloc[0]
    if "," not in top.reason_key:
        checks.append(("dissatisfaction_reasons", {"reason": top.reason_key}, int(top["count"])))
    _, scores = _chart(at, "qa_score_per_specialist")
    first = scores.dropna(subset=["caller_key"]).iloc[0]
    checks.append(("qa_score_per_specialist", {"caller": first.caller_key}, int(first.qa_calls)))
    for chart, keys, count in checks:
        _pick(at, chart, **keys)
        heading = t("kpi_ui.records", "en", chart=t(f"kpi.chart.{chart}", "en"), total=count)
        assert _plain(heading) in [_plain(m.value) for m in at.markdown], chart
        assert len(at.get("page_link")) == min(count, 25)


def _plain(text: str) -> str:
    return text.replace("\\", "").replace("“", "").replace("”", "")


@pytest.mark.parametrize(("headline", "pick"), [
    ("callback_on_time_rate", "callbacks_on_time:series=on_time"),
    ("reach_rate", "call_attempts:outcome=reached"),
    ("average_score", "scored_calls:scored=yes"),
    ("invalid_number_rate", "call_attempts:outcome=wrong_number"),
])
def test_each_headline_shows_its_records(open_page, headline, pick):
    at = opened(open_page, area="callbacks")
    at.button(key=f"records_{headline}").click().run()
    assert not at.exception and at.query_params["pick"] == pick
    assert {link.proto.page for link in at.get("page_link")} == {"callbacks"}


def test_the_on_time_records_are_as_many_as_the_rate_counts(open_page):
    """K-1: the on-time headline's records are its numerator: on time = rate × due (the weekly chart's due)."""
    at = opened(open_page, area="callbacks")
    rows = _chart_rows(at.get("vega_lite_chart")[0].proto)
    due = int(rows.loc[rows["series_key"] == "due", "count"].sum())
    _, rates = _chart(at, "callback_rates_by_kind")
    on_time = rates.dropna(subset=["kind_key"]).drop_duplicates(["kind_key", "level_key"])["on_time"].sum()
    assert int(rates.dropna(subset=["kind_key"]).drop_duplicates(["kind_key", "level_key"])["due"].sum()) == due
    _pick(at, "callbacks_on_time", series="on_time")
    heading = t("kpi_ui.records", "en", chart=t("kpi.chart.callbacks_on_time", "en"), total=int(on_time))
    assert _plain(heading) in [_plain(m.value) for m in at.markdown]


@pytest.mark.parametrize("chart", ["qa_score_per_specialist", "callback_rates_by_kind"])
def test_the_chart_export_holds_the_rows_the_chart_draws(open_page, export_dir, chart):
    at = opened(open_page, "zh", area="callbacks")
    _, drawn = _chart(at, chart, "zh")
    drawn = drawn.dropna(subset=[c for c in drawn.columns if c.endswith("_key")][:1])
    shown = [c for c in drawn.columns if not c.endswith("_key")]
    at.button(key=f"export_kpis_{chart}_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    data = (export_dir / link.proto.url.removeprefix("/export/") / "file").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [t(f"export.kpi.{c}", "zh") for c in shown]
    assert len(rows) - 1 == len(drawn) > 0
