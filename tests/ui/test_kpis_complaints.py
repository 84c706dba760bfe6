"""The complaints area of the KPI page (issue 14, K-3): every figure on screen in both languages, a picked bar
of complaints by model or by cause listing as many complaints as it counts, each headline's "show records"
its denominator, and the export holding what the chart draws."""

import csv
import io

import pytest

from core.i18n import t
from core.kpi.complaints import SHARES
from tests.ui.test_kpis_page import CHARTS, HEADLINES, _titles, opened
from tests.ui.test_kpis_work_orders import listed, marks

NEW_CHARTS = ["complaints_by_model", "complaints_by_cause"]



@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_k3_figure_is_on_screen_with_its_definition(open_page, lang):
    at = opened(open_page, lang, area="complaints")
    assert not at.exception
    assert set(SHARES) == set(HEADLINES["complaints"]) and set(NEW_CHARTS) <= set(CHARTS["complaints"])
    assert [m.label for m in at.metric] == [t(f"kpi.metric.{n}", lang) for n in HEADLINES["complaints"]]
    assert _titles(at) == [t(f"kpi.chart.{n}", lang) for n in CHARTS["complaints"]]
    assert {t(f"kpi.def.{n}", lang) for n in NEW_CHARTS} <= {c.value for c in at.caption}


@pytest.mark.parametrize("chart", NEW_CHARTS)
def test_a_picked_bar_lists_as_many_complaints_as_it_counts(open_page, chart):
    """K-3, CP-4: the complaints of the picked model or cause, received in the period."""
    at = opened(open_page, area="complaints")
    column = chart.removeprefix("complaints_by_")
    drawn = marks(at, chart)
    bar = drawn.sort_values("count").iloc[-1]
    at.query_params["pick"] = f"{chart}:{column}={bar[column + '_key']}"
    at.run()
    assert not at.exception and listed(at, chart) == bar["count"] > 0
    assert {link.proto.page for link in at.get("page_link")} == {"complaints"}


def test_each_headlines_records_are_its_denominator(open_page):
    """K-3: "show records" under every complaint headline lists the complaints its figure divides by; the
    share received (repeat complaints) lists every complaint of the period, as many as the model bars."""
    at = opened(open_page, area="complaints")
    received = int(marks(at, "complaints_by_model")["count"].sum())
    for name in SHARES:
        at.button(key=f"records_{name}").click().run()
        assert not at.exception and at.query_params["pick"] == f"{name}:part=denominator"
        total = listed(at, name)
        assert 0 <= total <= received
        if name == "complaint_repeat_share":
            assert total == received > 0


@pytest.mark.parametrize("chart", NEW_CHARTS)
def test_the_export_holds_the_rows_the_chart_draws(open_page, export_dir, chart):
    at = opened(open_page, "zh", area="complaints")
    column = chart.removeprefix("complaints_by_")
    drawn = marks(at, chart, "zh")
    at.button(key=f"export_kpis_{chart}_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    rows = list(csv.reader(io.StringIO((export_dir / link.proto.url.removeprefix("/export/") / "file")
                                       .read_bytes().decode("utf-8-sig"))))
    assert rows[0] == [t(f"export.kpi.{c}", "zh") for c in (column, "count")]
    assert rows[1:] == [[r[column], str(r["count"])] for r in drawn.to_dict("records")]
