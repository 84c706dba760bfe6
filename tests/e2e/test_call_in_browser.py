"""One call worked end to end in a real browser, in Chinese: a specialist opens a due callback, takes
it, records a reached and satisfied customer with a verbatim suggestion, and the call is stored. The
callback is made by the test, due now by the served app's clock (the demo office's day is pinned)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.i18n import enum_label, t
from db.engine import make_engine, session_scope
from db.enums import CallbackStatus, CallOutcome, Role, Satisfaction
from db.models import CallAttempt, Callback, Customer, User
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled
from tests.factories import make_callback, make_customer
from ui.clock import read_clock

pytestmark = pytest.mark.e2e
SUGGESTION = "希望周末也能上门服务 <b>谢谢</b>"


def _new_due_callback_of(url: str, username: str) -> int:
    """A new customer of `username` with one open L1 callback, due since an hour ago by the clock the served
    app reads too (ui.clock.read_clock, the machine's)."""
    now = read_clock()
    engine = make_engine(url)
    with session_scope(engine) as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
        n = s.scalar(select(func.count()).select_from(Customer))
        joined = now - timedelta(days=30)
        customer = make_customer(s, code=f"EC{n:06d}", phone=f"1991{n:07d}", specialist_id=user_id,
                                 created_at=joined, updated_at=joined)
        cid = make_callback(s, customer, assignee_id=user_id, due_start=now - timedelta(hours=1),
                            due_end=now + timedelta(days=6), created_at=now - timedelta(hours=1)).id
    engine.dispose()
    return cid


def _radio(page, label: str, option: str) -> None:
    page.get_by_role("radiogroup", name=label).get_by_text(option, exact=True).click()


def test_a_specialist_works_one_call_end_to_end_in_chinese(served_app, e2e_db_url, new_tab):
    cid = _new_due_callback_of(e2e_db_url, "specialist1")
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    sign_in(page, served_app, Role.SPECIALIST)
    heading(page, t("nav.my_work", "zh")).wait_for(timeout=60_000)
    page.goto(f"{served_app}/callbacks?id={cid}")
    page.get_by_role("button", name=t("callscreen.take", "zh")).click()
    heading(page, t("nav.call", "zh")).wait_for(timeout=60_000)
    settled(page)
    _radio(page, t("callscreen.outcome", "zh"), enum_label(CallOutcome.REACHED, "zh"))
    settled(page)
    _radio(page, t("callscreen.satisfaction", "zh"), enum_label(Satisfaction.SATISFIED, "zh"))
    _radio(page, t("callscreen.score", "zh"), "5")
    page.get_by_label(t("callscreen.suggestions", "zh")).fill(SUGGESTION)
    page.get_by_role("button", name=t("callscreen.save", "zh")).click()
    heading(page, t("nav.callbacks", "zh")).wait_for(timeout=60_000)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    engine = make_engine(e2e_db_url)
    with session_scope(engine) as s:
        callback = s.get(Callback, cid)
        attempt = s.scalars(select(CallAttempt).where(CallAttempt.callback_id == cid)
                            .order_by(CallAttempt.id.desc())).first()
        assert callback.status == CallbackStatus.COMPLETED
        assert (attempt.outcome, attempt.satisfaction, attempt.score) == \
            (CallOutcome.REACHED, Satisfaction.SATISFIED, 5)
        assert attempt.suggestions == SUGGESTION
    engine.dispose()
