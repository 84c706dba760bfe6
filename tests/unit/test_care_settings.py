"""CB-2 holiday and birthday care as office settings (C-2 grades): the holidays greeted are a list an
admin edits (MM-DD every year, YYYY-MM-DD once), the days of greeting before each holiday and the grades
that get care calls are settings, and the planning follows whatever the office set."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.office.defaults import DEFAULTS
from core.scheduling.care import DEFAULT_HOLIDAYS, Holidays, care_grades
from core.scheduling.rules import Events, Windows, wanted_callbacks
from db.enums import CustomerGrade

SH = "Asia/Shanghai"
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


def test_the_default_holiday_setting_is_the_chinese_public_holidays_cb_2():
    assert Holidays.parse(str(DEFAULTS["callback.holidays"])) == DEFAULT_HOLIDAYS
    assert DEFAULT_HOLIDAYS.between(date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 1, 1), date(2026, 2, 17), date(2026, 4, 5), date(2026, 5, 1), date(2026, 6, 19),
        date(2026, 9, 25), date(2026, 10, 1)]


def test_yearly_and_one_off_holidays_parse_with_either_comma_or_new_lines_cb_2():
    h = Holidays.parse("12-25， 2028-01-26\n03-08,, ")
    assert h.yearly == {(12, 25), (3, 8)} and h.once == {date(2028, 1, 26)}
    assert h.text() == "03-08, 12-25, 2028-01-26"
    assert h.between(date(2027, 12, 1), date(2028, 3, 31)) == [date(2027, 12, 25), date(2028, 1, 26), date(2028, 3, 8)]


def test_a_yearly_29_february_is_greeted_only_in_leap_years_cb_2():
    h = Holidays.parse("02-29")
    assert h.between(date(2027, 1, 1), date(2028, 12, 31)) == [date(2028, 2, 29)]


@pytest.mark.parametrize("bad", ["13-01", "02-30", "2027-02-30", "Spring", "1-1"])
def test_an_entry_that_is_not_a_date_is_refused_by_name_cb_2(bad):
    with pytest.raises(ValueError) as err:
        Holidays.parse(f"01-01, {bad}")
    assert str(err.value) == bad


def test_care_grades_parse_case_blind_without_repeats_and_refuse_strangers_c_2():
    assert care_grades("VIP, key，vip") == (CustomerGrade.VIP, CustomerGrade.KEY)
    assert care_grades("") == ()
    with pytest.raises(ValueError, match="gold"):
        care_grades("vip, gold")


def test_the_office_holiday_list_and_lead_days_decide_the_greetings_cb_2():
    w = Windows(holidays=Holidays.parse("11-27"), holiday_lead_days=5)
    planned = wanted_callbacks(Events(care_customers=[{"id": 7, "birthday": None}]), NOW, SH, w, 7)
    assert [(p.source_key, p.due_start, p.due_end) for p in planned] == [(
        "holiday:2026-11-27:customer:7",
        datetime(2026, 11, 21, 16, tzinfo=UTC),  # 22 Nov, five office days before
        datetime(2026, 11, 26, 15, 59, 59, tzinfo=UTC))]


def test_with_no_holidays_set_no_greeting_is_planned_cb_2():
    w = Windows(holidays=Holidays.parse(""))
    year_end = datetime(2026, 12, 27, 2, tzinfo=UTC)
    assert wanted_callbacks(Events(care_customers=[{"id": 7, "birthday": None}]), year_end, SH, w, 7) == []


def test_the_windows_read_the_care_settings_cb_2_c_2():
    settings = DEFAULTS | {"callback.care_grades": "normal", "callback.holidays": "06-01",
                           "callback.holiday_lead_days": 2}
    w = Windows.from_settings(settings.__getitem__)
    assert (w.care_grades, w.holidays.yearly, w.holiday_lead_days) == ((CustomerGrade.NORMAL,), {(6, 1)}, 2)
