"""The complaint's pure rules: a specific description (CP-1), the CP-5 deadlines (first response in working days,
the promised reply by severity, a reopened round's new promise) and when a complaint was received (CP-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.complaints.rules import (
    default_reply_deadline,
    first_response_due,
    is_specific,
    received_time,
    reopened_promise,
)
from core.errors import Invalid
from core.office.defaults import DEFAULTS
from core.scheduling.care import Holidays
from db.enums import ComplaintSeverity

TZ = "Asia/Shanghai"
HOLIDAYS = Holidays.parse("01-01, 10-01, 2026-12-25")


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=UTC) - timedelta(hours=8)  # the office's wall clock, as UTC


@pytest.mark.parametrize("text, specific", [
    ("Broken", False), ("坏了", False), ("Noisy!!!", False), ("doesn't work", True),
    ("Printer jams on every second page", True), ("打印机每打两页卡纸", True), ("  卡纸  ", False),
])
def test_a_description_must_say_something_a_verifier_can_check_cp1(text, specific):
    assert is_specific(text) is specific


@pytest.mark.parametrize("received, due", [
    pytest.param(shanghai(2026, 11, 23, 10), shanghai(2026, 11, 24, 10), id="monday-to-tuesday"),
    pytest.param(shanghai(2026, 11, 27, 16), shanghai(2026, 11, 30, 16), id="friday-to-monday"),
    pytest.param(shanghai(2026, 11, 28, 9), shanghai(2026, 11, 30, 23, 59, 59), id="saturday-to-end-of-monday"),
    pytest.param(shanghai(2026, 12, 24, 11), shanghai(2026, 12, 28, 11), id="over-a-holiday-and-a-weekend"),
])
def test_the_first_response_is_due_one_working_day_after_receipt_cp5(received, due):
    assert first_response_due(received, TZ, 1, HOLIDAYS) == due


@pytest.mark.parametrize("severity, day", [
    (ComplaintSeverity.CRITICAL, 24), (ComplaintSeverity.NORMAL, 26), (ComplaintSeverity.MINOR, 28),
])
def test_the_promised_reply_follows_the_severity_to_the_end_of_an_office_day_cp5(severity, day):
    received = shanghai(2026, 11, 23, 23, 30)  # late on Monday evening, office time: already Monday 15:30 UTC
    assert default_reply_deadline(received, severity, DEFAULTS, TZ) == shanghai(2026, 11, day, 23, 59, 59)


@pytest.mark.parametrize("severity, day", [(ComplaintSeverity.CRITICAL, 21), (ComplaintSeverity.NORMAL, 23)])
def test_a_reopened_complaint_is_promised_its_severitys_days_from_the_reopening_cp5(severity, day):
    """However often it is reopened and however late its last promise was: counted from today."""
    cp = {"severity": severity, "received_at": shanghai(2026, 1, 2, 9), "reply_deadline": shanghai(2026, 6, 30, 12)}
    assert reopened_promise(cp, shanghai(2026, 11, 20, 14), DEFAULTS, TZ) == shanghai(2026, 11, day, 23, 59, 59)


def test_received_is_now_by_default_earlier_today_at_most_never_in_the_future_cp1():
    now = shanghai(2026, 11, 23, 0, 30)  # half past midnight in the office
    assert received_time(None, now, TZ) == now
    assert received_time(shanghai(2026, 11, 23, 0, 5), now, TZ) == shanghai(2026, 11, 23, 0, 5)
    for at, key in ((shanghai(2026, 11, 22, 23, 55), "cp.received_before_today"),
                    (now + timedelta(minutes=1), "cp.received_in_future")):
        with pytest.raises(Invalid) as err:
            received_time(at, now, TZ)
        assert err.value.key == key
