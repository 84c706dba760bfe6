"""Campaigns (CB-2 questionnaire and maintenance calls): the manager's filter picks the customers, each
gets one callback in the window, planning again adds nothing twice, wrong numbers (C-3) are skipped."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.customers.queries import CustomerFilter
from core.errors import Forbidden, Invalid
from core.permissions import Actor
from core.scheduling.campaigns import Campaign, plan_campaign
from db.engine import session_scope
from db.enums import ArchiveValidity, CallbackKind, CustomerGrade, Role
from db.models import Callback
from tests.factories import NOW, make_customer, make_user

TZ = "Asia/Shanghai"


def _office(engine):
    with session_scope(engine) as s:
        manager = make_user(s, role=Role.MANAGER)
        specialist = make_user(s, role=Role.SPECIALIST)
        vip = make_customer(s, grade=CustomerGrade.VIP, specialist_id=specialist.id)
        make_customer(s, grade=CustomerGrade.VIP, validity=ArchiveValidity.INVALID)
        make_customer(s, grade=CustomerGrade.NORMAL)
        return Actor(manager.id, manager.username, "M", Role.MANAGER), specialist.id, vip.id


def _campaign(**kw) -> Campaign:
    return Campaign(**{"kind": CallbackKind.QUESTIONNAIRE, "name": "2026 winter survey",
                       "first_day": date(2026, 11, 23), "last_day": date(2026, 11, 30),
                       "customers": CustomerFilter(grades=(CustomerGrade.VIP,))} | kw)


def test_the_filter_picks_the_customers_and_wrong_numbers_are_left_out(engine):
    manager, specialist_id, vip_id = _office(engine)
    assert plan_campaign(engine, manager, _campaign(), NOW, TZ) == 1
    with session_scope(engine) as s:
        rows = s.execute(select(Callback.customer_id, Callback.assignee_id, Callback.kind, Callback.purpose)).all()
    assert rows == [(vip_id, specialist_id, CallbackKind.QUESTIONNAIRE, "2026 winter survey")]


def test_planning_the_same_campaign_again_creates_nothing_twice(engine):
    manager, _, _ = _office(engine)
    plan_campaign(engine, manager, _campaign(), NOW, TZ)
    assert plan_campaign(engine, manager, _campaign(), NOW, TZ) == 0


def test_only_a_manager_plans_campaigns(engine):
    _office(engine)
    with pytest.raises(Forbidden):
        plan_campaign(engine, Actor(1, "s", "S", Role.SPECIALIST), _campaign(), NOW, TZ)


@pytest.mark.parametrize("bad", [{"kind": CallbackKind.BIRTHDAY}, {"name": " "},
                                 {"first_day": date(2026, 12, 5)}, {"last_day": date(2026, 11, 1)}])
def test_a_bad_campaign_is_refused_and_nothing_is_written(engine, bad):
    manager, _, _ = _office(engine)
    with pytest.raises(Invalid):
        plan_campaign(engine, manager, _campaign(**bad), NOW, TZ)
    with session_scope(engine) as s:
        assert s.scalars(select(Callback.id)).all() == []
