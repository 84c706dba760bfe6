"""CB-2 / CB-11 due windows as pure rules, with a pinned clock: office days across midnight, month and
year ends, another office zone across daylight saving, 29 February birthdays and the holiday table;
and the planning that makes the sweep idempotent (a hypothesis property)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.office.defaults import DEFAULTS
from core.scheduling.rules import (
    Events,
    Existing,
    Planned,
    Windows,
    after_repair_call,
    birthday_call,
    birthday_in,
    complaint_call,
    day_start,
    first_call,
    holiday_call,
    holidays_between,
    missed_call_callback,
    new_customer_call,
    next_lead_follow_up,
    office_day,
    plan_callbacks,
    plan_wanted,
    rewindowed,
    wanted_callbacks,
)
from db.enums import CallbackKind, CallbackStatus, LeadClass, ServiceType
from tests.factories import utc

SH, BERLIN = "Asia/Shanghai", "Europe/Berlin"
W = Windows()
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


def test_the_default_windows_are_the_office_settings_cb_2():
    assert Windows.from_settings(DEFAULTS.__getitem__) == W == Windows(1, 7, 3, 7, 0)


def test_the_first_call_falls_on_the_whole_office_day_after_the_order_takes_effect_cb_2():
    p = first_call(12, 3, date(2026, 11, 20), SH, W)
    assert (p.source_key, p.kind, p.customer_id, p.product_id) == ("first:product:12", CallbackKind.FIRST, 3, 12)
    assert (p.due_start, p.due_end) == (utc(2026, 11, 20, 16), utc(2026, 11, 21, 15, 59, 59))


def test_the_new_customer_call_runs_from_the_day_after_delivery_to_delivery_plus_7_across_a_month_end_cb_2():
    p = new_customer_call(5, 3, date(2026, 1, 31), SH, W)
    assert p.source_key == "new_customer:product:5"
    assert (p.due_start, p.due_end) == (utc(2026, 1, 31, 16), utc(2026, 2, 7, 15, 59, 59))


def test_the_new_customer_window_crosses_the_year_end_cb_2():
    p = new_customer_call(5, 3, date(2026, 12, 28), SH, W)
    assert (p.due_start, p.due_end) == (utc(2026, 12, 28, 16), utc(2027, 1, 4, 15, 59, 59))


def test_a_repair_completed_at_2330_in_shanghai_counts_from_that_shanghai_day_cb_2():
    late = after_repair_call(9, 3, utc(2026, 11, 20, 15, 30), SH, W, product_id=4)
    after_midnight = after_repair_call(9, 3, utc(2026, 11, 20, 16, 30), SH, W)
    assert (late.source_key, late.work_order_id, late.product_id) == ("after_repair:work_order:9", 9, 4)
    assert (late.due_start, late.due_end) == (utc(2026, 11, 20, 15, 30), utc(2026, 11, 23, 15, 59, 59))
    assert after_midnight.due_end == utc(2026, 11, 24, 15, 59, 59)


def test_the_complaint_call_is_due_within_a_week_across_the_year_end_cb_2():
    p = complaint_call(7, 3, utc(2026, 12, 28, 10), SH, W)
    assert (p.source_key, p.complaint_id) == ("complaint:complaint:7", 7)
    assert (p.due_start, p.due_end) == (utc(2026, 12, 28, 10), utc(2027, 1, 4, 15, 59, 59))


def test_a_missed_call_at_2330_is_called_back_the_same_office_day_cb_11():
    p = missed_call_callback(8, 3, utc(2026, 11, 20, 15, 30), SH, W)
    assert (p.source_key, p.kind) == ("missed_call:incoming_call:8", CallbackKind.MISSED_CALL)
    assert (p.due_start, p.due_end) == (utc(2026, 11, 20, 15, 30), utc(2026, 11, 20, 15, 59, 59))


def test_berlin_office_days_follow_daylight_saving_cb_2():
    autumn = first_call(1, 3, date(2026, 10, 24), BERLIN, W)  # 25 October 2026 has 25 hours
    spring = first_call(1, 3, date(2026, 3, 28), BERLIN, W)  # 29 March 2026 has 23 hours
    assert (autumn.due_start, autumn.due_end) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 22, 59, 59))
    assert (spring.due_start, spring.due_end) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 21, 59, 59))
    repair = after_repair_call(2, 3, utc(2026, 10, 23, 10), BERLIN, W)
    assert repair.due_end == utc(2026, 10, 26, 22, 59, 59)  # end of 26 October, already CET


def test_a_29_february_birthday_is_greeted_on_28_february_in_other_years_cb_2():
    born = date(1992, 2, 29)
    assert [birthday_in(born, y) for y in (2027, 2028, 2100)] == [date(2027, 2, 28), date(2028, 2, 29),
                                                                    date(2100, 2, 28)]
    p = birthday_call(5, born, 2027, SH)
    assert (p.source_key, p.kind) == ("birthday:2027:customer:5", CallbackKind.BIRTHDAY)
    assert (p.due_start, p.due_end) == (utc(2027, 2, 27, 16), utc(2027, 2, 28, 15, 59, 59))


def test_the_holiday_table_holds_fixed_and_lunar_chinese_holidays_cb_2():
    assert holidays_between(date(2026, 9, 20), date(2026, 10, 5)) == [date(2026, 9, 25), date(2026, 10, 1)]
    assert holidays_between(date(2027, 1, 1), date(2027, 2, 28)) == [date(2027, 1, 1), date(2027, 2, 6)]
    assert date(2026, 5, 1) in holidays_between(date(2026, 1, 1), date(2026, 12, 31))


def test_the_new_year_greeting_falls_in_the_three_days_before_it_across_the_year_end_cb_2():
    p = holiday_call(5, date(2027, 1, 1), SH)
    assert (p.source_key, p.kind) == ("holiday:2027-01-01:customer:5", CallbackKind.HOLIDAY)
    assert (p.due_start, p.due_end) == (utc(2026, 12, 28, 16), utc(2026, 12, 31, 15, 59, 59))


def test_only_missed_or_unresolved_calls_of_known_customers_are_called_back_cb_11():
    at = utc(2026, 11, 20, 3)
    calls = [{"id": 1, "customer_id": 3, "received_at": at, "answered": True, "resolved": True},
             {"id": 2, "customer_id": 3, "received_at": at, "answered": True, "resolved": False},
             {"id": 3, "customer_id": 3, "received_at": at, "answered": False, "resolved": False},
             {"id": 4, "customer_id": None, "received_at": at, "answered": False, "resolved": False}]
    keys = [p.source_key for p in wanted_callbacks(Events(incoming_calls=calls), NOW, SH, W, 7)]
    assert keys == ["missed_call:incoming_call:2", "missed_call:incoming_call:3"]


def test_internal_work_orders_get_no_after_repair_call_cb_2_wo_2():
    done = utc(2026, 11, 19, 3)
    orders = [{"id": 1, "customer_id": 3, "completed_at": done, "service_type": ServiceType.INTERNAL},
              {"id": 2, "customer_id": 3, "completed_at": done, "service_type": ServiceType.PAID}]
    keys = [p.source_key for p in wanted_callbacks(Events(work_orders=orders), NOW, SH, W, 7)]
    assert keys == ["after_repair:work_order:2"]


def test_care_calls_are_planned_for_birthdays_and_holidays_inside_the_horizon_cb_2():
    customers = [{"id": 1, "birthday": date(1980, 11, 25)}, {"id": 2, "birthday": date(1980, 12, 30)},
                 {"id": 3, "birthday": None}]
    keys = {p.source_key for p in wanted_callbacks(Events(care_customers=customers), NOW, SH, W, 7)}
    assert keys == {"birthday:2026:customer:1"}
    year_end = utc(2026, 12, 27, 2)
    keys = {p.source_key for p in wanted_callbacks(Events(care_customers=customers[1:]), year_end, SH, W, 7)}
    assert keys == {"birthday:2026:customer:2", "holiday:2027-01-01:customer:2", "holiday:2027-01-01:customer:3"}


def test_a_birthday_early_next_year_is_keyed_by_next_year_cb_2():
    customers = [{"id": 4, "birthday": date(1980, 1, 2)}]
    keys = {p.source_key for p in wanted_callbacks(Events(care_customers=customers), utc(2026, 12, 29, 2), SH, W, 7)}
    assert "birthday:2027:customer:4" in keys


def test_events_older_than_their_window_plus_a_week_are_not_planned_cb_2():
    products = [{"id": 1, "customer_id": 3, "effective_date": None, "delivery_date": date(2026, 11, 6)},  # until 13 Nov
                {"id": 2, "customer_id": 3, "effective_date": None, "delivery_date": date(2026, 10, 1)},
                {"id": 3, "customer_id": 3, "effective_date": None, "delivery_date": date(2026, 12, 20)}]
    keys = [p.source_key for p in wanted_callbacks(Events(products=products), NOW, SH, W, 7)]
    assert keys == ["new_customer:product:1"]


def _existing(p: Planned, status=CallbackStatus.OPEN, cb_id=1, shift=timedelta(0)) -> dict[str, Existing]:
    return {p.source_key: Existing(cb_id, status, p.due_start + shift, p.due_end + shift)}


def test_an_open_callback_whose_event_changed_is_moved_and_a_worked_one_is_left_alone_cb_2():
    p = new_customer_call(1, 3, date(2026, 11, 18), SH, W)
    stored = _existing(p, shift=timedelta(days=-2))
    assert plan_wanted([p], stored, SH).move == [(stored[p.source_key], p)]
    for status in (CallbackStatus.IN_PROGRESS, CallbackStatus.COMPLETED, CallbackStatus.NOT_COMPLETED):
        plan = plan_wanted([p], _existing(p, status, shift=timedelta(days=-2)), SH)
        assert (plan.create, plan.move, plan.skipped) == ([], [], 1)
    assert plan_wanted([p], {}, SH).create == [p]
    assert plan_wanted([p], _existing(p), SH).skipped == 1


def _stored_as_planned(p: Planned, status=CallbackStatus.OPEN) -> dict[str, Existing]:
    return {p.source_key: Existing(1, status, p.due_start, p.due_end, p.window_days)}


SHORTER = Windows(first_call_delay_days=2, new_customer_window_days=3, after_repair_window_days=1,
                  complaint_window_days=2, missed_call_window_days=1, holiday_lead_days=5)


@pytest.mark.parametrize("plan", [
    lambda w: first_call(1, 3, date(2026, 11, 18), SH, w),
    lambda w: new_customer_call(1, 3, date(2026, 11, 18), SH, w),
    lambda w: after_repair_call(1, 3, utc(2026, 11, 19, 3), SH, w),
    lambda w: complaint_call(1, 3, utc(2026, 11, 19, 3), SH, w),
    lambda w: missed_call_callback(1, 3, utc(2026, 11, 20, 3), SH, w),
    lambda w: holiday_call(3, date(2026, 12, 31), SH, w.holiday_lead_days),
], ids=["first", "new_customer", "after_repair", "complaint", "missed_call", "holiday"])
def test_a_changed_window_setting_alone_moves_no_open_callback_issue_9_cb_2(plan):
    """Issue 9: shortening the after-repair window made the next sweep move 151 open callbacks. A callback
    keeps the window it was planned with; the new setting is for callbacks planned after it."""
    stored = _stored_as_planned(plan(W))
    again = plan_wanted([plan(SHORTER)], stored, SH)
    assert (again.create, again.move, again.skipped) == ([], [], 1)


@pytest.mark.parametrize("plan", [
    lambda w: first_call(1, 3, date(2026, 11, 18), SH, w),
    lambda w: after_repair_call(1, 3, utc(2026, 11, 19, 3), SH, w),
    lambda w: holiday_call(3, date(2026, 12, 31), SH, w.holiday_lead_days),
], ids=["first", "after_repair", "holiday"])
def test_rewindowed_cuts_the_window_the_other_length_would_have_cut_cb_2(plan):
    old, new = plan(W), plan(SHORTER)
    assert rewindowed(old.kind, old.due_start, old.due_end, old.window_days, new.window_days, SH) == (
        new.due_start, new.due_end)
    assert rewindowed(new.kind, new.due_start, new.due_end, new.window_days, old.window_days, SH) == (
        old.due_start, old.due_end)


def test_a_corrected_event_moves_its_open_callback_with_the_length_it_was_planned_with_cb_2():
    """The delivery date was corrected after the window setting changed: the callback follows its event but
    keeps its own length (7 days), not the new setting's (3)."""
    stored = _stored_as_planned(new_customer_call(1, 3, date(2026, 11, 18), SH, W))
    [(_, moved)] = plan_wanted([new_customer_call(1, 3, date(2026, 11, 16), SH, SHORTER)], stored, SH).move
    expected = new_customer_call(1, 3, date(2026, 11, 16), SH, W)
    assert (moved.due_start, moved.due_end, moved.window_days) == (expected.due_start, expected.due_end, 7)


def test_the_next_lead_follow_up_falls_due_after_the_class_interval_l_1():
    intervals = {LeadClass.A: 2, LeadClass.B: 7, LeadClass.C: 30}
    assert next_lead_follow_up(NOW, LeadClass.A, intervals) == NOW + timedelta(days=2)
    assert next_lead_follow_up(NOW, LeadClass.C, intervals) == NOW + timedelta(days=30)


# --- properties ---------------------------------------------------------------------------------------

ZONES = st.sampled_from([SH, BERLIN, "America/New_York"])
MINUTES = st.integers(-40 * 1440, 12 * 1440)


@st.composite
def events(draw) -> tuple[datetime, Events]:
    now = draw(st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 20), timezones=st.just(UTC)))
    at = st.builds(lambda m: now + timedelta(minutes=m), MINUTES)
    day = st.builds(lambda m: (now + timedelta(minutes=m)).date(), MINUTES)
    ids = st.integers(1, 30)
    products = draw(st.lists(st.fixed_dictionaries({"id": ids, "customer_id": ids, "effective_date": st.none() | day,
                                                    "delivery_date": st.none() | day}), max_size=5))
    orders = draw(st.lists(st.fixed_dictionaries({"id": ids, "customer_id": ids, "completed_at": at}), max_size=5))
    complaints = draw(st.lists(st.fixed_dictionaries({"id": ids, "customer_id": ids, "received_at": at}), max_size=5))
    calls = draw(st.lists(st.fixed_dictionaries({"id": ids, "customer_id": st.none() | ids, "received_at": at,
                                                 "answered": st.booleans(), "resolved": st.booleans()}), max_size=5))
    born = st.none() | st.dates(date(1950, 1, 1), date(2005, 12, 31))
    care = draw(st.lists(st.fixed_dictionaries({"id": ids, "birthday": born}), max_size=4))
    return now, Events(_unique(products), _unique(orders), _unique(complaints), _unique(calls), _unique(care))


def _unique(rows: list[dict]) -> list[dict]:
    return list({r["id"]: r for r in rows}.values())


def _event_start(e: Events, p: Planned, tz: str) -> datetime | None:
    """The moment of the event a callback follows (None for care calls)."""
    kind, ref = p.source_key.split(":")[0], int(p.source_key.rsplit(":", 1)[1])
    rows = {"first": e.products, "new_customer": e.products, "after_repair": e.work_orders,
            "complaint": e.complaints, "missed_call": e.incoming_calls}.get(kind)
    if rows is None:
        return None
    row = next(r for r in rows if r["id"] == ref)
    if kind in ("first", "new_customer"):
        return day_start(row["effective_date" if kind == "first" else "delivery_date"], tz)
    return row.get("completed_at") or row["received_at"]


@settings(max_examples=60, deadline=None)
@given(events(), ZONES, st.integers(0, 14))
def test_planning_again_after_writing_a_plan_creates_and_moves_nothing_cb_2(drawn, tz, horizon):
    now, e = drawn
    first = plan_callbacks(e, {}, now, tz, W, horizon)
    stored = {p.source_key: Existing(i, CallbackStatus.OPEN, p.due_start, p.due_end)
              for i, p in enumerate(first.create, 1)}
    again = plan_callbacks(e, stored, now, tz, W, horizon)
    assert (again.create, again.move, again.skipped) == ([], [], len(first.create))
    assert len(stored) == len(first.create)  # one callback per source key


@settings(max_examples=60, deadline=None)
@given(events(), ZONES, st.integers(0, 14))
def test_every_window_is_ordered_and_starts_no_earlier_than_its_event_cb_2(drawn, tz, horizon):
    now, e = drawn
    for p in wanted_callbacks(e, now, tz, W, horizon):
        assert p.due_start <= p.due_end
        start = _event_start(e, p, tz)
        if start is not None:
            assert p.due_start >= start
        else:  # care calls: greeted no later than the day itself, never before today
            assert p.due_end >= day_start(office_day(now, tz), tz)
