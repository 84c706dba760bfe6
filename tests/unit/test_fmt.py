"""Times are shown in the office's time zone and money from integer cents, in the user's language."""

from datetime import UTC, date, datetime

from core.fmt import amount_text, fmt_date, fmt_datetime, fmt_money
from core.lists import day_bounds_utc


def test_a_utc_time_is_shown_in_shanghai_time_in_both_languages():
    moment = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
    assert fmt_datetime(moment, "en", "Asia/Shanghai") == "21 Nov 2026 00:30"
    assert fmt_datetime(moment, "zh", "Asia/Shanghai") == "2026年11月21日 00:30"


def test_dates_follow_the_language():
    assert fmt_date(date(2026, 3, 5), "zh") == "2026年3月5日"
    assert fmt_date(date(2026, 3, 5), "en") == "5 Mar 2026"


def test_money_is_formatted_from_cents_without_rounding_errors():
    assert fmt_money(123456789, "zh", "CNY") == "¥1,234,567.89"
    assert fmt_money(10, "en", "CNY").endswith("0.10")
    assert fmt_money(None, "en", "CNY") == ""


def test_an_amount_in_a_money_box_reads_back_as_the_same_cents_without_float():
    """Issue 12 review: the fee box shows 12050 cents as 120.50, exactly, whatever its size."""
    assert [amount_text(c) for c in (None, 0, 5, 12_050, 100, -250, 10**17 + 1)] == \
        ["", "0.00", "0.05", "120.50", "1.00", "-2.50", "1000000000000000.01"]


def test_an_office_day_range_becomes_a_half_open_utc_interval():
    lo, hi = day_bounds_utc(date(2026, 11, 20), date(2026, 11, 20), "Asia/Shanghai")
    assert lo == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    assert hi == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
