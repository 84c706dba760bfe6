"""From a chart's mark to its records (issue 14, K-1..K-4): every mark of today's six charts lists exactly the
records it counts (the total equals the mark's value), newest first, paged in SQL, with the chart's filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import kpi
from core.kpi import drill_page
from core.kpi.drill import DRILLS
from db.engine import session_scope
from db.enums import (
    CallbackStatus,
    CallOutcome,
    ComplaintChannel,
    ComplaintStatus,
    Satisfaction,
    ServiceType,
    WorkOrderStatus,
)
from tests.factories import NOW, make_attempt, make_callback, make_complaint, make_customer, make_user, make_work_order

TZ = "Asia/Shanghai"
F = kpi.KpiFilter(date(2026, 11, 2), date(2026, 11, 22))
TARGET = 5
H, MIN = timedelta(hours=1), timedelta(minutes=1)


@pytest.fixture
def office(engine):
    """A few records of every kind spread over the three weeks of F, and one outside it."""
    with session_scope(engine) as s:
        desk, tech = make_user(s), make_user(s, display_name="Tech Tom")
        c = make_customer(s, name="Ada")
        for days, status in enumerate([CallbackStatus.OPEN, CallbackStatus.COMPLETED, CallbackStatus.CANCELLED,
                                       CallbackStatus.COMPLETED, CallbackStatus.OPEN]):
            due = NOW - timedelta(days=3 * days)
            cb = make_callback(s, c, status=status, due_end=due, assignee_id=desk.id,
                               completed_at=due - H if status is CallbackStatus.COMPLETED else None)
            make_attempt(s, cb, desk, attempted_at=due - H, satisfaction=list(Satisfaction)[days % 3])
        make_attempt(s, cb, desk, attempted_at=NOW - H, outcome=CallOutcome.NOT_REACHED)
        for days, channel, status in [(1, ComplaintChannel.PHONE, ComplaintStatus.RECEIVED),
                                      (4, ComplaintChannel.PHONE, ComplaintStatus.CLOSED),
                                      (9, ComplaintChannel.LETTER, ComplaintStatus.RECEIVED),
                                      (40, ComplaintChannel.PHONE, ComplaintStatus.RECEIVED)]:
            make_complaint(s, c, desk, channel=channel, status=status, received_at=NOW - timedelta(days=days))
        for days, wait, status in [(0, 3 * MIN, WorkOrderStatus.DISPATCHED), (2, 10 * MIN, WorkOrderStatus.COMPLETED),
                                   (5, None, WorkOrderStatus.NEW), (9, 2 * H, WorkOrderStatus.PENDING),
                                   (12, 30 * MIN, WorkOrderStatus.COMPLETED), (30, None, WorkOrderStatus.NEW)]:
            intake = NOW - timedelta(days=days, minutes=30)
            make_work_order(s, c, desk, intake_at=intake, status=status, technician_id=tech.id,
                            service_type=ServiceType.PAID, dispatched_at=intake + wait if wait else None,
                            completed_at=intake + H if status is WorkOrderStatus.COMPLETED else None)
    return engine


def _marks(engine) -> list[tuple[str, dict, int]]:
    """(chart, pick, value) for every mark of the six charts, read from the KPI functions themselves."""
    weeks = kpi.callbacks_per_week(kpi.callback_weeks(kpi.callback_days(engine, F, TZ), F))
    intake, done = kpi.order_intake_days(engine, F, TZ, TARGET), kpi.order_done_days(engine, F, TZ)
    orders = kpi.work_orders_per_week(intake, done, F)
    answers = kpi.satisfaction_distribution(kpi.attempt_counts(kpi.attempt_days(engine, F, TZ)))
    marks = [("callbacks_per_week", {"week": w.isoformat(), "series": s}, n)
             for w, due, done in zip(weeks["week"], weeks["due"], weeks["done"], strict=True)
             for s, n in (("due", due), ("done", done))]
    marks += [("work_orders_per_week", {"week": w.isoformat(), "series": s}, n)
              for w, o, c in zip(orders["week"], orders["opened"], orders["completed"], strict=True)
              for s, n in (("opened", o), ("completed", c))]
    marks += [("satisfaction_distribution", {"satisfaction": str(r["satisfaction"])}, r["count"])
              for r in answers.to_dict("records")]
    marks += [("complaints_by_channel", {"channel": str(r["channel"]), "status": str(r["status"])}, r["count"])
              for r in kpi.complaints_by_channel(engine, F, TZ).to_dict("records")]
    marks += [("work_order_backlog", {"status": str(r["status"]), "age": r["age"]}, r["count"])
              for r in kpi.work_order_backlog(engine, F, NOW).to_dict("records")]
    marks += [("dispatch_time_distribution", {"bucket": b}, n)
              for b, n in kpi.dispatch_counts(intake, kpi.awaiting_dispatch(engine, F, TZ, NOW, TARGET)).items()]
    return marks


def test_every_mark_of_the_six_charts_lists_as_many_records_as_it_counts(office):
    marks = _marks(office)
    assert {chart for chart, _, _ in marks} <= set(DRILLS)  # the six charts; the areas test their own
    assert sum(n for _, _, n in marks) > 20 and any(n == 0 for _, _, n in marks)
    for chart, pick, value in marks:
        rows, total = DRILLS[chart](office, F, TZ, NOW, pick, 100, 0)
        assert (total, len(rows)) == (value, value), (chart, pick)


def test_a_drill_list_is_newest_first_paged_and_carries_the_record_fields(office):
    rows, total = DRILLS["complaints_by_channel"](office, F, TZ, NOW, {"channel": "phone", "status": "received"},
                                                  100, 0)
    assert total == 1 and rows[0]["kind"] == "complaint" and rows[0]["customer"] == "Ada"
    assert rows[0]["status"] == "received" and rows[0]["number"].startswith("CP")
    everything, total = DRILLS["work_orders_per_week"](office, kpi.KpiFilter(date(2026, 11, 16), date(2026, 11, 22)),
                                                       TZ, NOW, {"week": "2026-11-16", "series": "opened"}, 100, 0)
    assert total == 2 and [r["at"] for r in everything] == sorted((r["at"] for r in everything), reverse=True)
    assert {r["staff"] for r in everything} == {"Tech Tom"}
    first, _ = DRILLS["work_orders_per_week"](office, F, TZ, NOW, {"week": "2026-11-16", "series": "opened"}, 1, 1)
    assert first == everything[1:]


def test_a_mark_past_the_cap_is_counted_as_more_than_the_cap_and_still_lists_its_pages(office, monkeypatch):
    """Issue 14 (a drill-down list ≤ 100 ms): a total stops counting past CAP; below it, it stays exact."""
    pick = {"series": "opened"}
    everything, exact = DRILLS["work_orders_per_week"](office, F, TZ, NOW, pick, 100, 0)
    monkeypatch.setattr(drill_page, "CAP", 3)
    first, total = DRILLS["work_orders_per_week"](office, F, TZ, NOW, pick, 2, 0)
    second, _ = DRILLS["work_orders_per_week"](office, F, TZ, NOW, pick, 2, 2)
    assert exact == 5 and total == 4 and drill_page.more_than_cap(total)
    assert first + second == everything[:4]
    monkeypatch.setattr(drill_page, "CAP", 5)  # as many as the cap: exact
    _, total = DRILLS["work_orders_per_week"](office, F, TZ, NOW, pick, 2, 0)
    assert total == 5 and not drill_page.more_than_cap(total)


def test_without_a_week_a_weekly_drill_lists_the_whole_period_as_its_headline_counts_it(office):
    """K-1: the completion rate's "show records" lists the callbacks due in the period, its denominator."""
    weeks = kpi.callback_weeks(kpi.callback_days(office, F, TZ), F)
    _, due = DRILLS["callbacks_per_week"](office, F, TZ, NOW, {"series": "due"}, 10, 0)
    _, done = DRILLS["callbacks_per_week"](office, F, TZ, NOW, {"series": "done"}, 10, 0)
    assert (due, done) == (weeks["due"].sum(), weeks["done"].sum()) and due > done > 0
    assert kpi.callback_completion_rate(weeks) == done / due


def test_the_filter_narrows_the_records_as_it_narrows_the_chart(office):
    letters = kpi.KpiFilter(F.start, F.end, complaint_channels=(ComplaintChannel.LETTER,))
    _, total = DRILLS["complaints_by_channel"](office, letters, TZ, NOW, {"channel": "phone"}, 10, 0)
    assert total == 0


@pytest.mark.parametrize(("chart", "pick"), [
    ("callbacks_per_week", {"week": "not a day", "series": "due"}),
    ("callbacks_per_week", {"week": "2026-11-16", "series": "cancelled"}),
    ("callbacks_per_week", {"week": "2020-01-06", "series": "due"}),
    ("complaints_by_channel", {"channel": "pigeon"}),
    ("work_order_backlog", {"status": "completed"}),
    ("dispatch_time_distribution", {}),
], ids=["bad-week", "bad-series", "week-outside-range", "bad-channel", "closed-status", "no-bucket"])
def test_a_pick_the_chart_cannot_hold_is_refused(office, chart, pick):
    with pytest.raises(ValueError):
        DRILLS[chart](office, F, TZ, NOW, pick, 10, 0)
