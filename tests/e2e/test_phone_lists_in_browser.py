"""On a 390-pixel phone (issue 10) a list fits the screen: the document does not scroll sideways, and the
status column's header is on screen without scrolling the table (the engineer's work orders, the
specialist's callbacks)."""

from __future__ import annotations

import pytest

from core.i18n import t
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import URLS, heading, settled

PHONE = {"width": 390, "height": 844}

# The table is drawn on a canvas; its accessible twin lists the header cells of the columns in view only.
HEADERS_IN_VIEW = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role="columnheader"]')]
    .map(th => th.textContent.trim())"""


def overflow(page) -> dict:
    return page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll('[data-testid]')].filter(e => e.getBoundingClientRect().right > 391)
              .map(e => e.dataset.testid).slice(0, 8)})""")


@pytest.mark.e2e
@pytest.mark.parametrize(("role", "name", "status"), [(Role.ENGINEER, "work_orders", "wo.status"),
                                                      (Role.SPECIALIST, "callbacks", "cb.status")],
                         ids=["engineer-work-orders", "specialist-callbacks"])
def test_a_list_on_a_390_pixel_phone_does_not_scroll_sideways_and_shows_the_status(
        served_app, new_tab, role, name, status):
    page = new_tab(locale="en-US", viewport=PHONE, has_touch=True)
    sign_in(page, served_app, role)
    page.goto(f"{served_app}/{URLS[name]}")
    heading(page, t(f"nav.{name}", "en")).wait_for(timeout=60_000)
    settled(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.locator('[role="columnheader"]').first.wait_for(state="attached", timeout=60_000)
    found = overflow(page)
    assert found["scroll"] <= PHONE["width"], f"the page scrolls sideways: {found}"
    box = table.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    headers = page.evaluate(HEADERS_IN_VIEW)
    assert t(status, "en") in headers, f"status header not in view; the headers in view: {headers}"


@pytest.mark.e2e
@pytest.mark.parametrize(("viewport", "closed"), [(PHONE, "true"), ({"width": 1400, "height": 900}, "false")],
                         ids=["phone", "desktop"])
def test_a_sidebar_search_closes_the_sidebar_over_the_results_on_a_phone_only(served_app, new_tab, viewport, closed):
    page = new_tab(locale="en-US", viewport=viewport, has_touch=viewport is PHONE)
    sign_in(page, served_app, Role.MANAGER)
    heading(page, t("nav.my_work", "en")).wait_for(timeout=60_000)
    settled(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    if sidebar.get_attribute("data-collapsed") == "true":
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    box = sidebar.get_by_placeholder(t("search.sidebar_hint", "en"))
    box.fill("Zhang")
    box.press("Enter")
    heading(page, t("nav.customers", "en")).wait_for(timeout=60_000)
    settled(page)
    page.wait_for_timeout(500)
    assert "q=Zhang" in page.url and sidebar.get_attribute("data-collapsed") == closed
