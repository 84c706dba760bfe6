"""The daily jobs: the first run of an office day sweeps callbacks (CB-2) and draws the period's
re-check samples (CB-4); a second run the same day changes nothing. The last sweep is read from the
append-only audit log, which outlives each test, so this test lives in its own far-off year."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from core.scheduling.daily import run_daily
from db.engine import session_scope
from db.enums import CallbackKind, CallbackLevel, Role
from db.models import Callback, RecheckSample
from tests.factories import make_customer, make_product, make_user

TZ = "Asia/Shanghai"
NOW = datetime(2031, 3, 5, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai


def _callbacks(engine, *where) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Callback).where(*where))


def test_the_first_run_of_a_day_owes_the_new_customer_call_and_samples_last_week_and_a_second_run_changes_nothing(
        engine):
    with session_scope(engine) as s:
        manager = make_user(s, role=Role.MANAGER)
        make_user(s, role=Role.DIRECTOR)
        specialist = make_user(s, role=Role.SPECIALIST)
        customer = make_customer(s, specialist_id=specialist.id)
        make_product(s, customer, purchase_date=date(2031, 2, 24), effective_date=date(2031, 2, 25),
                     delivery_date=date(2031, 3, 1))  # delivered last week: sampled for this week's re-check
        manager_id, customer_id = manager.id, customer.id

    assert run_daily(engine, NOW, TZ) is not None
    assert _callbacks(engine, Callback.kind == CallbackKind.NEW_CUSTOMER, Callback.customer_id == customer_id) == 1
    with session_scope(engine) as s:
        l2_assignees = s.scalars(select(Callback.assignee_id).where(Callback.level == CallbackLevel.L2)).all()
        levels = set(s.scalars(select(RecheckSample.level)).all())
    assert l2_assignees == [manager_id]  # last week's only delivered customer: at least 10% → one L2 call
    assert levels == {CallbackLevel.L2, CallbackLevel.L3}
    before = _callbacks(engine)

    assert run_daily(engine, NOW.replace(hour=8), TZ) is None  # same office day: the sweep does not run again
    assert _callbacks(engine) == before  # and the period's samples are not drawn twice
