"""The Weekly reports page (issue 14): every stored week listed newest first, one week's printable view with its
tables and charts, the PDF offered; the manager builds last week's now; specialists never see the page."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.fmt import fmt_date
from core.i18n import t
from core.permissions import pages_for
from core.reports import build_week, last_week
from core.reports.view import week_title
from db.engine import make_engine
from db.enums import Role
from tests.helpers import OFFICE_TZ
from tests.ui.conftest import APP


def built(url: str, now, weeks: int = 2) -> list:
    """The demo office's last `weeks` finished weeks built, newest first."""
    engine = make_engine(url)
    last = last_week(now, OFFICE_TZ)
    mondays = [last - timedelta(weeks=i) for i in range(weeks)]
    for monday in reversed(mondays):
        build_week(engine, monday, now)
    engine.dispose()
    return mondays


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_lists_the_weeks_shows_one_and_offers_its_pdf(open_page, demo_url, now, lang):
    mondays = built(demo_url, now)
    at = open_page("pages/reports.py", lang, Role.DIRECTOR)
    assert not at.exception
    assert at.title[0].value == t("nav.reports", lang)
    picker = at.selectbox(key="report_week")
    assert picker.options == [fmt_date(m, lang) for m in mondays]  # newest first
    data = {"week_start": mondays[0].isoformat(), "week_end": (mondays[0] + timedelta(days=6)).isoformat()}
    assert at.header[0].value == week_title(data, lang)
    assert [s.value for s in at.subheader] == [t(f"report.section.{k}", lang)
                                               for k in ("headline", "activity", "unfinished", "paid")]
    headline = at.dataframe[0].value
    assert list(headline.columns) == [t(f"report.col.{k}", lang) for k in ("kpi", "this_week", "previous_week")]
    assert list(headline[t("report.col.kpi", lang)])[0] == t("kpi.metric.callback_completion_rate", lang)
    titles = [json.loads(c.proto.spec)["title"] for c in at.get("vega_lite_chart")]
    assert t("report.chart.activity", lang) in titles  # the demo office's specialists dialed leads
    [pdf] = at.get("download_button")
    assert pdf.label == t("report.download", lang)
    picker.set_value(mondays[1]).run()
    assert not at.exception
    assert at.header[0].value == week_title({"week_start": mondays[1].isoformat(),
                                             "week_end": (mondays[1] + timedelta(days=6)).isoformat()}, lang)


def test_without_reports_the_page_says_when_they_come_and_the_manager_builds_one(open_page, now):
    at = open_page("pages/reports.py", "en", Role.MANAGER)
    assert not at.exception
    assert at.info[0].value == t("report.no_reports", "en")
    at.button(key="report_build").click().run()
    assert not at.exception
    assert at.selectbox(key="report_week").options == [fmt_date(last_week(now, OFFICE_TZ), "en")]
    assert len(at.get("download_button")) == 1


def test_the_director_reads_but_does_not_build(open_page, demo_url, now):
    built(demo_url, now, 1)
    at = open_page("pages/reports.py", "en", Role.DIRECTOR)
    assert not at.exception
    assert [b for b in at.button if b.key == "report_build"] == []


def test_specialists_never_see_the_page(open_page, sign_in_as):
    assert "reports" not in pages_for(Role.SPECIALIST)
    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/reports.py")
    sign_in_as(Role.SPECIALIST)
    direct = AppTest.from_file(str(Path(APP).parent / "pages" / "reports.py"), default_timeout=60).run()
    assert direct.error[0].value == t("error.forbidden", "en")
    assert len(direct.title) == 0 and len(direct.dataframe) == 0
