"""The incoming-call register (issue 10): searched by caller, number or need (the search bound to `q`, a
pasted link showing the same search), its answer / resolution / category filters kept in the URL as codes,
and each call opened by `?id=` full-page: its fields, the customer it was matched to (a link to
customers?id=) and what it led to (the call-back or the lead, each a link), with the way back."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.i18n import t
from core.incoming.queries import SORTS, IncomingFilter, list_incoming
from core.scheduling.rules import missed_call_key
from db.engine import make_engine, session_scope
from db.enums import IncomingCategory, Role
from db.models import Callback, IncomingCall, Lead
from tests.factories import reader
from tests.helpers import OFFICE_TZ, click_row
from tests.ui.test_leads_list_page import links, open_link


def sql(demo_url, sort: str | None = None, **f) -> list[dict]:
    engine = make_engine(demo_url)
    try:
        return list_incoming(engine, reader(), IncomingFilter(**f), OFFICE_TZ, 1, 25, sort).rows
    finally:
        engine.dispose()


def shown_phones(at) -> list[str]:
    return list(at.dataframe[0].value[t("incoming.phone", "en")])


def test_the_register_is_searched_by_a_pasted_link_and_the_search_is_bound_to_q(sign_in_as, demo_url):
    phone = sql(demo_url)[0]["phone"]
    at = open_link(sign_in_as, "pages/incoming.py", {"q": phone})
    assert not at.exception
    assert at.text_input(key="q").value == phone
    assert shown_phones(at) == [r["phone"] for r in sql(demo_url, search=phone)]
    at.text_input(key="q").set_value("nobody-at-all-xyz").run()
    assert at.query_params["q"] == "nobody-at-all-xyz"
    assert at.info[0].value == t("list.empty", "en")


def test_filters_go_to_the_url_as_codes_and_a_pasted_link_shows_them(sign_in_as, demo_url):
    at = open_link(sign_in_as, "pages/incoming.py", {}, "zh", Role.SPECIALIST)
    at.selectbox(key="answered").set_value("no").run()
    assert at.query_params["answered"] == "no"
    at.multiselect(key="category").set_value([IncomingCategory.NEW_ENQUIRY]).run()
    assert at.query_params["category"] == "new_enquiry"
    at.selectbox(key="resolved").set_value("no").run()
    assert at.query_params["resolved"] == "no"
    flt = {"answered": False, "resolved": False, "categories": (IncomingCategory.NEW_ENQUIRY,)}
    expected = [r["phone"] for r in sql(demo_url, **flt)]
    assert expected and list(at.dataframe[0].value[t("incoming.phone", "zh")]) == expected
    again = open_link(sign_in_as, "pages/incoming.py", dict(at.query_params), "en", Role.SPECIALIST)
    assert shown_phones(again) == expected  # a pasted link shows the same register, in English too
    assert again.selectbox(key="answered").value == "no" and again.selectbox(key="resolved").value == "no"


def test_the_register_sorts_from_the_url_and_the_sort_box_writes_it_back(sign_in_as, demo_url):
    """Issue 10: the register had no sort. A pasted `sort` shows the whole register sorted in SQL; the box
    offers only core's allow-list and writes the choice as a column name."""
    at = open_link(sign_in_as, "pages/incoming.py", {"sort": "caller_name"})
    assert not at.exception
    assert at.selectbox(key="sort").value == "caller_name"
    expected = [r["phone"] for r in sql(demo_url, "caller_name")]
    assert expected != [r["phone"] for r in sql(demo_url)] and shown_phones(at) == expected
    assert set(at.selectbox(key="sort").options) == {t("list.newest_first", "en")} | {
        t(f"list.sort_{way}", "en", column=t(f"incoming.{c}", "en")) for c in SORTS for way in ("up", "down")}
    at.selectbox(key="sort").set_value("-received_at").run()
    assert at.query_params["sort"] == "-received_at"


def test_the_received_days_are_kept_in_the_url_and_a_row_click_opens_the_call(sign_in_as, demo_url):
    day = sql(demo_url)[0]["received_at"].astimezone(ZoneInfo(OFFICE_TZ)).date()
    at = open_link(sign_in_as, "pages/incoming.py", {"received": [day.isoformat(), day.isoformat()]})
    assert not at.exception
    assert at.date_input(key="received").value == (day, day)
    expected = sql(demo_url, day_from=day, day_to=day)
    assert shown_phones(at) == [r["phone"] for r in expected]
    click_row(at, 0)
    assert not at.exception and at.query_params["id"] == str(expected[0]["id"])
    assert not [d for d in at.dataframe if d.key == "rows"]  # the call in place of the register
    at.button(key="back").click().run()
    assert "id" not in at.query_params and at.query_params["received"] == [day.isoformat()] * 2
    assert shown_phones(at) == [r["phone"] for r in expected]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_call_opens_by_its_id_with_its_customer_and_call_back_as_links(open_page, demo_url, lang):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:  # a customer's call that was called back
        keys = {missed_call_key(i): i for i in s.scalars(select(IncomingCall.id).where(
            IncomingCall.customer_id.is_not(None)))}
        callback_id, key = s.execute(select(Callback.id, Callback.source_key).where(Callback.source_key.in_(keys))
                                     .order_by(Callback.id).limit(1)).one()
        call_id = keys[key]
        customer_id = s.get(IncomingCall, call_id).customer_id
    engine.dispose()
    at = open_page("pages/incoming.py", lang, Role.MANAGER)
    at.query_params["id"] = str(call_id)
    at.run()
    assert not at.exception and not at.dataframe  # the call, not the register
    targets = [(v["page"], v["params"]) for v in links(at).values()]
    assert any(p == "customers" and q == {"id": str(customer_id)} for p, q in targets)
    assert any(p == "callbacks" and q == {"id": str(callback_id)} for p, q in targets)
    at.button(key="back").click().run()
    assert "id" not in at.query_params and len(at.dataframe[0].value) > 0


def test_a_stranger_s_call_leads_to_its_lead(open_page, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        lead_id, call_id = s.execute(select(Lead.id, Lead.incoming_call_id)
                                     .where(Lead.incoming_call_id.is_not(None)).order_by(Lead.id).limit(1)).one()
    engine.dispose()
    at = open_page("pages/incoming.py", "en", Role.SPECIALIST)
    at.query_params["id"] = str(call_id)
    at.run()
    assert not at.exception
    assert any(v["page"] == "leads" and v["params"] == {"id": str(lead_id)} for v in links(at).values())


def test_an_unknown_call_says_so(open_page):
    at = open_page("pages/incoming.py", "zh", Role.SPECIALIST)
    at.query_params["id"] = "999999"
    at.run()
    assert not at.exception and at.warning[0].value == t("list.not_found", "zh")
