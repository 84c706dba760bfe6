"""Issue 10, lists and records, on every list page of this part: a row click opens the record full-page and the
way back returns to the list as it was; the sort is the whole filtered list's (its first row is the first row
of the SQL query over the whole set); filters, sort and page round-trip through the URL; a bad URL is ignored."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from streamlit.testing.v1 import AppTest

from core.callbacks.queries import OPEN_STATUSES
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import LeadClass, LeadStatus, Role, WorkOrderStatus
from db.models import AuditEntry, Callback, Complaint, Customer, Lead, User, WorkOrder
from tests.helpers import click_row
from tests.ui.conftest import APP


@dataclass(frozen=True)
class ListPage:
    path: str
    role: Role
    sort: str  # a sort the page offers
    column: str  # the label key of the shown column the first row is checked by
    first: object  # the SQL query whose first row is that column's value under the page's default filters


_OWNER = aliased(User)
PAGES = {
    "callbacks": ListPage("pages/callbacks.py", Role.MANAGER, "customer", "cb.customer", select(Customer.name).join(
        Callback, Callback.customer_id == Customer.id).where(Callback.status.in_(OPEN_STATUSES))
        .order_by(Customer.name, Callback.id)),
    "work_orders": ListPage("pages/work_orders.py", Role.MANAGER, "-number", "wo.number",
                            select(WorkOrder.number).order_by(WorkOrder.number.desc(), WorkOrder.id.desc())),
    "complaints": ListPage("pages/complaints.py", Role.MANAGER, "-reply_deadline", "cp.number", select(
        Complaint.number).order_by(Complaint.reply_deadline.desc().nulls_last(), Complaint.id.desc())),
    "customers": ListPage("pages/customers.py", Role.MANAGER, "name", "cu.name",
                          select(Customer.name).order_by(Customer.name, Customer.id)),
    "users": ListPage("pages/users.py", Role.ADMIN, "-display_name", "users.name",
                      select(User.display_name).order_by(User.display_name.desc(), User.id.desc())),
    "leads": ListPage("pages/leads.py", Role.MANAGER, "-name", "leads.name",
                      select(Lead.name).order_by(func.lower(Lead.name).desc(), Lead.id.desc())),
    "audit": ListPage("pages/audit.py", Role.MANAGER, "username", "common.who",
                      select(AuditEntry.username).order_by(AuditEntry.username.nulls_last(), AuditEntry.id)),
}
RECORD_PAGES = [name for name in PAGES if name != "audit"]  # an audit entry has no record page of its own


def _first(demo_url: str, stmt) -> object:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        value = s.execute(stmt.limit(1)).scalar()
    engine.dispose()
    return value


def _open(sign_in_as, listed: ListPage, lang: str = "en", **params: str | list[str]) -> AppTest:
    """The page opened from a URL carrying `params` (a pasted link, a bookmark, a refresh)."""
    sign_in_as(listed.role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.query_params.update(params)
    return at.switch_page(listed.path).run()


def _view(at: AppTest) -> tuple:
    """What a list shows: its first rows and its count line."""
    return at.dataframe[0].value.head(3).to_dict(), [c.value for c in at.caption]


@pytest.mark.parametrize("name", list(PAGES))
def test_the_sort_is_the_whole_filtered_lists_in_sql(sign_in_as, demo_url, name):
    page = PAGES[name]
    at = _open(sign_in_as, page)
    at.selectbox(key="sort").set_value(page.sort).run()
    assert not at.exception
    assert at.query_params["sort"] == page.sort
    assert at.dataframe[0].value[t(page.column, "en")].iloc[0] == _first(demo_url, page.first)


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_row_click_opens_the_record_full_page_and_the_way_back_returns_to_the_list_as_it_was(sign_in_as, name):
    page = PAGES[name]
    at = _open(sign_in_as, page, sort=page.sort, page="2")
    listed = _view(at)
    click_row(at, 1)
    assert not at.exception
    assert at.query_params["id"].isdigit() and at.subheader
    assert not [d for d in at.dataframe if d.key == "rows"]  # the record in place of the list, not under it
    at.button(key="back").click().run()
    assert not at.exception
    assert "id" not in at.query_params and at.query_params["sort"] == page.sort and at.query_params["page"] == "2"
    assert _view(at) == listed


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_an_id_that_does_not_exist_says_not_found_and_nothing_else(sign_in_as, name):
    at = _open(sign_in_as, PAGES[name], "zh", id="987654321")
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [t("list.not_found", "zh")]
    assert not at.subheader and not at.dataframe
    at.button(key="back").click().run()
    assert at.dataframe and "id" not in at.query_params


@pytest.mark.parametrize("name", list(PAGES))
def test_nonsense_in_the_url_is_ignored_and_the_default_list_shown(sign_in_as, name):
    page = PAGES[name]
    at = _open(sign_in_as, page)
    plain = _view(at)
    at.query_params.update(sort="name; DROP TABLE users", page="-3", size="7", status="bogus", who="x", due="soon",
                           grade="z", id="12abc", on="2026-13-01")
    at.run()
    assert not at.exception
    assert _view(at) == plain


def test_the_callbacks_filters_sort_and_page_round_trip_through_the_url(sign_in_as, demo_url):
    """The contract's names and values: enum values, a user id, the column name; a refresh shows the same."""
    page = PAGES["callbacks"]
    at = _open(sign_in_as, page)
    at.multiselect(key="status").set_value([OPEN_STATUSES[0]]).run()
    at.selectbox(key="sort").set_value("-due_end").run()
    at.pagination(key="page").set_value(2).run()
    url = dict(at.query_params)
    assert url == {"status": OPEN_STATUSES[0].value, "sort": "-due_end", "page": "2"}
    shown = _view(at)
    again = _open(sign_in_as, page, **url)
    assert _view(again) == shown
    assert again.multiselect(key="status").value == [OPEN_STATUSES[0]]


def test_the_leads_filters_and_sort_round_trip_through_the_url(sign_in_as, demo_url):
    """The leads' contract names (who, class, status, sort) hold codes, never labels: a pasted link shows the
    same list, in the other language too."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        owner = s.scalar(select(User.id).where(User.username == "specialist1"))
    engine.dispose()
    page = PAGES["leads"]
    at = _open(sign_in_as, page)
    at.selectbox(key="who").set_value(owner).run()
    at.multiselect(key="class").set_value([LeadClass.A, LeadClass.C]).run()
    at.multiselect(key="status").set_value([LeadStatus.OPEN]).run()
    at.selectbox(key="sort").set_value("-created_at").run()
    assert not at.exception
    url = dict(at.query_params)
    assert url == {"who": str(owner), "class": ["A", "C"], "status": "open", "sort": "-created_at"}
    shown = _view(at)
    assert _view(_open(sign_in_as, page, **url)) == shown
    again = _open(sign_in_as, page, "zh", **url)
    assert again.dataframe[0].value.shape == at.dataframe[0].value.shape
    assert again.selectbox(key="who").value == owner and again.selectbox(key="sort").value == "-created_at"
    assert again.multiselect(key="class").value == [LeadClass.A, LeadClass.C]


def test_the_leads_due_now_filter_goes_to_the_url_as_now(sign_in_as):
    at = _open(sign_in_as, PAGES["leads"], due="now")
    assert at.selectbox(key="due").value == "now"
    at.selectbox(key="due").set_value("").run()
    assert "due" not in at.query_params


def test_changing_a_filter_goes_back_to_page_one(sign_in_as):
    at = _open(sign_in_as, PAGES["work_orders"], page="3")
    assert at.pagination(key="page").value == 3
    at.multiselect(key="status").set_value([WorkOrderStatus.COMPLETED]).run()
    assert "page" not in at.query_params and at.pagination(key="page").value == 1
    assert at.query_params["status"] == WorkOrderStatus.COMPLETED.value


def test_the_work_orders_fee_filter_goes_to_the_url_and_a_pasted_link_shows_only_fees_to_settle(sign_in_as,
                                                                                                 demo_url):
    """Issue 10: finance's fee tiles open the list with fee=True: completed, a fee, not settled (core fee_to_settle)."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        numbers = set(s.scalars(select(WorkOrder.number).where(
            WorkOrder.fee_cents > 0, WorkOrder.settled_at.is_(None), WorkOrder.completed_at.is_not(None))))
    engine.dispose()
    at = _open(sign_in_as, ListPage("pages/work_orders.py", Role.FINANCE, "", "", None), "zh")
    at.toggle(key="fee").set_value(True).run()
    assert not at.exception and at.query_params["fee"] == "True"
    assert 0 < len(numbers) <= 25 and set(at.dataframe[0].value[t("wo.number", "zh")]) == numbers
    again = _open(sign_in_as, ListPage("pages/work_orders.py", Role.FINANCE, "", "", None), "en", fee="True")
    assert again.toggle(key="fee").value is True
    assert set(again.dataframe[0].value[t("wo.number", "en")]) == numbers
    again.toggle(key="fee").set_value(False).run()
    assert "fee" not in again.query_params


def test_an_engineer_opens_on_their_own_orders_and_has_no_one_elses_to_choose(sign_in_as, demo_url):
    """Issue 12: an engineer reads only the orders assigned to them, so no technician filter is offered."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User.display_name).where(User.username == "engineer1"))
    engine.dispose()
    at = _open(sign_in_as, ListPage("pages/work_orders.py", Role.ENGINEER, "", "", None))
    assert set(at.dataframe[0].value[t("wo.technician", "en")]) == {me}
    assert not [b for b in at.selectbox if b.key == "who"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_callback_tile_opens_the_list_it_counts_and_is_not_named_like_a_status(sign_in_as, lang):
    """The tile "due after today" sat beside a status chip of the same name (待回访 269 / 待回访 426)."""
    statuses = {t(f"enum.CallbackStatus.{s.value}", lang) for s in OPEN_STATUSES}
    for bucket in ("overdue", "today", "later"):
        at = _open(sign_in_as, PAGES["callbacks"], lang)
        tile = at.button(key=f"tile_{bucket}")
        assert not any(tile.label.startswith(s) for s in statuses)
        count = int(tile.label.rsplit("：" if lang == "zh" else ": ", 1)[1])
        tile.click().run()
        assert at.query_params["due"] == bucket
        counted = t("list.count", lang, total=count, page=1, pages=1).split("·")[0]
        assert any(c.value.startswith(counted) for c in at.caption) or (count == 0 and at.info)


def test_a_click_on_any_cell_of_a_row_opens_that_row_not_only_its_marker(sign_in_as, demo_url):
    """In a browser a click on a cell selects the cell (tests/e2e/test_lists_in_browser.py clicks one)."""
    page = PAGES["customers"]
    at = _open(sign_in_as, page, sort="name")
    second = at.dataframe[0].value[t("cu.name", "en")].iloc[1]
    at.session_state["rows"] = {"selection": {"rows": [], "columns": [], "cells": [[1, t("cu.grade", "en")]]}}
    at.run()
    assert not at.exception
    assert at.subheader[0].value.endswith(second)


@pytest.mark.parametrize(("role", "mine"), [(Role.DIRECTOR, False), (Role.MANAGER, False), (Role.SPECIALIST, True)])
def test_the_callbacks_open_on_mine_only_for_who_cannot_read_every_level(sign_in_as, demo_url, role, mine):
    """Review finding 7: the director reads L1-L3 and opens on everyone's callbacks, as the manager does."""
    at = _open(sign_in_as, ListPage("pages/callbacks.py", role, "", "", None))
    assert not at.exception
    assert (at.selectbox(key="who").value is not None) == mine


def test_a_who_or_page_of_thousands_of_digits_shows_the_default_list(sign_in_as):
    """Review finding 8: Python refuses int() of more than 4300 digits; the list must still draw."""
    page = PAGES["callbacks"]
    plain = _view(_open(sign_in_as, page))
    at = _open(sign_in_as, page, who="9" * 5000, page="9" * 5000)
    assert not at.exception
    assert _view(at) == plain
