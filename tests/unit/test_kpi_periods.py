"""The dashboard's period presets and the previous period every headline compares with (issue 14)."""

from datetime import date

import pytest

from core.kpi.periods import PRESETS, period, previous

WEDNESDAY = date(2026, 11, 18)


@pytest.mark.parametrize(("preset", "expected"), [
    ("last_12_weeks", (date(2026, 8, 31), WEDNESDAY)),
    ("this_week", (date(2026, 11, 16), WEDNESDAY)),
    ("last_week", (date(2026, 11, 9), date(2026, 11, 15))),
    ("this_month", (date(2026, 11, 1), WEDNESDAY)),
    ("last_month", (date(2026, 10, 1), date(2026, 10, 31))),
    ("this_quarter", (date(2026, 10, 1), WEDNESDAY)),
    ("last_12_months", (date(2025, 12, 1), WEDNESDAY)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_preset_gives_its_days_and_a_current_period_ends_today(preset, expected):
    assert period(preset, WEDNESDAY) == expected


def test_last_month_in_january_is_december_of_the_year_before():
    assert period("last_month", date(2026, 1, 5)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert period("this_quarter", date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 31))


def test_every_preset_is_a_range_that_ends_no_later_than_today():
    for preset in PRESETS:
        start, end = period(preset, WEDNESDAY)
        assert start <= end <= WEDNESDAY


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        period("next_year", WEDNESDAY)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 11, 9), date(2026, 11, 15), (date(2026, 11, 2), date(2026, 11, 8))),  # a whole week: the one before
    (date(2026, 11, 30), date(2026, 12, 1), (date(2026, 11, 23), date(2026, 11, 24))),  # Mon–Tue: not the weekend
    (date(2026, 11, 18), date(2026, 11, 18), (date(2026, 11, 11), date(2026, 11, 11))),  # a Wednesday: the one before
    (date(2026, 11, 1), date(2026, 11, 10), (date(2026, 10, 18), date(2026, 10, 27))),  # 10 days: two weeks back
    (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 1, 29), date(2026, 2, 28))),  # four weeks or more: just before
    (date(2026, 2, 2), date(2026, 3, 1), (date(2026, 1, 5), date(2026, 2, 1))),
])
def test_the_previous_period_has_the_same_length_and_the_same_weekdays_when_short(start, end, expected):
    """Issue 14: "the change against the previous period of the same length"; a short one on the same weekdays."""
    got = previous(start, end)
    assert got == expected and (got[1] - got[0]) == (end - start) and got[1] < start
    if (end - start).days + 1 < 28:
        assert got[0].weekday() == start.weekday()
