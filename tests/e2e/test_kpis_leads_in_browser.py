"""Issue 14's leads area (K-5) in a real browser, in Chinese: every lead chart drawn with only Chinese words
outside the office's data (stages, weekdays and axis titles translated), and a click on a bar of the weekly
funnel lists the lead contacts it counts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.i18n import t
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_language_in_browser import drawn, foreign_text, office_data  # noqa: F401 (a fixture)
from tests.e2e.test_pages_in_browser import heading

pytestmark = pytest.mark.e2e
CHART = ".st-key-chart_lead_funnel_per_week"
RECORDS = ".st-key-drilled_lead_funnel_per_week"
COUNT = re.compile(t("kpi.axis.count", "zh") + r": (\d+)")
CHARTS = ("lead_funnel_per_week", "lead_funnel_per_specialist", "lead_funnel_per_weekday",
          "lead_follow_ups_on_schedule")


def test_the_leads_area_speaks_chinese_and_a_funnel_bar_lists_its_contacts(served_on_demo_day, new_tab, office_data):  # noqa: F811
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    sign_in(page, served_on_demo_day, Role.MANAGER)
    heading(page, t("nav.my_work", "zh")).wait_for(timeout=60_000)
    page.goto(f"{served_on_demo_day}/kpis?area=leads&period=last_12_months")
    heading(page, t("nav.kpis", "zh")).wait_for(timeout=60_000)
    for chart in CHARTS:
        # attached, not visible: a week without leads is a bar of no height
        page.locator(f".st-key-chart_{chart} svg g.mark-rect path").first.wait_for(state="attached", timeout=60_000)
    drawn(page)
    assert foreign_text(page, "zh", office_data) == []

    bars = page.locator(f"{CHART} svg g.mark-rect path").all()
    counted = [(int(COUNT.search(b.get_attribute("aria-label")).group(1)), b) for b in bars]
    count, bar = next((n, b) for n, b in counted if 0 < n <= 25)  # a bar with records, all on one page
    bar.click()
    expect(page).to_have_url(re.compile(r"[?&]pick=lead_funnel_per_week"), timeout=60_000)
    records = page.locator(RECORDS)
    records.wait_for(timeout=60_000)
    expect(records).to_contain_text(f"{count} 条", timeout=60_000)
    expect(records.locator("a")).to_have_count(min(count, 25), timeout=60_000)
