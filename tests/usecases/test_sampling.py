"""CB-4 re-check sampling against a real database: the week's populations (L2 delivered or complaining,
L3 active plus the archive's rotating slice, invalid records left out), one RECHECK callback per sampled
customer for the manager or the director, a second draw that changes nothing, coverage and audit rows."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from core.errors import Forbidden
from core.rechecks.queries import coverage
from core.rechecks.rules import draw, seed_of
from core.rechecks.services import draw_period_samples
from db.engine import session_scope
from db.enums import ArchiveValidity, CallbackKind, CallbackStatus, Role
from db.models import Callback, RecheckSample
from tests.factories import (
    NOW,
    actor_of,
    make_complaint,
    make_customer,
    make_product,
    make_user,
    make_work_order,
    reader,
    utc,
)
from tests.helpers import audit_mark, audit_since, restoring_settings, set_setting

TZ = "Asia/Shanghai"
DAY = date(2026, 11, 20)  # 2026-W47: Monday 16 .. Sunday 22 November
OLD = datetime(2025, 3, 1, tzinfo=UTC)
BASE = 52 * 16_000_000  # explicit customer ids, so the L3 slice (id % 52 == 46 in week 47) is known
_n = itertools.count(1)


def customer(s, in_slice: bool = False, **kw):
    return make_customer(s, id=BASE + 52 * next(_n) + (46 if in_slice else 7), created_at=OLD, **kw)


def office(engine) -> dict:
    """Staff, 18 customers delivered to this week, complaints around the week's edges, a work order, quiet
    customers in and out of this week's slice, and invalid records."""
    with session_scope(engine) as s:
        make_user(s, role=Role.MANAGER, active=False)
        manager, director = make_user(s, role=Role.MANAGER), make_user(s, role=Role.DIRECTOR)
        make_user(s, role=Role.MANAGER)
        make_user(s, role=Role.DIRECTOR)
        delivered = [customer(s) for _ in range(18)]
        for i, c in enumerate(delivered):
            make_product(s, c, delivery_date=date(2026, 11, 16 + i % 7))
        make_product(s, customer(s), delivery_date=date(2026, 11, 15))  # last week
        complained = [delivered[0], customer(s), customer(s, validity=ArchiveValidity.INVALID)]
        make_complaint(s, complained[0], manager, received_at=utc(2026, 11, 18, 2))
        make_complaint(s, complained[1], manager, received_at=utc(2026, 11, 15, 16, 30))  # Mon 00:30 office
        make_complaint(s, complained[2], manager, received_at=utc(2026, 11, 22, 15, 59))  # Sun 23:59 office
        make_complaint(s, customer(s), manager, received_at=utc(2026, 11, 15, 15, 59))  # Sun 23:59 last week
        repaired = customer(s)
        make_work_order(s, repaired, manager, intake_at=utc(2026, 11, 17, 3))
        slice_ = [customer(s, in_slice=True) for _ in range(4)]
        customer(s, in_slice=True, validity=ArchiveValidity.INVALID)
        customer(s)
        newcomer = make_customer(s, id=BASE + 52 * next(_n) + 3, created_at=utc(2026, 11, 19, 1))
        l2 = sorted(c.id for c in delivered + complained[1:])
        l3 = sorted({*l2, repaired.id, *(c.id for c in slice_), newcomer.id} - {complained[2].id})
        return {"manager": manager.id, "director": director.id, "l2": l2, "l3": l3,
                "manager_actor": actor_of(manager), "specialist": actor_of(make_user(s))}


def recheck_callbacks(engine) -> list[dict]:
    with session_scope(engine) as s:
        rows = s.execute(select(Callback.customer_id, Callback.level, Callback.kind, Callback.assignee_id,
                                Callback.due_start, Callback.due_end, Callback.source_key, Callback.sample_id,
                                Callback.status).order_by(Callback.level, Callback.customer_id)).mappings()
        return [dict(r) for r in rows]


def test_drawing_a_week_samples_its_populations_reproducibly_for_the_manager_and_the_director(engine):
    o = office(engine)
    drawn = draw_period_samples(engine, o["manager_actor"], DAY, NOW, TZ)
    assert {lv: (r["period"], r["population"], r["target_rate_pct"], r["seed"], r["sampled"], r["created"])
            for lv, r in drawn.items()} == {
        "L2": ("2026-W47", 20, 10, seed_of("2026-W47"), 2, True),
        "L3": ("2026-W47", 25, 5, seed_of("2026-W47"), 2, True)}
    l2, l3 = draw(o["l2"], o["l3"], 10, 5, seed_of("2026-W47"))
    rows = recheck_callbacks(engine)
    assert [(r["level"], r["customer_id"]) for r in rows] == [("L2", c) for c in l2] + [("L3", c) for c in l3]
    window = (utc(2026, 11, 19, 16), utc(2026, 11, 22, 15, 59, 59))  # today .. Sunday, office time
    for r in rows:
        level = r["level"].value
        assert (r["kind"], r["status"], (r["due_start"], r["due_end"])) == (CallbackKind.RECHECK, "open", window)
        assert r["assignee_id"] == o["manager" if level == "L2" else "director"]
        assert r["source_key"] == f"recheck:{level}:2026-W47:{r['customer_id']}"
        assert r["sample_id"] == drawn[level]["id"]


def test_drawing_again_returns_the_stored_sample_and_creates_nothing(engine):
    o = office(engine)
    first = draw_period_samples(engine, None, DAY, NOW, TZ)
    before, mark = recheck_callbacks(engine), audit_mark(engine)
    with session_scope(engine) as s:  # late data: the population grows after the draw
        make_product(s, customer(s), delivery_date=date(2026, 11, 21))
    again = draw_period_samples(engine, o["manager_actor"], date(2026, 11, 22), NOW, TZ)
    assert again == {lv: r | {"created": False} for lv, r in first.items()}
    assert recheck_callbacks(engine) == before
    assert audit_since(engine, mark) == []
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(RecheckSample)) == 2


def test_each_drawn_sample_leaves_one_audit_row(engine):
    o = office(engine)
    mark = audit_mark(engine)
    drawn = draw_period_samples(engine, o["manager_actor"], DAY, NOW, TZ)
    rows = audit_since(engine, mark)
    assert [(r["entity"], r["entity_id"], r["action"], r["user_id"]) for r in rows] == [
        ("recheck_sample", str(drawn[lv]["id"]), "create", o["manager"]) for lv in ("L2", "L3")]
    assert rows[0]["changes"]["population"] == [None, 20]
    assert rows[1]["changes"]["_"] == {"target": 2, "shortfall": 0}


def test_coverage_counts_the_sampled_the_completed_and_the_target(engine):
    office(engine)
    draw_period_samples(engine, None, DAY, NOW, TZ)
    with session_scope(engine) as s:
        first = s.scalar(select(func.min(Callback.id)).where(Callback.level == "L2"))
        s.execute(update(Callback).where(Callback.id == first).values(status=CallbackStatus.COMPLETED,
                                                                      completed_at=NOW))
    assert coverage(engine, reader(), "2026-W47") == {
        "L2": {"drawn": True, "sampled": 2, "completed": 1, "target": 2, "population": 20, "rate_pct": 10,
               "rate_done": 0.5, "achieved_pct": 5.0},
        "L3": {"drawn": True, "sampled": 2, "completed": 0, "target": 2, "population": 25, "rate_pct": 5,
               "rate_done": 0.0, "achieved_pct": 0.0}}


def test_a_period_not_drawn_has_no_coverage_rate(engine):
    assert coverage(engine, reader(), "2026-W01")["L2"] == {"drawn": False, "sampled": 0, "completed": 0, "target": 0,
                                                  "population": 0, "rate_pct": None, "rate_done": None,
                                                  "achieved_pct": None}


def test_a_monthly_period_uses_the_month_and_the_rates_set_by_the_admin(engine):
    """November also holds the week before W47: its delivery and its complaint join the 20 of W47."""
    office(engine)
    with restoring_settings(engine, "recheck.period", "recheck.l2_rate_pct"):
        set_setting(engine, "recheck.period", "month")
        set_setting(engine, "recheck.l2_rate_pct", 50)
        drawn = draw_period_samples(engine, None, DAY, NOW, TZ)
    assert (drawn["L2"]["period"], drawn["L2"]["population"], drawn["L2"]["sampled"]) == ("2026-11", 22, 11)
    assert {r["due_end"] for r in recheck_callbacks(engine)} == {utc(2026, 11, 30, 15, 59, 59)}


def test_a_specialist_may_not_draw_the_samples(engine):
    o = office(engine)
    with pytest.raises(Forbidden):
        draw_period_samples(engine, o["specialist"], DAY, NOW, TZ)
    assert recheck_callbacks(engine) == []
