"""Weekly KPI charts mark the weeks they count only in part (issue 10): the first and last week of a range
that does not start on a Monday or end on a Sunday, and the week still running today."""

from datetime import date

import pytest

from core.kpi import KpiFilter, default_range, partial_weeks

TODAY = date(2026, 11, 26)  # a Thursday; its week starts Monday 23 Nov


@pytest.mark.parametrize(("start", "end", "partial"), [
    pytest.param(date(2026, 11, 2), date(2026, 11, 22), set(), id="whole-weeks-monday-to-sunday"),
    pytest.param(date(2026, 11, 4), date(2026, 11, 22), {date(2026, 11, 2)}, id="starts-on-a-wednesday"),
    pytest.param(date(2026, 11, 2), date(2026, 11, 18), {date(2026, 11, 16)}, id="ends-on-a-wednesday"),
    pytest.param(date(2026, 11, 2), TODAY, {date(2026, 11, 23)}, id="ends-today-mid-week"),
    pytest.param(date(2026, 11, 5), TODAY, {date(2026, 11, 2), date(2026, 11, 23)}, id="both-ends-partial"),
    pytest.param(date(2026, 11, 24), date(2026, 11, 25), {date(2026, 11, 23)}, id="a-few-days-of-one-week"),
])
def test_the_partial_weeks_of_a_range_are_those_not_counted_in_full(start, end, partial):
    assert partial_weeks(KpiFilter(start, end), TODAY) == partial


def test_a_range_ending_on_sunday_still_has_a_partial_week_when_that_sunday_is_still_to_come():
    assert partial_weeks(KpiFilter(date(2026, 11, 16), date(2026, 11, 29)), TODAY) == {date(2026, 11, 23)}


def test_the_default_range_has_a_partial_last_week_except_on_a_sunday():
    assert partial_weeks(KpiFilter(*default_range(TODAY)), TODAY) == {date(2026, 11, 23)}
    sunday = date(2026, 11, 29)
    assert partial_weeks(KpiFilter(*default_range(sunday)), sunday) == set()
