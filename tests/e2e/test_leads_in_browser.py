"""The Leads list's state in a real browser's address bar (issue 10; AppTest cannot see what the browser
writes there): a pasted link with filters shows them, the search typed in the box goes to `q`, a lead opened
by a click on its row is its own page, and "back to the list" brings the search and filters back into the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import LeadStatus, Role
from db.models import Lead
from tests.e2e.conftest import sign_in
from tests.e2e.test_lists_in_browser import HEADER, ROW, open_row
from tests.e2e.test_pages_in_browser import heading, settled

pytestmark = pytest.mark.e2e


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_the_lead_list_lives_in_the_url_and_a_lead_opens_and_goes_back_to_it(served_app, e2e_db_url, new_tab):
    engine = make_engine(e2e_db_url)
    with session_scope(engine) as s:
        name = s.scalar(select(Lead.name).where(Lead.status == LeadStatus.OPEN).order_by(Lead.id).limit(1))
    engine.dispose()
    page = new_tab(locale="en-US", viewport={"width": 1400, "height": 1200})
    sign_in(page, served_app, Role.MANAGER, next_path="/leads")
    heading(page, t("nav.leads", "en")).wait_for(timeout=60_000)
    page.goto(f"{served_app}/leads?status=open&sort=-name")
    heading(page, t("nav.leads", "en")).wait_for(timeout=60_000)
    settled(page)
    search = page.get_by_role("textbox", name=t("list.search", "en"), exact=True)
    search.fill(name)
    search.press("Enter")
    settled(page)
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') !== null", timeout=30_000)
    assert params(page)["q"] == [name] and params(page)["status"] == ["open"] and params(page)["sort"] == ["-name"]
    # the sort box shows the URL's sort, also when the search came while the link's first run still drew (issue 12:
    # it then showed its default, and the next click wrote that over the URL)
    sort_label = t("list.sort_down", "en", column=t("leads.name", "en"))
    expect(page.get_by_role("combobox", name=t("list.sort", "en"))).to_match_aria_snapshot(
        f'- combobox "{t("list.sort", "en")}": {sort_label}', timeout=30_000)
    # the list's table as the search's run drew it, down to the export button under it: a click on a row's cell
    # opens that lead (the table before the search lingers, stale, until the new one comes, and a click on it is lost)
    page.locator('.st-key-export_leads_csv[data-stale="false"]').wait_for(timeout=60_000)
    grid = page.locator('.st-key-rows[data-stale="false"]')
    grid.wait_for(timeout=60_000)
    box = grid.bounding_box()
    open_row(page, box["x"] + 100, box["y"] + HEADER + ROW * 0.5)
    page.get_by_role("button", name=t("list.back", "en")).wait_for(timeout=60_000)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert params(page)["q"] == [name]
    # the lead, not the list: the list may linger as a stale element until the run ends
    expect(page.locator(".st-key-rows")).to_have_count(0, timeout=60_000)
    page.get_by_role("button", name=t("list.back", "en")).click()
    settled(page)
    page.get_by_role("textbox", name=t("list.search", "en"), exact=True).wait_for(timeout=60_000)
    # the way back ends on the list's own URL, with the filters the lead was opened from
    page.wait_for_function("() => { const p = new URLSearchParams(location.search);"
                           " return !p.has('id') && p.get('status') === 'open'; }", timeout=30_000)
    assert params(page)["status"] == ["open"] and params(page)["sort"] == ["-name"] and params(page)["q"] == [name]
