"""The customers page (C-1..C-4) driven by AppTest against the small demo office."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.customers.queries import CustomerFilter, customer_detail, list_customers, order_dates
from core.customers.rules import OrderDates
from core.i18n import t
from core.office.settings import load_office
from core.phones import digits, grouped
from db.engine import make_engine
from db.enums import CustomerGrade, Role
from tests.factories import reader
from tests.helpers import as_read, open_by_url
from tests.ui.conftest import APP
from tests.ui.marks import error_under

TABS = ("products", "callbacks", "complaints", "work_orders", "leads")


def newest_customer(demo_url: str) -> dict:
    """The first customer listed, with the totals of its history."""
    engine = make_engine(demo_url)
    try:
        row = list_customers(engine, reader(), CustomerFilter(), load_office(engine).timezone).rows[0]
        detail = customer_detail(engine, reader(), row["id"])
        return row | {"totals": {n: detail[n].total for n in TABS}}
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_customers_page_lists_the_demo_customers_in_each_language(open_page, lang):
    at = open_page("pages/customers.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.customers", lang)
    table = at.dataframe[0].value
    assert len(table) == 25
    assert t("cu.grade", lang) in table.columns and t("cu.validity", lang) in table.columns
    assert any(c.value.startswith(t("list.count", lang).split("{total}")[0]) for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_opening_a_customer_shows_the_card_its_history_and_its_products(open_page, demo_url, lang):
    """C-4: the card, then the one timeline (tests/ui/test_customer_timeline_page.py) and the products."""
    newest = newest_customer(demo_url)
    at = open_page("pages/customers.py", lang)
    open_by_url(at, newest["id"])
    assert not at.exception
    assert at.subheader[0].value == f"{newest['code']} · {newest['name']}"
    assert [tab.label for tab in at.tabs] == [t("tl.tab", lang),
                                              t("cu.tab_products", lang, total=newest["totals"]["products"])]


def test_filtering_customers_by_grade_narrows_the_list(open_page):
    """C-2."""
    at = open_page("pages/customers.py")
    at.multiselect(key="grade").set_value([CustomerGrade.VIP]).run()
    assert not at.exception
    assert set(at.dataframe[0].value[t("cu.grade", "en")]) == {t("enum.CustomerGrade.vip", "en")}


def test_searching_a_customer_code_finds_that_customer(open_page, demo_url):
    newest = newest_customer(demo_url)
    at = open_page("pages/customers.py")
    at.text_input(key="q").set_value(newest["code"]).run()
    assert not at.exception
    assert list(at.dataframe[0].value[t("cu.code", "en")]) == [newest["code"]]


def test_correcting_a_delivery_date_from_the_customer_page_moves_the_open_call_and_bad_dates_are_refused(
        open_page, demo_url):
    """CB-2 at save, from the screen: a specialist corrects a product's delivery date; a delivery before the
    order took effect is refused in Chinese and nothing changes; a valid correction is saved and re-plans."""
    newest = newest_customer(demo_url)
    engine = make_engine(demo_url)
    product = customer_detail(engine, reader(), newest["id"])["products"].rows[0]
    at = open_page("pages/customers.py", "zh", Role.SPECIALIST)
    open_by_url(at, newest["id"])
    pid = at.selectbox(key="pd_product").value
    assert pid == product["id"]
    effective = product["effective_date"] or product["purchase_date"]
    at.date_input(key=f"pd_eff_{pid}").set_value(effective)
    at.date_input(key=f"pd_dlv_{pid}").set_value(effective - timedelta(days=1))
    at.button(key=f"FormSubmitter:pd_{pid}-{t('product_form.save', 'zh')}").click().run()
    assert at.error[0].value == t("product.delivery_before_effective", "zh")
    assert error_under(at, f"pd_dlv_{pid}") == t("product.delivery_before_effective", "zh")  # beside its field
    assert order_dates(engine, pid) == OrderDates(product["effective_date"], product["delivery_date"])

    corrected = effective + timedelta(days=1)
    at.date_input(key=f"pd_dlv_{pid}").set_value(corrected)
    at.button(key=f"FormSubmitter:pd_{pid}-{t('product_form.save', 'zh')}").click().run()
    assert not at.exception and not at.error
    assert order_dates(engine, pid) == OrderDates(effective, corrected)
    engine.dispose()


def open_customer(sign_in_as, customer_id: int, lang: str, role: Role = Role.SPECIALIST) -> AppTest:
    """The customer's own address (?id=), as a link or a bookmark opens it."""
    sign_in_as(role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.query_params["id"] = str(customer_id)
    return at.switch_page("pages/customers.py").run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_error_of_a_customer_correction_is_shown_under_its_field_and_nothing_is_saved(
        sign_in_as, demo_url, lang):
    """Issue 10: no name, a phone that is no number and a bad email: three messages at once, each under its
    field; the required fields are marked; nothing is saved and what was typed stays."""
    newest = newest_customer(demo_url)
    cid = newest["id"]
    at = open_customer(sign_in_as, cid, lang)
    key = f"cu_edit_{cid}"
    assert at.text_input(key=f"{key}_name").label == t("cu.name", lang) + " *"
    assert at.text_input(key=f"{key}_email").label == t("cu.email", lang)
    at.text_input(key=f"{key}_name").input(" ")
    at.text_input(key=f"{key}_phone").input("12")
    at.text_input(key=f"{key}_email").input("not an address")
    at.text_input(key=f"{key}_city").input("Hangzhou")
    at.button(key=f"FormSubmitter:{key}-{t('cu.save', lang)}").click().run()
    assert not at.exception
    assert error_under(at, f"{key}_name") == t("customer.required", lang)
    assert error_under(at, f"{key}_phone") == t("customer.bad_phone", lang)
    assert error_under(at, f"{key}_email") == t("customer.bad_email", lang)
    assert error_under(at, f"{key}_city") is None
    assert as_read(at.error[-1].value) == t("form.marked", lang, count=3)
    assert at.text_input(key=f"{key}_phone").value == "12"
    engine = make_engine(demo_url)
    after = customer_detail(engine, reader(), cid)["customer"]
    engine.dispose()
    assert (after["name"], after["phone"], after["city"]) == (newest["name"], newest["phone"], newest["city"])


def test_a_phone_in_the_customer_card_is_a_tap_to_call_link(sign_in_as, demo_url):
    newest = newest_customer(demo_url)
    at = open_customer(sign_in_as, newest["id"], "en")
    shown = " ".join(m.value for m in at.markdown)
    assert f"(tel:+{digits(newest['phone'])})" in shown  # dialled by its stored E.164 form (C-1)
    assert f"[{grouped(newest['phone'], 'CN')}]" in as_read(shown)  # read grouped: 138 1234 5678


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_one_letter_search_finds_nothing_and_the_page_asks_for_two_characters(open_page, lang):
    """C-1: `z` would range over a large share of the archive's index; the list is empty and says why."""
    at = open_page("pages/customers.py", lang)
    at.text_input(key="q").set_value("z").run()
    assert not at.exception
    assert t("search.too_short", lang, count=2) in [c.value for c in at.caption]
    at.text_input(key="q").set_value("zh").run()
    assert t("search.too_short", lang, count=2) not in [c.value for c in at.caption]


def test_a_specialist_adds_a_contact_and_corrects_a_products_serial_from_the_customer_page(open_page, demo_url):
    """C-1, C-5: what the archive's list asks for can be done on the page; a bad phone is refused in Chinese
    under its field and nothing is added."""
    newest = newest_customer(demo_url)
    engine = make_engine(demo_url)
    product = customer_detail(engine, reader(), newest["id"])["products"].rows[0]
    at = open_page("pages/customers.py", "zh", Role.SPECIALIST)
    open_by_url(at, newest["id"])
    cid, submit = newest["id"], f"FormSubmitter:nk_{newest['id']}-{t('owned.add_contact', 'zh')}"
    at.text_input(key=f"nk_name_{cid}").set_value("联系人测试")
    at.text_input(key=f"nk_phone_{cid}").set_value("12345")
    at.button(key=submit).click().run()
    assert error_under(at, f"nk_phone_{cid}") == t("customer.bad_phone", "zh")
    before = len(customer_detail(engine, reader(), cid)["contacts"])
    at.text_input(key=f"nk_phone_{cid}").set_value("139 0000 1234")
    at.button(key=submit).click().run()
    assert not at.exception and not at.error
    assert len(customer_detail(engine, reader(), cid)["contacts"]) == before + 1

    pid = at.selectbox(key="pdx_product").value
    assert pid == product["id"]
    at.text_input(key=f"pdx_serial_no_{pid}").set_value("沪Z99999")
    at.button(key=f"FormSubmitter:pdx_{pid}-{t('owned.save_details', 'zh')}").click().run()
    assert not at.exception and not at.error
    assert customer_detail(engine, reader(), cid)["products"].rows[0]["serial_no"] == "沪Z99999"
    engine.dispose()
