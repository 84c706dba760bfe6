"""Every page of every role passes axe-core's WCAG 2 A/AA rules in a real browser (issue 10): contrast, names,
labels, landmarks. A failure prints each violation with the elements it found, so the fix can start there."""

from __future__ import annotations

import pytest

from core.i18n import t
from core.permissions import pages_for
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import URLS, heading, settled

WCAG_2_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now (no rule is switched off)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_2_A_AA}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def quiet(page) -> None:
    """The page's runs are over, not only the first: a run that follows the first (the language cookie's image,
    a rerun) shows Streamlit's passing "Running… / Stop" widget, which is not the page and is not checked."""
    for _ in range(5):
        settled(page)
        page.wait_for_timeout(700)
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return


def describe(name: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            target = ", ".join(map(str, node["target"]))
            lines.append(f"    {target}\n      {node.get('html', '')[:200]}\n      {summary}")
    return "\n".join(lines)


@pytest.mark.e2e
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_page_of_the_role_has_no_wcag_2_a_or_aa_violation(served_app, new_tab, role):
    page = new_tab(locale="en-US", viewport={"width": 1400, "height": 900})
    sign_in(page, served_app, role)
    found = []
    for name in pages_for(role):
        page.goto(f"{served_app}/{URLS[name]}")
        heading(page, t(f"nav.{name}", "en")).wait_for(timeout=60_000)
        quiet(page)
        violations = axe_violations(page)
        if violations:
            found.append(describe(name, violations))
    assert not found, "axe-core found WCAG 2 A/AA violations:\n" + "\n".join(found)
