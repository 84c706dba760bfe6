"""User text is data, never markup (issue 9, STYLE habit 5), screen by screen: every text field a page shows
is set to Markdown, HTML and Streamlit directives in this test's own demo office; every page of every role,
and the record views that show those fields, then render none of it live. Wherever the hostile text reaches
an element Streamlit renders as Markdown (headings, captions, alerts, toasts, labels, tabs, expanders, radio
options, metrics, help), it arrives escaped by ui.text.plain; raw, it appears only in plain-text elements
(st.text, tables, select box options, typed input)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from google.protobuf.message import Message
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.queries import list_users
from core.callbacks.queries import CallbackFilter, list_callbacks
from core.callbacks.services import claim
from core.complaints.queries import ComplaintFilter, list_complaints
from core.customers.queries import CustomerFilter, list_customers
from core.leads.queries import due_leads
from core.office.settings import load_office
from core.permissions import Actor, pages_for
from core.work_orders.queries import WorkOrderFilter, list_work_orders
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, CallbackLevel, CallbackStatus, Role, TaskStatus
from db.models import (
    CallAttempt,
    Callback,
    Complaint,
    ComplaintEvent,
    Contact,
    Customer,
    IncomingCall,
    Lead,
    LeadContact,
    Product,
    Task,
    User,
    WorkOrder,
    WorkOrderEvent,
)
from tests.factories import reader
from tests.helpers import open_by_url
from tests.ui.conftest import DEMO_NOW
from ui.text import plain

HOSTILE = ("![p](http://host/x.png) [link](http://host/) **B** :red[R] <img src=x onerror=alert(1)> "
           ":material/home: $x^2$ :smile: http://host/a")
LIVE = ("![p](", "[link](", "**B**", ":red[R]", "<img", ":material/home:", "$x^2$", ":smile:", "http://host")
SHOWN = plain(HOSTILE)  # how it must arrive wherever Markdown is rendered

# Every text a person types that some page shows: names, products, notes, descriptions, findings, answers.
TYPED = {
    User: ("display_name",),
    Customer: ("name", "address", "city", "notes"),
    Contact: ("name", "title"),
    Product: ("model", "spec", "place"),
    Callback: ("purpose",),
    CallAttempt: ("dissatisfaction_reason", "questions", "suggestions", "notes"),
    Task: ("finding", "resolution"),
    IncomingCall: ("caller_name", "need", "heard_from"),
    Lead: ("name", "interest"),
    LeadContact: ("notes",),
    Complaint: ("product_desc", "description", "responsible_department", "capa_action", "inspection_result",
                "verification_note", "explanation", "preventive_action", "solution", "late_reason",
                "verification_evidence", "escalation_reason"),
    ComplaintEvent: ("note",),
    WorkOrder: ("contact_name", "address", "request", "work_done", "delay_reason", "incomplete_reason",
                "customer_signed_name", "special_approval_note"),
    WorkOrderEvent: ("note",),
}

# never rendered as Markdown; a Vega-Lite chart draws its labels as SVG or canvas text, and vega-embed's tooltip
# escapes HTML (its escapeHTML, bundled in streamlit/static .../embed.*.js)
PLAIN_ELEMENTS = {"text", "arrow_data_frame", "dataframe", "code", "json", "vega_lite_chart"}
NOT_MARKDOWN = {"id", "form_id", "placeholder", "value", "default", "raw_value", "raw_values", "set_value"}
PLAIN_OPTIONS = {"selectbox", "multiselect"}  # their options are plain text; a radio's are Markdown


@pytest.fixture
def hostile_url(demo_url, now) -> str:
    """This test's demo office with every typed text replaced by the hostile one."""
    engine = make_engine(demo_url)
    try:
        with engine.begin() as conn:
            for model, columns in TYPED.items():
                conn.execute(update(model).values(dict.fromkeys(columns, HOSTILE)))
    finally:
        engine.dispose()
    return demo_url


# ui.context.remember_language: the app's own fixed image (no typed text in it) that sets the language cookie
OUR_MARKUP = re.compile(r'<img class="lang-cookie" src="/auth/language\?to=(en|zh)" alt="" width="1" height="1">')


def _strings(message: Message, skip: set[str]):
    for field, value in message.ListFields():
        if field.name in skip:
            continue
        values = value if field.is_repeated else [value]
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item, skip)
            elif isinstance(item, str):
                yield field.name, item


def markdown_texts(at: AppTest) -> list[tuple[str, str, str]]:
    """(element type, field, text) of everything on screen that Streamlit renders as Markdown."""
    found = []
    for node in at._tree:
        proto, kind = getattr(node, "proto", None), getattr(node, "type", "")
        if not isinstance(proto, Message) or kind in PLAIN_ELEMENTS:
            continue
        skip = NOT_MARKDOWN | ({"options"} if kind in PLAIN_OPTIONS else set())
        found += [(kind, field, text) for field, text in _strings(proto, skip) if not OUR_MARKUP.fullmatch(text)]
    return found


def unescaped_parts(text: str) -> str:
    """The text with each backslash-escaped character blanked out: what is left is what Markdown reads as syntax."""
    return re.sub(r"\\.", "\x00", text)


def assert_shown_plain(at: AppTest, where: str, expect: bool = False) -> None:
    """Nothing hostile is live; with `expect`, the escaped text is on screen (the view did show a field)."""
    assert not at.exception, where
    texts = markdown_texts(at)
    live = [(kind, field, text) for kind, field, text in texts if any(m in unescaped_parts(text) for m in LIVE)]
    assert live == [], where
    if expect:
        assert any(SHOWN in text for _, _, text in texts), where


def _one(url: str, stmt):
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return s.execute(stmt).first()
    finally:
        engine.dispose()


def _user(url: str, role: Role) -> Actor:
    return Actor(*_one(url, select(User.id, User.username, User.display_name, User.role)
                       .where(User.username == DEMO_ACCOUNTS[role])))


@pytest.mark.parametrize("role", list(Role))
def test_every_page_of_every_role_shows_typed_text_as_plain_text(open_page, hostile_url, role):
    for name in pages_for(role):
        at = open_page(f"pages/{name}.py", "en", role)
        assert_shown_plain(at, f"{role}: {name}")


def _first_listed(url: str, listing) -> int:
    """The id of the first row a list page shows (core's own list query), so its picker can open it."""
    engine = make_engine(url)
    try:
        return listing(engine, load_office(engine).timezone).rows[0]["id"]
    finally:
        engine.dispose()


def test_a_callbacks_detail_with_its_calls_shows_typed_text_as_plain_text(open_page, hostile_url, now):
    """The customer in the heading, the customer card and the call attempts' answers (CB-7) of a worked re-check."""
    flt = CallbackFilter(statuses=(CallbackStatus.COMPLETED,), kinds=(CallbackKind.RECHECK,))
    cb_id = _first_listed(hostile_url, lambda e, tz: list_callbacks(e, reader(), flt, tz, now, 1, 25))
    at = open_page("pages/callbacks.py")
    at.multiselect(key="status").set_value(list(flt.statuses))
    at.multiselect(key="kind").set_value(list(flt.kinds)).run()
    open_by_url(at, cb_id)
    assert at.subheader[0].value == SHOWN
    assert_shown_plain(at, "callback detail", expect=True)


@pytest.mark.parametrize(("page", "listing"), [
    ("pages/complaints.py", lambda e, tz: list_complaints(e, reader(), ComplaintFilter(), tz, DEMO_NOW, 1, 25)),
    ("pages/work_orders.py", lambda e, tz: list_work_orders(e, reader(), WorkOrderFilter(), tz)),
    ("pages/customers.py", lambda e, tz: list_customers(e, reader(), CustomerFilter(), tz)),
], ids=["complaint", "work_order", "customer"])
def test_a_records_view_shows_typed_text_as_plain_text(open_page, hostile_url, page, listing):
    """Its heading (number or code · customer), its card, its history and its tabs."""
    record_id = _first_listed(hostile_url, listing)
    at = open_page(page)
    open_by_url(at, record_id)
    assert at.subheader[0].value.endswith(SHOWN)
    assert_shown_plain(at, page, expect=True)


def test_the_known_caller_box_of_an_incoming_call_shows_the_name_as_plain_text(open_page, hostile_url):
    phone = _one(hostile_url, select(Customer.phone).group_by(Customer.phone).having(func.count() == 1))[0]
    at = open_page("pages/incoming.py", "en", Role.SPECIALIST)
    at.text_input(key="inc_phone").set_value(phone).run()
    assert SHOWN in at.info[0].value
    assert_shown_plain(at, "incoming", expect=True)


def test_task_cards_on_my_work_show_the_finding_and_names_as_plain_text(open_page, hostile_url):
    """CB-4: the finding sent to the specialist, the customer and the sender in the card's heading."""
    specialist = _user(hostile_url, Role.SPECIALIST)
    assert _one(hostile_url, select(Task.id).where(Task.assignee_id == specialist.id,
                                                   Task.status == TaskStatus.OPEN)) is not None
    at = open_page("pages/my_work.py", "en", Role.SPECIALIST)
    assert HOSTILE in [t.value for t in at.text]  # the finding itself: one block of plain text
    assert_shown_plain(at, "my work", expect=True)


def test_the_call_screen_shows_the_callback_and_customer_as_plain_text(open_page, hostile_url, now):
    specialist = _user(hostile_url, Role.SPECIALIST)
    (cb_id,) = _one(hostile_url, select(Callback.id).where(
        Callback.assignee_id == specialist.id, Callback.status == CallbackStatus.OPEN,
        Callback.level == CallbackLevel.L1, Callback.due_start <= now + timedelta(days=1)).order_by(Callback.id))
    engine = make_engine(hostile_url)
    try:
        claim(engine, specialist, cb_id, now)
    finally:
        engine.dispose()
    at = open_page("pages/call.py", "en", Role.SPECIALIST)
    assert_shown_plain(at, "call screen", expect=True)  # the purpose and the customer's name, in the card


def test_a_picked_user_and_lead_show_typed_text_as_plain_text(open_page, hostile_url, now):
    admin, specialist = _user(hostile_url, Role.ADMIN), _user(hostile_url, Role.SPECIALIST)
    at = open_page("pages/users.py", "en", Role.ADMIN)
    engine = make_engine(hostile_url)
    try:
        user_id = list_users(engine, admin)[0]["id"]
        lead_id = due_leads(engine, reader(), specialist.id, now, load_office(engine).timezone).rows[0]["id"]
    finally:
        engine.dispose()
    open_by_url(at, user_id)
    assert_shown_plain(at, "users")
    at = open_page("pages/leads.py", "en", Role.SPECIALIST)
    open_by_url(at, lead_id)
    assert_shown_plain(at, "leads")
