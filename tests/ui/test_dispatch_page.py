"""The Dispatch page (WO-3) as the manager drives it: the undispatched orders with each engineer's load beside
the choice; dispatching an order takes it off the board and records who and when; the page is the
dispatcher's alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.work_orders import board
from db.engine import make_engine, session_scope
from db.enums import Role, WorkOrderStatus
from db.models import Customer, User, WorkOrder, WorkOrderEvent
from tests.factories import make_work_order
from tests.helpers import as_read
from tests.ui.conftest import APP, DEMO_NOW


@pytest.fixture
def waiting_order(demo_url) -> int:
    """A new order taken in an hour ago, in the demo office's copy: late past the five-minute target."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        desk = s.scalars(select(User).where(User.role == Role.SPECIALIST)).first()
        customer = s.scalars(select(Customer).order_by(Customer.id)).first()
        order = make_work_order(s, customer, desk, number="WO-BOARD-TEST", intake_at=DEMO_NOW - timedelta(hours=1))
        order_id = order.id
    engine.dispose()
    return order_id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_board_shows_the_waiting_orders_and_the_technicians_loads(open_page, waiting_order, lang):
    at = open_page("pages/dispatch.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.dispatch", lang)
    assert at.selectbox(key=f"tech_{waiting_order}").options
    assert any("WO\\-BOARD\\-TEST" in m.value for m in at.markdown)
    assert len(at.dataframe) == 1  # the loads table


def test_dispatching_an_order_takes_it_off_the_board_and_records_who_and_when(open_page, demo_url, waiting_order):
    at = open_page("pages/dispatch.py")
    box = at.selectbox(key=f"tech_{waiting_order}")
    technician = box.options[-1]
    box.select(technician).run()
    at.button(key=f"dispatch_{waiting_order}").click().run()
    assert not at.exception
    assert not at.error
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        order = s.get(WorkOrder, waiting_order)
        assert order.status == WorkOrderStatus.DISPATCHED and order.dispatched_at is not None
        assert order.dispatched_by_id is not None and order.technician_id is not None
    engine.dispose()
    assert f"tech_{waiting_order}" not in [b.key for b in at.selectbox]


def test_an_engineer_running_the_page_script_is_refused_before_the_board(sign_in_as):
    sign_in_as(Role.ENGINEER)
    at = AppTest.from_file(str(Path(APP).parent / "pages" / "dispatch.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value == t("error.forbidden", "en")
    assert not at.selectbox


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_board_cut_at_its_limit_says_how_many_it_shows_of_all(open_page, demo_url, waiting_order, monkeypatch,
                                                                  lang):
    """Issue 12 review: the board shows at most BOARD_MAX orders and says how many of all, never cutting off
    silently."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        total = s.scalar(select(func.count()).where(WorkOrder.status == WorkOrderStatus.NEW))
    engine.dispose()
    monkeypatch.setattr(board, "BOARD_MAX", 1)
    at = open_page("pages/dispatch.py", lang)
    assert not at.exception
    said = t("wo.scope.board_showing", lang, shown=1, total=total)
    assert (said in [as_read(c.value) for c in at.caption]) == (total > 1)
    assert len([b for b in at.button if (b.key or "").startswith("dispatch_")]) == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_wait_reads_in_hours_and_minutes_and_a_dispatch_says_it_is_done(open_page, waiting_order, lang):
    """Issue 12 tour: an hour's wait reads "1 h 0 min" (not "60 min"); the dispatch leaves a success message."""
    at = open_page("pages/dispatch.py", lang)
    wait = t("wo.board.waiting", lang, wait=t("wo.fin2.wait_hours", lang, hours=1, minutes=0))
    assert any(wait in as_read(m.value) for m in at.markdown)
    at.button(key=f"dispatch_{waiting_order}").click().run()
    assert not at.exception and not at.error
    assert any("WO-BOARD-TEST" in as_read(m.value) for m in at.success)


def test_a_second_click_on_a_dispatched_order_says_who_dispatched_it(open_page, demo_url, waiting_order):
    """Issue 12 tour: the order dispatched meanwhile (a double click, another manager): the message says it was
    already dispatched and by whom, by display name, not a bare conflict."""
    at = open_page("pages/dispatch.py")
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        other = s.scalars(select(User).where(User.role == Role.MANAGER, User.username != "manager")).first() or \
            s.scalars(select(User).where(User.role == Role.MANAGER)).first()
        order = s.get(WorkOrder, waiting_order)
        order.status, order.version = WorkOrderStatus.DISPATCHED, order.version + 1
        s.add(WorkOrderEvent(work_order_id=order.id, at=DEMO_NOW, user_id=other.id, from_status=WorkOrderStatus.NEW,
                             to_status=WorkOrderStatus.DISPATCHED, move="dispatch"))
        name = other.display_name
    engine.dispose()
    at.button(key=f"dispatch_{waiting_order}").click().run()
    assert not at.exception and not at.error
    said = t("wo.fin2.already_dispatched", "en", number="WO-BOARD-TEST", who=name)
    assert said in [as_read(m.value) for m in at.info]
