"""The Leads page (issue 10): every lead, not only those due; a specialist starts on their own and a manager
on everyone's; search, filters and sort live in the URL under the contract's names and the first row is the
first of the whole filtered set in SQL; `?id=` opens one lead full-page with its data, contacts and a way
back to the list as it was; a new lead typed on the page is saved and opened."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.leads.queries import LeadFilter, list_leads
from db.engine import make_engine, session_scope
from db.enums import LeadClass, LeadStatus, Role
from db.models import Lead, LeadContact, User
from tests.factories import reader
from tests.helpers import OFFICE_TZ, as_read
from tests.ui.conftest import APP
from tests.ui.marks import error_under


def sql(demo_url, now, **f) -> list[dict]:
    """The first page of the whole filtered, sorted set, straight from core."""
    engine = make_engine(demo_url)
    try:
        return list_leads(engine, reader(), LeadFilter(**f), now, OFFICE_TZ, 1, 25).rows
    finally:
        engine.dispose()


def user_id(demo_url, username: str) -> int:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        found = s.scalar(select(User.id).where(User.username == username))
    engine.dispose()
    return found


NEWCOMER = "**Mrs** Newcomer [site](http://host/) :smile:"


def open_link(sign_in_as, path: str, params: dict, lang: str = "en", role: Role = Role.MANAGER) -> AppTest:
    """A pasted link: the page's first run in the session already carries the query parameters."""
    sign_in_as(role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(path)
    at.query_params.update(params)
    return at.run()


def links(at) -> dict[str, dict]:
    """Each page link on screen: its target page's URL path and its query parameters."""
    return {e.proto.label: {"page": e.proto.page, "params": dict(parse_qsl(e.proto.query_string))}
            for e in at.get("page_link")}


def shown_names(at) -> list[str]:
    return list(at.dataframe[0].value[t("leads.name", "en")])


def test_a_specialist_starts_on_all_their_own_leads_not_only_those_due(open_page, demo_url, now):
    me = user_id(demo_url, "specialist1")
    at = open_page("pages/leads.py", "en", Role.SPECIALIST)
    assert not at.exception
    expected = sql(demo_url, now, specialist_id=me)
    assert shown_names(at) == [r["name"] for r in expected]
    assert any(r["status"] != LeadStatus.OPEN or not r["overdue"] for r in expected)  # more than the due ones
    assert "who" not in at.query_params  # their own is the default: the URL stays clean


def test_a_manager_starts_on_everyone_s_and_the_search_is_bound_to_q(open_page, demo_url, now):
    at = open_page("pages/leads.py", "en", Role.MANAGER)
    assert shown_names(at) == [r["name"] for r in sql(demo_url, now)]
    term = sql(demo_url, now)[0]["name"][:3]
    at.text_input(key="q").set_value(term).run()
    assert shown_names(at) == [r["name"] for r in sql(demo_url, now, search=term)]
    assert at.query_params["q"] == term  # ui.listing writes the search into the URL


def test_a_pasted_search_link_shows_the_same_search(sign_in_as, demo_url, now):
    term = sql(demo_url, now)[-1]["phone"][:7]
    at = open_link(sign_in_as, "pages/leads.py", {"q": term})
    assert at.text_input(key="q").value == term
    assert shown_names(at) == [r["name"] for r in sql(demo_url, now, search=term)]


def test_filters_and_sort_from_a_pasted_link_show_the_same_view_sorted_over_the_whole_list(open_page, demo_url, now):
    me = user_id(demo_url, "specialist1")
    at = open_page("pages/leads.py", "en", Role.MANAGER)
    at.query_params.update({"who": str(me), "sort": "-name", "class": ["A", "B"], "status": "open"})
    at.run()
    assert not at.exception
    expected = sql(demo_url, now, specialist_id=me, sort="-name", classes=(LeadClass.A, LeadClass.B),
                   statuses=(LeadStatus.OPEN,))
    assert expected and shown_names(at) == [r["name"] for r in expected]
    assert at.selectbox(key="sort").value == "-name"
    assert at.selectbox(key="who").value == me and at.multiselect(key="class").value == [LeadClass.A, LeadClass.B]
    assert t("list.filters_active", "en", count=3) in [as_read(e.label) for e in at.expander]  # sort is no filter


def test_due_now_shows_what_my_work_counts_as_leads_due(open_page, demo_url, now):
    me = user_id(demo_url, "specialist1")
    at = open_page("pages/leads.py", "en", Role.SPECIALIST)
    at.selectbox(key="due").set_value("now").run()
    assert at.query_params["due"] == "now"
    assert shown_names(at) == [r["name"] for r in sql(demo_url, now, specialist_id=me, due_now=True)]


def test_a_choice_in_the_list_goes_to_the_url_as_a_code_not_a_label(open_page, demo_url):
    at = open_page("pages/leads.py", "zh", Role.SPECIALIST)
    assert at.selectbox(key="who").value == user_id(demo_url, "specialist1")
    at.selectbox(key="who").set_value(None).run()
    assert at.query_params["who"] == "all"
    at.multiselect(key="status").set_value([LeadStatus.WON]).run()
    assert at.query_params["status"] == "won"
    assert set(at.dataframe[0].value[t("leads.status", "zh")]) <= {t("enum.LeadStatus.won", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lead_opens_by_its_id_with_its_contacts_and_the_way_back_keeps_the_list(sign_in_as, demo_url, lang):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        lead_id = s.scalar(select(LeadContact.lead_id).order_by(LeadContact.id))
        lead = s.get(Lead, lead_id)
        name, contacts = lead.name, s.query(LeadContact).filter_by(lead_id=lead_id).count()
    engine.dispose()
    at = open_link(sign_in_as, "pages/leads.py", {"q": name, "sort": "-name"}, lang)
    assert at.text_input(key="q").value == name
    at.query_params["id"] = str(lead_id)
    at.run()
    assert not at.exception
    assert name in as_read(at.subheader[0].value)
    assert len(at.dataframe[0].value) == contacts  # the contacts, not the list
    assert not [w for w in at.text_input if w.key == "q"]
    at.button(key="back").click().run()
    assert "id" not in at.query_params and at.query_params["sort"] == "-name"
    assert at.text_input(key="q").value == name


def test_a_lead_links_to_the_incoming_call_it_came_from_and_its_customer(open_page, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        lead = s.scalars(select(Lead).where(Lead.incoming_call_id.is_not(None)).order_by(Lead.id).limit(1)).one()
        expected = {("incoming", str(lead.incoming_call_id))} | ({("customers", str(lead.customer_id))}
                                                                  if lead.customer_id else set())
    engine.dispose()
    at = open_page("pages/leads.py", "en", Role.SPECIALIST)
    at.query_params["id"] = str(lead.id)
    at.run()
    assert {(v["page"], v["params"]["id"]) for v in links(at).values()} == expected


def test_an_unknown_id_says_so_with_the_way_back(open_page):
    at = open_page("pages/leads.py", "zh", Role.SPECIALIST)
    at.query_params["id"] = "999999"
    at.run()
    assert not at.exception and at.warning[0].value == t("list.not_found", "zh")
    assert at.button(key="back").label == t("list.back", "zh")


def test_a_new_lead_typed_on_the_page_is_saved_and_opened(open_page, demo_url):
    at = open_page("pages/leads.py", "en", Role.SPECIALIST)
    at.text_input(key="nl_name").set_value(NEWCOMER)
    at.text_input(key="nl_phone").set_value("137 1234 9876")
    at.radio(key="nl_class").set_value(LeadClass.A)
    at.text_input(key="nl_interest").set_value("Water softener")
    at.button(key=f"FormSubmitter:new_lead-{t('leads.create', 'en')}").click().run()
    assert not at.exception and not at.error
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        lead = s.scalars(select(Lead).where(Lead.name == NEWCOMER)).one()
        owner = s.scalar(select(User.username).where(User.id == lead.specialist_id))
    engine.dispose()
    assert (lead.phone, lead.lead_class, owner) == ("137 1234 9876", LeadClass.A, "specialist1")
    assert at.query_params["id"] == str(lead.id)
    assert as_read(at.subheader[0].value) == f"{NEWCOMER} · 137 1234 9876"  # typed text stays text


def test_a_new_lead_without_a_class_is_refused_and_nothing_is_written(open_page, demo_url):
    at = open_page("pages/leads.py", "zh", Role.SPECIALIST)
    at.text_input(key="nl_name").set_value("Mrs Newcomer")
    at.text_input(key="nl_phone").set_value("137 1234 9876")
    at.button(key=f"FormSubmitter:new_lead-{t('leads.create', 'zh')}").click().run()
    assert error_under(at, "nl_class") == t("leads.class_required", "zh")
    assert at.text_input(key="nl_name").value == "Mrs Newcomer"
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        assert s.scalars(select(Lead).where(Lead.name == "Mrs Newcomer")).first() is None
    engine.dispose()


def test_every_error_of_a_new_lead_is_shown_under_its_field_with_the_required_ones_marked(open_page, demo_url):
    """Issue 10: no name, a number that is none, no class and an interest holding a control character: the four
    messages at once, each under its field, in Chinese; nothing is written and the typed input stays."""
    at = open_page("pages/leads.py", "zh", Role.SPECIALIST)
    mark = t("form.required_mark", "zh")
    assert [at.text_input(key=k).label for k in ("nl_name", "nl_phone")] == [
        t("leads.name", "zh") + mark, t("leads.phone", "zh") + mark]
    assert at.radio(key="nl_class").label == t("leads.lead_class", "zh") + mark
    assert at.text_input(key="nl_interest").label == t("leads.interest", "zh")  # not required, not marked
    at.text_input(key="nl_phone").set_value("call me maybe")
    at.text_input(key="nl_interest").set_value("bell\x07")
    at.button(key=f"FormSubmitter:new_lead-{t('leads.create', 'zh')}").click().run()
    assert not at.exception
    assert error_under(at, "nl_name") == t("leads.name_required", "zh")
    assert error_under(at, "nl_phone") == t("leads.bad_phone", "zh")
    assert error_under(at, "nl_class") == t("leads.class_required", "zh")
    assert error_under(at, "nl_interest") == t("input.control_chars", "zh")
    assert as_read(at.error[-1].value) == t("form.marked", "zh", count=4)
    assert at.text_input(key="nl_interest").value == "bell\x07"
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        assert s.scalars(select(Lead).where(Lead.phone == "call me maybe")).first() is None
    engine.dispose()
