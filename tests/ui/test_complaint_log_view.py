"""The complaint log view (CP-4, ui.complaint_log) driven by AppTest against the small demo office, on its own
script until the Complaints page shows it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core.complaints.log import complaint_log, log_summary
from core.fmt import fmt_percent
from core.i18n import t
from db.engine import make_engine
from db.enums import Role
from tests.factories import reader
from tests.helpers import DEMO_TODAY, OFFICE_TZ, as_read

JUNE = (date(2026, 6, 1), date(2026, 6, 30))  # the demo's month: DEMO_TODAY is 17 June


def log_script():
    from ui import clock
    from ui.auth import page_guard
    from ui.complaint_log import log_view

    log_view(page_guard("complaints"), clock.now())


def figures(demo_url: str, start: date, end: date, now):
    engine = make_engine(demo_url)
    try:
        return (log_summary(engine, reader(), start, end, OFFICE_TZ, now),
                complaint_log(engine, reader(), start, end, OFFICE_TZ).total)
    finally:
        engine.dispose()


def open_log(sign_in_as, lang: str, period: tuple[date, date] | None = None) -> AppTest:
    sign_in_as(Role.MANAGER)
    at = AppTest.from_function(log_script, default_timeout=60)
    at.session_state["lang"] = lang
    if period:
        at.query_params["period"] = [d.isoformat() for d in period]
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_log_shows_this_months_summary_and_complaints_in_each_language(sign_in_as, demo_url, now, lang):
    """CP-4: by default the office's current month; the headline figures are core's, the log is paged."""
    assert DEMO_TODAY.month == 6
    summary, total = figures(demo_url, *JUNE, now)
    assert total > 25  # the demo's June fills more than a page
    at = open_log(sign_in_as, lang)
    assert not at.exception
    assert at.date_input(key="period").value == JUNE
    shown = {m.label: as_read(m.value) for m in at.metric}
    assert shown[t("cp.log.received", lang)] == str(summary.received) == str(total)
    assert shown[t("cp.log.reopen_rate", lang)] == fmt_percent(summary.reopen_rate, lang)
    assert shown[t("cp.log.closed_by_promised_date", lang)] == fmt_percent(summary.closed_by_promised_date, lang)
    log = at.dataframe[-1].value
    assert len(log) == 25
    for key in ("cp.log.corrective_action", "cp.log.preventive_action", "cp.log.verified", "cp.log.days_to_close"):
        assert t(key, lang) in log.columns


def test_causes_are_charted_in_chinese_with_their_definition(sign_in_as, demo_url, now):
    """K-3 by cause: the bars carry the translated causes and the figures of core; the definition is beneath."""
    summary, _ = figures(demo_url, *JUNE, now)
    at = open_log(sign_in_as, "zh")
    chart = at.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    assert spec["title"] == t("cp.log.counts_by_cause", "zh")
    data = pa.ipc.open_stream(chart.datasets[0].data.data).read_pandas()
    expected = {(t("cp.log.no_cause", "zh") if c is None else t(f"enum.ComplaintCause.{c.value}", "zh")): n
                for c, n in summary.counts_by_cause.items()}
    assert dict(zip(data["label"], data["count"], strict=True)) == expected
    assert t("cp.log.def.counts_by_cause", "zh") in {c.value for c in at.caption}


def test_the_period_comes_from_the_url_and_narrows_the_log(sign_in_as, demo_url, now):
    """A shared link keeps its period: the log of 1-10 June only."""
    days = (date(2026, 6, 1), date(2026, 6, 10))
    summary, total = figures(demo_url, *days, now)
    at = open_log(sign_in_as, "en", days)
    assert not at.exception
    assert at.date_input(key="period").value == days
    assert {m.label: as_read(m.value) for m in at.metric}[t("cp.log.received", "en")] == str(total)
    assert summary.received == total


def test_a_period_without_complaints_shows_no_data_rather_than_zero_rates(sign_in_as):
    """K-3: no complaint received, so the rates show — and the log says it is empty."""
    at = open_log(sign_in_as, "en", (date(2020, 1, 1), date(2020, 1, 31)))
    assert not at.exception
    shown = {m.label: as_read(m.value) for m in at.metric}
    assert shown["Reopen rate"] == "—" and shown["Closed by the promised date"] == "—"
    assert t("list.empty", "en") in [i.value for i in at.info]


def test_a_manager_exports_the_whole_log_of_the_period(sign_in_as, demo_url, now, monkeypatch, tmp_path):
    """CP-4: the log of the month as a file, every complaint once, with the CAPA columns the table shows."""
    _, total = figures(demo_url, *JUNE, now)
    monkeypatch.setattr("core.lists.STREAM_CHUNK", 10)  # streamed in several chunks
    monkeypatch.setenv("SERVICEDESK_EXPORT_DIR", str(tmp_path))
    at = open_log(sign_in_as, "en")
    at.button(key="export_complaint_log_csv").click().run()
    assert not at.exception
    token = at.get("link_button")[0].proto.url.removeprefix("/export/")
    rows = list(csv.reader(io.StringIO((tmp_path / token / "file").read_text("utf-8-sig"))))
    assert rows[0] == list(at.dataframe[-1].value.columns)
    assert t("cp.log.corrective_action", "en") in rows[0] and t("cp.log.days_to_close", "en") in rows[0]
    assert len(rows) - 1 == total == len({r[0] for r in rows[1:]})


def test_a_period_picked_is_written_to_the_url_even_half_picked(sign_in_as, demo_url, now):
    """The first day picked alone is a one-day period until the last is picked; both are kept in the URL."""
    at = open_log(sign_in_as, "en")
    at.date_input(key="period").set_value((date(2026, 6, 5),)).run()
    assert not at.exception
    assert at.query_params["period"] == "2026-06-05"
    _, one_day = figures(demo_url, date(2026, 6, 5), date(2026, 6, 5), now)
    assert {m.label: as_read(m.value) for m in at.metric}[t("cp.log.received", "en")] == str(one_day)
    at.date_input(key="period").set_value((date(2026, 6, 5), date(2026, 6, 12))).run()
    assert not at.exception and at.query_params["period"] == ["2026-06-05", "2026-06-12"]
