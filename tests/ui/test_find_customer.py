"""The sidebar's search box (C-1, issue 13): on every page of the roles that see the archive, it opens the
Customers list searched for what was typed (`?q=`); the list's own search reads the same `?q=`."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from db.engine import make_engine
from db.enums import Role
from tests.ui.conftest import APP

BOX = "find_customer_q"


def a_demo_customer(demo_url: str) -> dict:
    """A demo customer with a mainland mobile, from the database itself."""
    engine = make_engine(demo_url)
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT id, code, name, phone FROM customers WHERE phone LIKE '1%' "
                                       "OR phone LIKE '+861%' ORDER BY id LIMIT 1").one()
        return dict(row._mapping)
    finally:
        engine.dispose()


def spelled_otherwise(phone: str) -> str:
    """The same mobile as somebody reads it out: +86 138-1234-5678."""
    digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
    return f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"


def first_page(sign_in_as, role: Role, lang: str = "en") -> AppTest:
    """The app as `role` opens it: their first page, the sidebar beside it (AppTest's switch_page would run
    a page alone, without the app's sidebar)."""
    sign_in_as(role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def find(at: AppTest, lang: str = "en"):
    """The box's button (the sidebar's form submits with it)."""
    [button] = [b for b in at.sidebar.button if b.label == t("search.go", lang)]
    return button


def codes_listed(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value[t("cu.code", "en")])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sidebar_box_opens_the_customers_list_searched_for_a_phone_in_another_spelling(
        sign_in_as, demo_url, lang):
    customer = a_demo_customer(demo_url)
    at = first_page(sign_in_as, Role.MANAGER, lang)
    assert at.text_input(key=BOX).label == t("search.sidebar_label", lang)
    at.text_input(key=BOX).input(spelled_otherwise(customer["phone"]))
    find(at, lang).click().run()
    assert not at.exception
    assert at.title[0].value == t("nav.customers", lang)
    assert at.query_params["q"] == spelled_otherwise(customer["phone"])
    assert at.text_input(key="q").value == spelled_otherwise(customer["phone"])
    assert customer["code"] in list(at.dataframe[0].value[t("cu.code", lang)])


def test_a_blank_query_stays_where_it_is(sign_in_as):
    at = first_page(sign_in_as, Role.MANAGER)
    before = [title.value for title in at.title]
    find(at, "en").click().run()
    assert not at.exception
    assert [title.value for title in at.title] == before and "q" not in at.query_params


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.FINANCE, Role.ADMIN])
def test_roles_without_the_archive_get_no_box(sign_in_as, role):
    at = first_page(sign_in_as, role)
    assert not at.exception
    assert not [w for w in at.text_input if w.key == BOX]


@pytest.mark.parametrize(("role", "lang"), [(Role.SPECIALIST, "zh"), (Role.DIRECTOR, "en")])
def test_roles_that_see_the_archive_have_the_box_on_their_first_page(sign_in_as, role, lang):
    at = first_page(sign_in_as, role, lang)
    assert not at.exception
    assert [w.placeholder for w in at.sidebar.text_input if w.key == BOX] == [t("search.sidebar_hint", lang)]


def test_a_customers_link_with_q_lists_what_the_search_finds(open_page, demo_url):
    """A shared link ?q=<name> fills the list's search and lists that customer, exact name first."""
    customer = a_demo_customer(demo_url)
    at = open_page("pages/customers.py")
    at.query_params["q"] = customer["name"]
    at.run()
    assert not at.exception
    assert at.text_input(key="q").value == customer["name"]
    assert codes_listed(at)[0] == customer["code"]
