"""The complaints page (CP-1..CP-5) driven by AppTest against the small demo office."""

from datetime import datetime

import pytest

from core.complaints.queries import ComplaintFilter, list_complaints
from core.i18n import t
from core.office.settings import load_office
from db.engine import make_engine
from db.enums import ComplaintChannel
from tests.factories import reader
from tests.helpers import as_read, open_by_url


def newest_complaint(demo_url: str, now: datetime) -> dict:
    engine = make_engine(demo_url)
    try:
        return list_complaints(engine, reader(), ComplaintFilter(), load_office(engine).timezone, now).rows[0]
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_complaints_page_lists_the_demo_complaints_in_each_language(open_page, lang):
    at = open_page("pages/complaints.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.complaints", lang)
    table = at.dataframe[0].value
    assert len(table) == 25
    assert t("cp.reply_deadline", lang) in table.columns and t("cp.attention", lang) in table.columns
    assert any(c.value.startswith(t("list.count", lang).split("{total}")[0]) for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_opening_a_complaint_shows_intake_handling_and_history(open_page, demo_url, now, lang):
    """CP-1 intake, CP-2 handling, and the history of who did what and when."""
    newest = newest_complaint(demo_url, now)
    at = open_page("pages/complaints.py", lang)
    open_by_url(at, newest["id"])
    assert not at.exception
    assert as_read(at.subheader[0].value) == f"{newest['number']} · {newest['customer']}"
    headings = [m.value for m in at.markdown]
    for key in ("cp.intake", "cp.handling", "common.history"):
        assert f"#### {t(key, lang)}" in headings


def test_only_escalated_or_overdue_shows_only_marked_complaints(open_page):
    """CP-5: with the toggle on, every complaint listed is escalated or overdue."""
    at = open_page("pages/complaints.py")
    at.toggle(key="attention").set_value(True).run()
    assert not at.exception
    if at.dataframe:
        assert all(at.dataframe[0].value[t("cp.attention", "en")])
    else:
        assert at.info[0].value == t("list.empty", "en")


def test_filtering_complaints_by_channel_narrows_the_list(open_page):
    at = open_page("pages/complaints.py")
    at.multiselect(key="channel").set_value([ComplaintChannel.RETURN]).run()
    assert not at.exception
    channels = set(at.dataframe[0].value[t("cp.channel", "en")])
    assert channels == {t("enum.ComplaintChannel.return", "en")}
