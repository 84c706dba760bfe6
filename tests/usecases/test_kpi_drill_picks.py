"""Issue 14's drill-down contract, one rule for every chart: a pick the chart cannot hold (a hand-edited or
stale link) is refused with ValueError (core.kpi.drill_page), never KeyError nor an empty list by accident;
a person's pick cannot widen the dashboard's staff filter (K-6); pages of attempts neither skip nor repeat one."""

from datetime import date, timedelta

import pytest

from core.kpi.drill import DRILLS
from core.kpi.drill_calls import specialist_view, technician_view
from core.kpi.sql import KpiFilter
from db.engine import session_scope
from db.enums import CallOutcome, Satisfaction
from tests.factories import NOW, make_attempt, make_callback, make_customer, make_user

TZ = "Asia/Shanghai"
F = KpiFilter(date(2026, 10, 1), date(2026, 11, 30))
NOT_A_MONDAY, OUTSIDE, LAST_DAY = "2026-11-17", "2020-01-06", "9999-12-27"  # LAST_DAY: its Sunday overflows

# every chart's picks no mark has: a bad enum (or other) value, and a bad week where the chart has weeks
BAD = {
    "callbacks_per_week": [{"week": NOT_A_MONDAY, "series": "due"}, {"week": OUTSIDE, "series": "due"},
                           {"week": "2026-11-16", "series": "late"}],
    "satisfaction_distribution": [{"satisfaction": "ecstatic"}, {}],
    "complaints_by_channel": [{"channel": "pigeon"}, {"channel": "phone", "status": "lost"}],
    "work_orders_per_week": [{"week": NOT_A_MONDAY, "series": "opened"}, {"week": "x", "series": "opened"},
                             {"week": LAST_DAY, "series": "opened"}, {"week": "9999-12-31", "series": "opened"},
                             {"week": "2026-11-16", "series": "lost"}],
    "work_order_backlog": [{"status": "completed"}, {"status": "pending", "age": "ancient"}],
    "dispatch_time_distribution": [{"bucket": "soon"}],
    "callback_rates_by_kind": [{"kind": "nope", "level": "normal"}, {"level": "normal"}],
    "callbacks_on_time": [{"series": "late"}],
    "call_attempts": [{"outcome": "hung_up_on"}],
    "scored_calls": [{"scored": "no"}],
    "dissatisfaction_reasons": [{}],
    "qa_score_per_specialist": [{"caller": "abc"}, {}],
    "recheck_coverage": [{"period": "2026-11", "level": "nope"}, {"period": "2026-11"},
                         {"period": "2026-11", "level": "normal", "series": "late"}],
    "specialist_view": [{"user": "x"}, {}],
    "technician_view": [{"technician": "-1"}, {}],
    "complaints_by_model": [{}],
    "complaints_by_cause": [{"cause": "weather"}],
    "pending_reasons": [{"reason": "lunch"}],
    "revenue_per_week": [{"week": NOT_A_MONDAY}, {"week": OUTSIDE}, {"week": "x"}, {"week": LAST_DAY}],
    "average_dispatch_time": [],
    "lead_funnel_per_week": [{"week": NOT_A_MONDAY, "stage": "sales"}, {"week": OUTSIDE, "stage": "sales"},
                             {"week": "2026-11-16", "stage": "bribes"}],
    "lead_funnel_per_specialist": [{"user_id": "x", "stage": "sales"}, {"user_id": "1", "stage": "bribes"}],
    "lead_funnel_per_weekday": [{"weekday": "7", "stage": "sales"}],
    "lead_follow_ups_on_schedule": [{"lead_class": "D", "on_time": "yes"}, {"lead_class": "A", "on_time": "late"}],
    "lead_sales_amount": [{"stage": "dialed"}],
    "lead_conversion_rate": [{"stage": "dialed"}],
}
SHARES = [c for c in DRILLS if c.startswith("complaint_") or c == "complaints_closed_by_deadline"]
CASES = [(chart, {"x": "1"}) for chart in sorted(DRILLS)] + [
    (chart, pick) for chart, picks in {**BAD, **{c: [{"part": "half"}] for c in SHARES}}.items() for pick in picks]


def test_every_chart_has_its_bad_picks_listed():
    assert set(BAD) | set(SHARES) == set(DRILLS)


@pytest.mark.parametrize(("chart", "pick"), CASES, ids=[f"{c}-{'-'.join(p.values()) or 'empty'}" for c, p in CASES])
def test_a_pick_the_chart_cannot_hold_is_refused_with_value_error(engine, chart, pick):
    with pytest.raises(ValueError):
        DRILLS[chart](engine, F, TZ, NOW, pick, 10, 0)


@pytest.mark.parametrize(("view", "key"), [(specialist_view, "user"), (technician_view, "technician")])
def test_a_persons_pick_cannot_widen_the_staff_filter(engine, view, key):
    """K-6: the dashboard filtered to one person lists nobody else's records from a hand-edited pick."""
    with session_scope(engine) as s:
        one, other = make_user(s).id, make_user(s).id
    with pytest.raises(ValueError):
        view(engine, KpiFilter(F.start, F.end, staff_id=one), TZ, NOW, {key: str(other)}, 10, 0)
    assert view(engine, KpiFilter(F.start, F.end, staff_id=one), TZ, NOW, {key: str(one)}, 10, 0) == ([], 0)


def test_pages_of_attempts_at_one_instant_on_one_callback_neither_skip_nor_repeat(engine):
    """Attempts of one callback share its id: the attempt's own id breaks the tie, so paging is stable."""
    at = NOW - timedelta(days=3)
    with session_scope(engine) as s:
        caller = make_user(s)
        callback = make_callback(s, make_customer(s), assignee_id=caller.id)
        made = {make_attempt(s, callback, caller, attempted_at=at, outcome=CallOutcome.REACHED,
                             satisfaction=Satisfaction.SATISFIED).id for _ in range(5)}
        callback_id = callback.id
    f = KpiFilter(at.date() - timedelta(days=1), at.date() + timedelta(days=1))
    pages = [DRILLS["satisfaction_distribution"](engine, f, TZ, NOW, {"satisfaction": "satisfied"}, 2, o)
             for o in (0, 2, 4)]
    assert all(total == 5 for _, total in pages)
    rows = [r for page, _ in pages for r in page]
    assert len(rows) == 5 and {r["id"] for r in rows} == {callback_id} and len(made) == 5
