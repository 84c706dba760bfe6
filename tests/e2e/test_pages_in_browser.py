"""Every page opens in a real browser, in English and in Chinese, and shows no exception."""

from __future__ import annotations

import pytest

from core.i18n import t

PAGES = [("my-work", "nav.my_work"), ("callbacks", "nav.callbacks"), ("complaints", "nav.complaints"),
         ("work-orders", "nav.work_orders"), ("customers", "nav.customers"), ("kpis", "nav.kpis"),
         ("settings", "nav.settings")]


def _settled(page) -> None:
    """Wait until the script run is over (the running indicator is gone)."""
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)


@pytest.mark.e2e
@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh")])
def test_every_page_opens_without_an_exception_in_the_browsers_language(served_app, browser, locale, lang):
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        for path, title_key in PAGES:
            page.goto(f"{served_app}/{path}")
            page.get_by_role("heading", name=t(title_key, lang), level=1).wait_for(timeout=60_000)
            _settled(page)
            assert page.locator('[data-testid="stException"]').count() == 0, path
            assert page.get_by_text(t("app.error", lang)).count() == 0, path
    finally:
        context.close()
