"""The customer's page, C-4 and C-5, driven by AppTest against the small demo office: the timeline (newest
first, the kind filter, a row opening its record), the archive's timeliness box with what is missing, and the
specialist's records to complete on My work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from core.customers.timeline import TimelineFilter, TimelineKind, customer_timeline
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import Complaint, Customer, User
from tests.factories import reader
from tests.helpers import OFFICE_TZ, as_read
from tests.ui.conftest import APP
from tests.ui.test_customers_page import open_customer

ROWS = "tl_rows"


def _busiest_customer(demo_url: str) -> int:
    """The demo customer with the most complaints (so every kind is likely on their timeline)."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        cid = s.scalar(select(Complaint.customer_id).group_by(Complaint.customer_id)
                       .order_by(func.count().desc(), Complaint.customer_id).limit(1))
    engine.dispose()
    return cid


def _timeline(at) -> object:
    return next(d for d in at.dataframe if d.key == ROWS).value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_history_tab_shows_the_whole_timeline_newest_first(sign_in_as, demo_url, lang):
    cid = _busiest_customer(demo_url)
    engine = make_engine(demo_url)
    expected = customer_timeline(engine, reader(), cid, OFFICE_TZ)
    engine.dispose()
    at = open_customer(sign_in_as, cid, lang, Role.MANAGER)
    assert not at.exception
    assert at.tabs[0].label == t("tl.tab", lang)
    table = _timeline(at)
    assert len(table) == min(expected.total, 25)
    assert list(table[t("tl.kind", lang)]) == [t(f"enum.TimelineKind.{r['kind'].value}", lang)
                                               for r in expected.rows]


def test_the_kind_filter_narrows_the_timeline_to_complaints(sign_in_as, demo_url):
    cid = _busiest_customer(demo_url)
    at = open_customer(sign_in_as, cid, "en", Role.MANAGER)
    at.multiselect(key="tl_kinds").set_value([TimelineKind.COMPLAINT]).run()
    assert not at.exception
    assert set(_timeline(at)[t("tl.kind", "en")]) == {t("enum.TimelineKind.complaint", "en")}


def test_a_click_on_a_complaint_opens_the_complaint(sign_in_as, demo_url):
    cid = _busiest_customer(demo_url)
    engine = make_engine(demo_url)
    first = customer_timeline(engine, reader(), cid, OFFICE_TZ, TimelineFilter((TimelineKind.COMPLAINT,))).rows[0]
    engine.dispose()
    at = open_customer(sign_in_as, cid, "en", Role.MANAGER)
    at.multiselect(key="tl_kinds").set_value([TimelineKind.COMPLAINT]).run()
    at.session_state[ROWS] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    assert at.query_params["id"] == str(first["id"])
    assert not [d for d in at.dataframe if d.key == ROWS]  # the complaint's page in place of the customer's
    assert at.title[0].value == t("nav.complaints", "en")


def test_the_kind_filter_offers_only_the_kinds_the_role_reads(sign_in_as, demo_url):
    """KIND_READ: the specialist reads every kind (not the re-checks among callbacks: the use-case tests);
    the director has no incoming-call register, so no incoming calls."""
    cid = _busiest_customer(demo_url)
    at = open_customer(sign_in_as, cid, "en", Role.SPECIALIST)
    assert not at.exception
    assert set(at.multiselect(key="tl_kinds").options) == {t(f"enum.TimelineKind.{k.value}", "en")
                                                          for k in TimelineKind}
    at_director = open_customer(sign_in_as, cid, "en", Role.DIRECTOR)
    assert t("enum.TimelineKind.incoming", "en") not in at_director.multiselect(key="tl_kinds").options


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_incomplete_record_says_what_is_missing_and_that_it_is_overdue(sign_in_as, demo_url, lang):
    cid = _busiest_customer(demo_url)
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        s.execute(update(Customer).where(Customer.id == cid).values(city=None, archive_complete_at=None))
    engine.dispose()
    at = open_customer(sign_in_as, cid, lang, Role.MANAGER)
    assert not at.exception
    box = [e.value for e in (*at.warning, *at.info)]
    assert any(as_read(v).startswith(t("tl.archive_overdue", lang).split("{")[0]) for v in box)
    assert as_read(next(c.value for c in at.caption if t("cu.city", lang) in as_read(c.value))) == t(
        "tl.missing", lang, fields=t("cu.city", lang))


def test_my_work_lists_the_specialists_incomplete_records(sign_in_as, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        me = s.scalar(select(User.id).where(User.role == Role.SPECIALIST).order_by(User.id).limit(1))
        cid = _busiest_of(s, me)
        s.execute(update(Customer).where(Customer.id == cid).values(address=None, archive_complete_at=None))
        code = s.scalar(select(Customer.code).where(Customer.id == cid))
    engine.dispose()
    sign_in_as(Role.SPECIALIST)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any(h.value.endswith(t("tl.mine", "en")) for h in at.markdown)
    assert any(code in as_read(link.label) for link in at.get("page_link"))


def _busiest_of(s, specialist_id: int) -> int:
    """A customer of `specialist_id` with a product delivered long ago."""
    from db.models import Product
    return s.scalar(select(Customer.id).join(Product, Product.customer_id == Customer.id)
                    .where(Customer.specialist_id == specialist_id, Product.delivery_date.is_not(None))
                    .order_by(Product.delivery_date, Customer.id).limit(1))
