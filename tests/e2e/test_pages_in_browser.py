"""Every page opens in a real browser, in English and in Chinese, and shows no exception."""

from __future__ import annotations

import pytest

from core.i18n import t
from core.permissions import pages_for
from db.enums import Role
from tests.e2e.conftest import sign_in
from ui.nav import PAGES

URLS = {name: "" if name == "my_work" else path for name, (_icon, path) in PAGES.items()}  # the default at the root


def settled(page) -> None:
    """Wait until the script run is over (the running indicator is gone)."""
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)


def heading(page, text: str):
    return page.get_by_role("heading", name=text, level=1)


@pytest.mark.e2e
@pytest.mark.parametrize(("locale", "lang", "role"), [("en-US", "en", Role.MANAGER), ("zh-CN", "zh", Role.MANAGER),
                                                       ("zh-CN", "zh", Role.ADMIN)])
def test_every_page_of_the_role_opens_without_an_exception_in_the_browsers_language(
        served_app, new_tab, locale, lang, role):
    page = new_tab(locale=locale, viewport={"width": 1400, "height": 900})
    sign_in(page, served_app, role)
    for name in pages_for(role):
        page.goto(f"{served_app}/{URLS[name]}")
        heading(page, t(f"nav.{name}", lang)).wait_for(timeout=60_000)
        settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        assert page.get_by_text(t("app.error", lang)).count() == 0, name
        assert t("app.title", lang) in page.title(), name  # issue 10: the browser tab in the user's language
