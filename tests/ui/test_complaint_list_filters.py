"""The complaint list's filters added for CP-5 and CP-4, each read from the URL (a pasted link, a count
tile): product model, only escalated, only overdue; and the "Next due" column. Each test adds the complaints
it needs to its copy of the demo office, received now so they are listed first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.accounts.demo import DEMO_ACCOUNTS
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import ComplaintStatus, Role
from db.models import User
from tests.factories import make_complaint, make_customer, make_product

HOUR = timedelta(hours=1)


def add_complaints(url: str, now, **kinds: dict) -> dict[str, str]:
    """name → number of complaints made with these columns (received an hour ago, not late by default)."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            user = s.scalar(select(User).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]))
            customer = make_customer(s, code="ZLF0001", name="Zeta List Filters")
            product = make_product(s, customer, model="ZZ-MODEL-77")
            base = {"received_at": now - HOUR, "first_response_due": now + HOUR, "reply_deadline": now + 5 * HOUR}
            made = {}
            for name, cols in kinds.items():
                on_product = {"product_id": product.id} if cols.pop("on_product", False) else {}
                cols = base | cols | on_product
                made[name] = make_complaint(s, customer, user, **cols).number
            return made
    finally:
        engine.dispose()


def listed(at, column: str = "cp.number") -> list:
    assert not at.exception
    return list(at.dataframe[0].value[t(column, "en")]) if at.dataframe else []


def opened_with(open_page, **params):
    at = open_page("pages/complaints.py")
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_the_model_in_the_url_lists_only_complaints_about_that_model(open_page, demo_url, now):
    """CP-4/CP-5: `model=` filters by the product's model; the multiselect shows it."""
    made = add_complaints(demo_url, now, about={"on_product": True}, other={})
    at = opened_with(open_page, model="ZZ-MODEL-77")
    assert listed(at) == [made["about"]]
    assert at.multiselect(key="model").value == ["ZZ-MODEL-77"]


def test_an_unknown_model_in_the_url_is_ignored(open_page, demo_url, now):
    add_complaints(demo_url, now, any={})
    at = opened_with(open_page, model="NO-SUCH-MODEL")
    assert at.multiselect(key="model").value == []
    assert len(listed(at)) == 25


def test_escalated_in_the_url_lists_only_open_escalated_complaints(open_page, demo_url, now):
    """CP-5: `escalated=True`: escalated and not closed; the toggle shows it on."""
    made = add_complaints(demo_url, now, up={"escalated": True, "escalated_at": now},
                          closed={"escalated": True, "status": ComplaintStatus.CLOSED}, calm={})
    at = opened_with(open_page, escalated="True", q="Zeta List")
    assert listed(at) == [made["up"]]
    assert at.toggle(key="escalated").value is True
    markers = listed(at, "cp.attention")
    assert all(t("cp.escalated", "en") in m for m in markers)


def test_overdue_in_the_url_lists_only_overdue_complaints(open_page, demo_url, now):
    """CP-5: `overdue=True`: the first response or the promised reply is past without its step."""
    made = add_complaints(demo_url, now, late_first={"first_response_due": now - HOUR},
                          late_reply={"first_response_at": now - HOUR, "reply_deadline": now - HOUR / 2},
                          on_time={}, answered={"first_response_due": now - HOUR, "first_response_at": now - HOUR})
    at = opened_with(open_page, overdue="True", q="Zeta List")
    assert sorted(listed(at)) == sorted([made["late_first"], made["late_reply"]])
    assert at.toggle(key="overdue").value is True


def test_next_due_shows_what_is_due_next_and_sorts(open_page, demo_url, now):
    """CP-5: the row's next deadline: the first response until given, then the promised reply."""
    made = add_complaints(demo_url, now, first={"first_response_due": now + 2 * HOUR},
                          reply={"first_response_at": now - HOUR, "reply_deadline": now + 3 * HOUR})
    at = opened_with(open_page, q="Zeta List", sort="next_due")
    assert listed(at) == [made["first"], made["reply"]]
    assert t("cp.list.next_due", "en") in at.dataframe[0].value.columns
    at = opened_with(open_page, q="Zeta List", sort="-next_due")
    assert listed(at) == [made["reply"], made["first"]]


def test_the_toggles_write_the_url(open_page):
    at = open_page("pages/complaints.py")
    at.toggle(key="escalated").set_value(True).run()
    at.toggle(key="overdue").set_value(True).run()
    assert not at.exception
    assert at.query_params["escalated"] == "True" and at.query_params["overdue"] == "True"

