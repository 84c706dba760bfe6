"""KPIs K-1..K-4 on a pinned clock: exact numbers, office-week bucketing, None when there is no data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from core.i18n import catalog
from core.kpi import (
    KPIS,
    KpiFilter,
    attempt_counts,
    attempt_days,
    average_score,
    awaiting_dispatch,
    callback_completion_rate,
    callback_days,
    callback_on_time_rate,
    callback_weeks,
    callbacks_per_week,
    complaints_by_channel,
    complaints_closed_by_deadline,
    default_range,
    definition,
    dispatch_counts,
    dispatch_time_distribution,
    dispatch_within_target,
    order_done_days,
    order_intake_days,
    paid_service_revenue,
    reach_rate,
    satisfaction_distribution,
    staff,
    week_bounds,
    work_order_backlog,
    work_orders_per_week,
)
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackStatus,
    CallOutcome,
    ComplaintChannel,
    ComplaintStatus,
    CustomerGrade,
    Role,
    Satisfaction,
    ServiceType,
    WorkOrderStatus,
)
from tests.factories import (
    NOW,
    make_attempt,
    make_callback,
    make_complaint,
    make_customer,
    make_user,
    make_work_order,
)

TZ = "Asia/Shanghai"
WEEKS = KpiFilter(date(2026, 11, 2), date(2026, 11, 22))  # three office weeks: 11-02, 11-09, 11-16
MIN = timedelta(minutes=1)


def _weeks(frame, column) -> dict[date, object]:
    return dict(zip(frame["week"], frame[column], strict=True))


def _orders_per_week(engine, f: KpiFilter):
    return work_orders_per_week(order_intake_days(engine, f, TZ, 5), order_done_days(engine, f, TZ), f)


def _dispatch(engine, f: KpiFilter, target: int) -> dict[str, int]:
    return dispatch_counts(order_intake_days(engine, f, TZ, target), awaiting_dispatch(engine, f, TZ, NOW, target))


def _revenue(engine, f: KpiFilter) -> int | None:
    return paid_service_revenue(order_done_days(engine, f, TZ))


def test_the_default_range_is_the_last_twelve_weeks_ending_today():
    assert default_range(date(2026, 11, 20)) == (date(2026, 8, 31), date(2026, 11, 20))


def test_an_order_taken_just_after_midnight_in_shanghai_counts_in_the_new_week(engine):
    """K-4: 2026-11-15 16:30 UTC is Monday 2026-11-16 00:30 in Shanghai; 15:59 UTC is still Sunday."""
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        make_work_order(s, c, desk, intake_at=datetime(2026, 11, 15, 16, 30, tzinfo=UTC))
        make_work_order(s, c, desk, intake_at=datetime(2026, 11, 15, 15, 59, tzinfo=UTC))
    expected = {date(2026, 11, 2): 0, date(2026, 11, 9): 1, date(2026, 11, 16): 1}
    assert _weeks(_orders_per_week(engine, WEEKS), "opened") == expected
    every_grade = KpiFilter(WEEKS.start, WEEKS.end, grades=tuple(CustomerGrade))  # one pass, CASE-bucketed
    assert _weeks(_orders_per_week(engine, every_grade), "opened") == expected


def test_weeks_are_office_weeks_clipped_to_the_range_and_exact_across_daylight_saving():
    bounds = week_bounds(KpiFilter(date(2026, 3, 4), date(2026, 3, 10)), "Europe/Berlin")  # DST starts 03-29
    assert bounds == [
        (date(2026, 3, 2), datetime(2026, 3, 3, 23, tzinfo=UTC), datetime(2026, 3, 8, 23, tzinfo=UTC)),
        (date(2026, 3, 9), datetime(2026, 3, 8, 23, tzinfo=UTC), datetime(2026, 3, 10, 23, tzinfo=UTC)),
    ]
    summer = week_bounds(KpiFilter(date(2026, 3, 23), date(2026, 3, 29)), "Europe/Berlin")
    assert summer[0][1:] == (datetime(2026, 3, 22, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))


def test_orders_are_counted_completed_in_the_week_they_were_completed(engine):
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        make_work_order(s, c, desk, intake_at=datetime(2026, 10, 1, tzinfo=UTC), status=WorkOrderStatus.COMPLETED,
                        completed_at=datetime(2026, 11, 10, 3, tzinfo=UTC))
        make_work_order(s, c, desk, intake_at=datetime(2026, 11, 3, tzinfo=UTC))
    frame = _orders_per_week(engine, WEEKS)
    assert _weeks(frame, "completed") == {date(2026, 11, 2): 0, date(2026, 11, 9): 1, date(2026, 11, 16): 0}
    assert _weeks(frame, "opened") == {date(2026, 11, 2): 1, date(2026, 11, 9): 0, date(2026, 11, 16): 0}


def _callbacks(s, **kw):
    """Five callbacks due 2026-11-17 (week of 11-16): on time, late, open, not completed, cancelled."""
    c = kw.pop("customer", None) or make_customer(s)
    due = datetime(2026, 11, 17, 8, tzinfo=UTC)
    base = {"due_start": due - timedelta(days=3), "due_end": due} | kw
    make_callback(s, c, status=CallbackStatus.COMPLETED, completed_at=due - MIN, **base)
    make_callback(s, c, status=CallbackStatus.COMPLETED, completed_at=due + MIN, **base)
    make_callback(s, c, status=CallbackStatus.OPEN, **base)
    make_callback(s, c, status=CallbackStatus.NOT_COMPLETED, **base)
    make_callback(s, c, status=CallbackStatus.CANCELLED, **base)


def test_callback_completion_and_on_time_rates_count_due_callbacks_but_not_cancelled_ones(engine):
    """K-1, CB-3: 2 of 4 owed callbacks done, 1 of 4 on time."""
    with session_scope(engine) as s:
        _callbacks(s)
    weeks = callback_weeks(callback_days(engine, WEEKS, TZ), WEEKS)
    assert callback_completion_rate(weeks) == 0.5
    assert callback_on_time_rate(weeks) == 0.25
    frame = callbacks_per_week(weeks)
    assert _weeks(frame, "due") == {date(2026, 11, 2): 0, date(2026, 11, 9): 0, date(2026, 11, 16): 4}
    assert _weeks(frame, "done")[date(2026, 11, 16)] == 2
    assert _weeks(frame, "on_time")[date(2026, 11, 16)] == 1
    assert _weeks(frame, "completion_rate") == {date(2026, 11, 2): None, date(2026, 11, 9): None,
                                                date(2026, 11, 16): 0.5}


def test_every_rate_is_none_and_every_count_zero_when_there_is_no_data(engine):
    weeks = callback_weeks(callback_days(engine, WEEKS, TZ), WEEKS)
    attempts = attempt_counts(attempt_days(engine, WEEKS, TZ))
    dispatch = _dispatch(engine, WEEKS, 5)
    assert [callback_completion_rate(weeks), callback_on_time_rate(weeks), reach_rate(attempts),
            average_score(attempts), dispatch_within_target(dispatch)] == [None] * 5
    assert _revenue(engine, WEEKS) is None
    assert complaints_closed_by_deadline(engine, WEEKS, TZ, NOW) is None
    assert _orders_per_week(engine, WEEKS)[["opened", "completed"]].sum().tolist() == [0, 0]
    assert callbacks_per_week(weeks)["completion_rate"].tolist() == [None, None, None]
    assert dispatch_time_distribution(dispatch)["count"].tolist() == [0] * 5
    assert satisfaction_distribution(attempts).empty
    assert complaints_by_channel(engine, WEEKS, TZ).empty
    assert work_order_backlog(engine, WEEKS, NOW).empty


def test_staff_grade_and_kind_filters_narrow_the_callback_rates(engine):
    with session_scope(engine) as s:
        ann, vip = make_user(s), make_customer(s, grade=CustomerGrade.VIP)
        _callbacks(s, assignee_id=ann.id, kind=CallbackKind.AFTER_REPAIR)
        due = datetime(2026, 11, 10, tzinfo=UTC)  # week of 11-09, kind new_customer, nobody assigned
        make_callback(s, make_customer(s), status=CallbackStatus.OPEN, due_end=due)
        make_callback(s, make_customer(s), status=CallbackStatus.OPEN, due_end=due)
        make_callback(s, vip, status=CallbackStatus.COMPLETED, due_end=due, completed_at=due)
        ann_id = ann.id

    def rate(start=WEEKS.start, end=WEEKS.end, **kw):
        f = KpiFilter(start, end, **kw)
        return callback_completion_rate(callback_weeks(callback_days(engine, f, TZ), f))

    assert rate() == 3 / 7
    assert rate(staff_id=ann_id) == 0.5
    assert rate(grades=(CustomerGrade.VIP,)) == 1
    assert rate(callback_kinds=(CallbackKind.NEW_CUSTOMER,)) == 1 / 3
    assert rate(date(2026, 11, 16), date(2026, 11, 22)) == 0.5


def test_reach_rate_satisfaction_and_average_score_come_from_call_attempts(engine):
    """K-2, CB-6, CB-7: 3 of 4 attempts reached; scores 5, 4 and 2 average 11/3."""
    with session_scope(engine) as s:
        caller, other = make_user(s), make_user(s)
        cb = make_callback(s, make_customer(s))
        make_attempt(s, cb, caller, satisfaction=Satisfaction.SATISFIED, score=5)
        make_attempt(s, cb, caller, satisfaction=Satisfaction.SATISFIED, score=4)
        make_attempt(s, cb, other, satisfaction=Satisfaction.DISSATISFIED, score=2)
        make_attempt(s, cb, caller, outcome=CallOutcome.NOT_REACHED)
        make_attempt(s, cb, caller, attempted_at=datetime(2026, 10, 1, tzinfo=UTC), score=1)  # outside the range
        caller_id = caller.id
    counts = attempt_counts(attempt_days(engine, WEEKS, TZ))
    assert reach_rate(counts) == 0.75
    assert average_score(counts) == pytest.approx(11 / 3)
    dist = satisfaction_distribution(counts)
    assert dict(zip(dist["satisfaction"], dist["count"], strict=True)) == {
        "satisfied": 2, "neutral": 0, "dissatisfied": 1}
    mine = attempt_counts(attempt_days(engine, KpiFilter(WEEKS.start, WEEKS.end, staff_id=caller_id), TZ))
    assert (reach_rate(mine), average_score(mine)) == (2 / 3, 4.5)
    kinds = KpiFilter(WEEKS.start, WEEKS.end, callback_kinds=(CallbackKind.COMPLAINT,))
    assert reach_rate(attempt_counts(attempt_days(engine, kinds, TZ))) is None


def test_complaints_are_counted_by_channel_and_status_and_narrowed_by_channel(engine):
    """K-3, CP-1."""
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        make_complaint(s, c, desk, channel=ComplaintChannel.PHONE)
        make_complaint(s, c, desk, channel=ComplaintChannel.PHONE, status=ComplaintStatus.CLOSED)
        make_complaint(s, c, desk, channel=ComplaintChannel.LETTER)
    frame = complaints_by_channel(engine, WEEKS, TZ)
    assert sorted(map(tuple, frame.itertuples(index=False))) == [
        ("letter", "received", 1), ("phone", "closed", 1), ("phone", "received", 1)]
    letters = KpiFilter(WEEKS.start, WEEKS.end, complaint_channels=(ComplaintChannel.LETTER,))
    assert complaints_by_channel(engine, letters, TZ)["count"].sum() == 1


def test_complaints_closed_by_deadline_count_only_decided_complaints(engine):
    """K-3, CP-2: closed in time, closed late, open past its deadline → 1 of 3; open inside it is not decided."""
    deadline = NOW - timedelta(days=1)
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        make_complaint(s, c, desk, reply_deadline=deadline, closed_at=deadline - MIN)
        make_complaint(s, c, desk, reply_deadline=deadline, closed_at=deadline + MIN)
        make_complaint(s, c, desk, reply_deadline=deadline)
        make_complaint(s, c, desk, reply_deadline=NOW + timedelta(days=2))
        make_complaint(s, c, desk, reply_deadline=None, closed_at=NOW)
    assert complaints_closed_by_deadline(engine, WEEKS, TZ, NOW) == pytest.approx(1 / 3)


def test_dispatch_within_the_five_minute_target(engine):
    """K-4, WO-3: exactly 5 minutes is in time, 5 minutes and 1 second is not; an order still inside its
    target is not counted; an old undispatched one counts against."""
    t0 = datetime(2026, 11, 18, 2, tzinfo=UTC)
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        for delay in (timedelta(minutes=5), timedelta(minutes=5, seconds=1), timedelta(minutes=20), None):
            make_work_order(s, c, desk, intake_at=t0, dispatched_at=t0 + delay if delay else None)
        make_work_order(s, c, desk, intake_at=NOW - 2 * MIN)
    assert dispatch_within_target(_dispatch(engine, WEEKS, 5)) == 0.25
    assert dispatch_within_target(_dispatch(engine, WEEKS, 30)) == 0.75
    dist = dispatch_time_distribution(_dispatch(engine, WEEKS, 5))
    assert dict(zip(dist["bucket"], dist["count"], strict=True)) == {
        "within": 1, "x3": 1, "x12": 1, "later": 0, "not_dispatched": 1}


def test_the_staff_views_dispatch_rate_per_technician_has_the_headlines_denominator(engine):
    """K-6 with K-4 (WO-3): per technician, the orders still inside their target are left out of the
    dispatch-within-target rate as the headline leaves them out, so the staff view's rate of a technician is the
    headline's narrowed to them; one with only such orders has no rate (None), not 0."""
    from core.kpi import awaiting_dispatch_by_technician
    from core.kpi.staff_view import technician_view

    t0 = datetime(2026, 11, 18, 2, tzinfo=UTC)
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        ann, bob = make_user(s, role=Role.ENGINEER), make_user(s, role=Role.ENGINEER)
        made = [(ann.id, t0, t0 + 4 * MIN), (ann.id, t0, t0 + 9 * MIN), (ann.id, t0, None),
                (ann.id, NOW - 2 * MIN, None), (bob.id, NOW - MIN, None), (None, NOW - MIN, None)]
        for technician, intake, dispatched in made:
            make_work_order(s, c, desk, technician_id=technician, intake_at=intake, dispatched_at=dispatched)
        people = (ann.id, bob.id)
    # Plain Python over the rows made: dispatched, or undispatched although the 5 minutes have passed.
    decided = {p: [d for t, i, d in made if t == p and (d is not None or i < NOW - 5 * MIN)] for p in people}
    expected = {p: (sum(d - i <= 5 * MIN for t, i, d in made if t == p and d is not None) / len(decided[p])
                    if decided[p] else None) for p in people}
    awaiting = awaiting_dispatch_by_technician(engine, WEEKS, TZ, NOW, 5)
    assert awaiting == {ann.id: 1, bob.id: 1}
    view = technician_view(order_intake_days(engine, WEEKS, TZ, 5), order_done_days(engine, WEEKS, TZ),
                           attempt_days(engine, WEEKS, TZ), awaiting)
    rates = dict(zip(view["technician_id"], view["dispatch_within_target_rate"], strict=True))
    assert rates == {ann.id: pytest.approx(expected[ann.id]), bob.id: None} and expected[ann.id] == 1 / 3
    assert rates[ann.id] == pytest.approx(dispatch_within_target(_dispatch(engine, replace(WEEKS, staff_id=ann.id),
                                                                           5)))
    assert dict(zip(view["technician_id"], view["orders_opened"], strict=True)) == {ann.id: 4, bob.id: 1}
    # The bar's records are the denominator: Ann's three decided orders, Bob's none.
    from core.kpi.drill import DRILLS

    for person in people:
        rows, total = DRILLS["technician_view"](engine, WEEKS, TZ, NOW, {"technician": str(person)}, 25, 0)
        assert total == len(rows) == len(decided[person])


def test_the_backlog_counts_unfinished_orders_by_status_and_age_whatever_the_date_range(engine):
    """K-4, WO-7."""
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        make_work_order(s, c, desk, intake_at=NOW - timedelta(hours=2))
        make_work_order(s, c, desk, intake_at=NOW - timedelta(days=2), status=WorkOrderStatus.PENDING)
        make_work_order(s, c, desk, intake_at=NOW - timedelta(days=200), status=WorkOrderStatus.PENDING)
        make_work_order(s, c, desk, status=WorkOrderStatus.COMPLETED, completed_at=NOW)
    frame = work_order_backlog(engine, WEEKS, NOW)
    assert sorted(map(tuple, frame.itertuples(index=False))) == [
        ("new", "le_1d", 1), ("pending", "d1_3", 1), ("pending", "gt_7d", 1)]


def test_paid_service_revenue_sums_the_fees_of_paid_orders_completed_in_the_range(engine):
    """K-4, WO-8."""
    done = datetime(2026, 11, 12, tzinfo=UTC)
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        tech = make_user(s, role=Role.ENGINEER)
        make_work_order(s, c, desk, service_type=ServiceType.PAID, completed_at=done, fee_cents=10000,
                        technician_id=tech.id)
        make_work_order(s, c, desk, service_type=ServiceType.PAID, completed_at=done, fee_cents=2550)
        make_work_order(s, c, desk, service_type=ServiceType.WARRANTY, completed_at=done, fee_cents=999)
        make_work_order(s, c, desk, service_type=ServiceType.PAID, completed_at=done - timedelta(days=60),
                        fee_cents=5000)
        tech_id = tech.id
    assert _revenue(engine, WEEKS) == 12550
    assert _revenue(engine, KpiFilter(WEEKS.start, WEEKS.end, staff_id=tech_id)) == 10000
    warranty = KpiFilter(WEEKS.start, WEEKS.end, service_types=(ServiceType.WARRANTY,))
    assert _revenue(engine, warranty) is None


def test_the_staff_filter_offers_active_office_staff_but_not_finance(engine):
    with session_scope(engine) as s:
        spec = make_user(s, display_name="Ann")
        make_user(s, display_name="Bob", role=Role.FINANCE)
        make_user(s, display_name="Cy", role=Role.ENGINEER, active=False)
        spec_id = spec.id
    assert staff(engine) == {spec_id: "Ann"}


@pytest.mark.parametrize("name", sorted(KPIS))
def test_the_english_definition_shown_to_managers_is_the_kpi_docstring(name):
    """STYLE habit 3: the docstring is the definition."""
    assert " ".join(catalog("en")[f"kpi.def.{name}"].split()) == definition(name)
