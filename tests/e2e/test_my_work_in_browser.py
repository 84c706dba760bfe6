"""Issue 10's acceptance: every role starts at My work and reaches its most urgent item in one click, in
English and in Chinese. The specialist's is the next call (one button: claimed, then the call screen); the
manager's, director's, engineer's and finance's the first item listed, a link that opens the record full page
(`?id=<n>` on its list page); the admin's the users page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import Callback, Customer, WorkOrder
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled

pytestmark = pytest.mark.e2e
LANGS = [("en-US", "en"), ("zh-CN", "zh")]
RECORD_LINK = 'a[data-testid="stPageLink-NavLink"][href*="id="]'
LISTS = {"callbacks": "nav.callbacks", "work-orders": "nav.work_orders"}


def _record_title(url: str, path: str, record_id: int) -> str:
    """What the record's page shows as its title: the customer (a callback), number · customer (a work order)."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        if path == "callbacks":
            title = s.scalar(select(Customer.name).join(Callback, Callback.customer_id == Customer.id)
                             .where(Callback.id == record_id))
        else:
            title = " · ".join(s.execute(select(WorkOrder.number, Customer.name).join(
                Customer, Customer.id == WorkOrder.customer_id).where(WorkOrder.id == record_id)).one())
    engine.dispose()
    return title


def _start(served_app, new_tab, locale: str, lang: str, role: Role):
    page = new_tab(locale=locale, viewport={"width": 1400, "height": 1000})
    sign_in(page, served_app, role)
    heading(page, t("nav.my_work", lang)).wait_for(timeout=60_000)
    settled(page)
    return page


@pytest.mark.parametrize(("locale", "lang"), LANGS)
def test_the_specialists_next_call_is_one_click_away(served_app, new_tab, locale, lang):
    page = _start(served_app, new_tab, locale, lang, Role.SPECIALIST)
    page.get_by_role("button", name=t("mywork.next_call", lang)).click()
    heading(page, t("nav.call", lang)).wait_for(timeout=60_000)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize(("locale", "lang"), LANGS)
@pytest.mark.parametrize("role", [Role.MANAGER, Role.DIRECTOR, Role.ENGINEER, Role.FINANCE])
def test_the_roles_most_urgent_item_opens_its_record_in_one_click(served_app, e2e_db_url, new_tab, locale, lang,
                                                                  role):
    page = _start(served_app, new_tab, locale, lang, role)
    first = page.locator(RECORD_LINK).first
    target = urlparse(first.get_attribute("href"))
    path, record_id = target.path.strip("/"), int(parse_qs(target.query)["id"][0])
    first.click()
    heading(page, t(LISTS[path], lang)).wait_for(timeout=60_000)
    settled(page)
    assert parse_qs(urlparse(page.url).query).get("id") == [str(record_id)]
    title = _record_title(e2e_db_url, path, record_id)
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize(("locale", "lang"), LANGS)
def test_the_admins_my_work_leads_to_the_users_in_one_click(served_app, new_tab, locale, lang):
    page = _start(served_app, new_tab, locale, lang, Role.ADMIN)
    page.locator('a[data-testid="stPageLink-NavLink"]', has_text=t("nav.users", lang)).first.click()
    heading(page, t("nav.users", lang)).wait_for(timeout=60_000)
