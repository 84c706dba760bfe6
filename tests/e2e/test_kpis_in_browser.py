"""Issue 14 in a real browser, in Chinese: the manager changes the dashboard's period (a refresh keeps it), clicks a
bar of a chart, the records behind it are listed under the chart with their count, and a click on one opens its
record. Only a browser shows what a click on a Vega mark does (AppTest cannot click a chart)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.i18n import t
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled

pytestmark = pytest.mark.e2e
CHART = ".st-key-chart_complaints_by_channel"
RECORDS = ".st-key-drilled_complaints_by_channel"
COUNT = re.compile(t("kpi.axis.count", "zh") + r": (\d+)")


def test_a_manager_changes_the_period_clicks_a_bar_and_reaches_its_complaint(served_on_demo_day, new_tab):
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    sign_in(page, served_on_demo_day, Role.MANAGER)
    heading(page, t("nav.my_work", "zh")).wait_for(timeout=60_000)
    page.goto(f"{served_on_demo_day}/kpis?area=complaints")
    heading(page, t("nav.kpis", "zh")).wait_for(timeout=60_000)
    settled(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text=t("kpi_ui.period", "zh")).first.click()
    page.get_by_role("option", name=t("kpi_ui.preset.last_12_months", "zh"), exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]period=last_12_months"), timeout=60_000)
    settled(page)
    page.reload()  # a refresh keeps the period: it lives in the URL
    heading(page, t("nav.kpis", "zh")).wait_for(timeout=60_000)
    settled(page)
    period = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("kpi_ui.period", "zh")).first
    expect(period.locator("input")).to_have_value(t("kpi_ui.preset.last_12_months", "zh"), timeout=60_000)
    names = page.locator('[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]')
    expect(names).to_have_count(7, timeout=60_000)  # the complaint headlines, each name whole (ui.chrome)
    assert all(n.evaluate("e => e.scrollWidth <= e.clientWidth") for n in names.all())

    bar = page.locator(f"{CHART} svg g.mark-rect path").first  # drawn as SVG: each bar is an element
    bar.wait_for(timeout=60_000)
    count = int(COUNT.search(bar.get_attribute("aria-label")).group(1))
    bar.click()
    expect(page).to_have_url(re.compile(r"[?&]pick=complaints_by_channel"), timeout=60_000)
    records = page.locator(RECORDS)
    records.wait_for(timeout=60_000)
    expect(records).to_contain_text(f"{count} 条", timeout=60_000)
    links = records.locator("a")
    expect(links).to_have_count(min(count, 25), timeout=60_000)
    number = links.first.inner_text().split("\n")[-1].split(" · ")[0].strip()  # after the icon's ligature
    links.first.click()
    expect(page).to_have_url(re.compile(r"/complaints\?id=\d+"), timeout=60_000)
    expect(page.get_by_role("heading", name=re.compile(re.escape(number)))).to_be_visible(timeout=60_000)


def test_a_bar_closed_and_clicked_again_lists_its_records_again(served_on_demo_day, new_tab):
    """The browser sends no event for a selection that has not changed: after Close (or another chart's pick) the
    chart is drawn anew without its selection (ui.kpi.drill.chart_key), so the same bar opens its list again."""
    page = new_tab(locale="en-US", viewport={"width": 1400, "height": 1000})
    sign_in(page, served_on_demo_day, Role.MANAGER, next_path="/kpis?area=complaints&period=last_12_months")
    heading(page, t("nav.kpis", "en")).wait_for(timeout=60_000)
    records = page.locator(RECORDS)
    for _ in range(2):
        settled(page)
        bar = page.locator('[class*="st-key-chart_complaints_by_channel"] svg g.mark-rect path').first
        bar.wait_for(timeout=60_000)
        bar.click()
        expect(page).to_have_url(re.compile(r"[?&]pick=complaints_by_channel"), timeout=60_000)
        records.wait_for(timeout=60_000)
        settled(page)
        records.get_by_role("button", name=t("kpi_ui.close", "en")).click()
        expect(records).to_have_count(0, timeout=60_000)
        expect(page).not_to_have_url(re.compile(r"[?&]pick="), timeout=60_000)
