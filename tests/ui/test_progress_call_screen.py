"""WO-11 on the call screen: a progress call says its order's number, current state and reason in the
specialist's language, read from the order as it stands (the stored purpose is only the number)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from core.callbacks.services import claim
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import CallbackKind, CallbackStatus, PendingReason, Role, WorkOrderStatus
from db.models import Callback, User
from tests.factories import make_callback, make_customer, make_work_order


def _held_progress_call(demo_url, now) -> str:
    """specialist1 holds a progress call of a new customer's order waiting for parts; returns its number."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == DEMO_ACCOUNTS[Role.SPECIALIST]))
        s.execute(update(Callback).where(Callback.claimed_by_id == user.id,
                                         Callback.status == CallbackStatus.IN_PROGRESS)
                  .values(status=CallbackStatus.OPEN, claimed_by_id=None, claimed_at=None))
        customer = make_customer(s, code="TPROG001", phone="19900000777", specialist_id=user.id)
        wo = make_work_order(s, customer, user, number="WO202611-PROG01", status=WorkOrderStatus.PENDING,
                             pending_reason=PendingReason.PARTS, pending_from=WorkOrderStatus.IN_REPAIR)
        cb = make_callback(s, customer, kind=CallbackKind.PROGRESS, assignee_id=user.id, work_order_id=wo.id,
                           purpose=wo.number, due_start=now - timedelta(hours=1), due_end=now + timedelta(days=1))
        me, cb_id = actor_of(user), cb.id
    claim(engine, me, cb_id, now)
    engine.dispose()
    return "WO202611-PROG01"


def test_a_progress_calls_purpose_is_said_in_chinese_from_the_orders_current_state(open_page, demo_url, now):
    number = _held_progress_call(demo_url, now)
    at = open_page("pages/call.py", "zh", Role.SPECIALIST)
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")
    expected = t("wo.progress.purpose_reason", "zh", number=number,
                 status=t("enum.WorkOrderStatus.pending", "zh"), reason=t("enum.PendingReason.parts", "zh"))
    assert expected in shown
    assert "pending" not in shown and "parts" not in shown  # no raw stored value
