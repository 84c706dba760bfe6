"""C-5, the pure rules: what a complete record is, its deadline (latest delivery + N days), whether it was
completed on time, and whether a call was recorded the same office day (dates pinned; Shanghai is UTC+8)."""

from datetime import date

import pytest

from core.customers.completeness import (
    Missing,
    RecordTimeliness,
    deadline,
    missing_fields,
    record_timeliness,
    recorded_on_time,
)
from tests.factories import utc

TZ = "Asia/Shanghai"
TODAY = date(2026, 11, 20)
CUSTOMER = {"name": "张伟", "phone": "13812345678", "address": "人民路 1 号", "city": "上海"}
PRODUCT = {"order_no": "SO1", "model": "X1", "serial_no": "沪A12345", "purchase_date": date(2026, 11, 1),
           "effective_date": date(2026, 11, 2), "delivery_date": date(2026, 11, 10)}


def test_a_record_with_every_field_is_complete():
    assert missing_fields(CUSTOMER, [PRODUCT], "CN", TODAY) == []


@pytest.mark.parametrize("field,value", [("name", " "), ("address", None), ("city", ""), ("phone", "")],
                         ids=["blank-name", "no-address", "empty-city", "no-phone"])
def test_a_customer_field_left_blank_is_missing(field, value):
    assert missing_fields(CUSTOMER | {field: value}, [PRODUCT], "CN", TODAY) == [Missing(field)]


def test_a_phone_that_is_no_valid_number_in_the_offices_region_is_missing():
    assert missing_fields(CUSTOMER | {"phone": "12345"}, [], "CN", TODAY) == [Missing("phone")]
    assert missing_fields(CUSTOMER | {"phone": "+86 138 1234 5678"}, [], "CN", TODAY) == []


@pytest.mark.parametrize("field", ["model", "serial_no", "effective_date"])
def test_a_delivered_products_field_left_blank_is_missing_and_named_by_its_order(field):
    assert missing_fields(CUSTOMER, [PRODUCT | {field: None}], "CN", TODAY) == [Missing(field, "SO1")]


def test_a_product_not_delivered_asks_nothing_yet():
    assert missing_fields(CUSTOMER, [PRODUCT | {"serial_no": None, "delivery_date": None}], "CN", TODAY) == []


def test_a_product_whose_delivery_is_planned_after_today_asks_nothing_yet():
    """C-5: a planned delivery must not make a long-complete record overdue; on its day it asks its fields."""
    planned = PRODUCT | {"order_no": "SO2", "serial_no": None, "delivery_date": date(2026, 11, 21)}
    assert missing_fields(CUSTOMER, [PRODUCT, planned], "CN", TODAY) == []
    assert missing_fields(CUSTOMER, [PRODUCT, planned], "CN", date(2026, 11, 21)) == [Missing("serial_no", "SO2")]


def test_everything_missing_is_named_at_once_the_customers_own_first():
    got = missing_fields({"name": "", "phone": None, "address": None, "city": None},
                         [PRODUCT | {"serial_no": ""}], "CN", TODAY)
    assert got == [Missing("name"), Missing("phone"), Missing("address"), Missing("city"),
                   Missing("serial_no", "SO1")]


def test_the_deadline_is_the_latest_delivery_up_to_today_plus_the_days():
    today = date(2026, 11, 20)
    assert deadline([date(2026, 11, 1), date(2026, 11, 10), None], today, 3) == date(2026, 11, 13)
    assert deadline([date(2026, 11, 10), date(2026, 11, 25)], today, 3) == date(2026, 11, 13)  # 25th: planned
    assert deadline([None, date(2026, 11, 25)], today, 3) is None


@pytest.mark.parametrize("complete_at,today,expected", [
    (utc(2026, 11, 13, 15, 59), date(2026, 11, 20), RecordTimeliness.ON_TIME),  # 23:59 on the deadline day
    (utc(2026, 11, 13, 16, 0), date(2026, 11, 20), RecordTimeliness.LATE),  # 00:00 the day after, office time
    (None, date(2026, 11, 13), RecordTimeliness.DUE),
    (None, date(2026, 11, 14), RecordTimeliness.OVERDUE),
], ids=["on-the-last-day", "a-day-late", "due-today", "overdue"])
def test_a_record_is_on_time_when_complete_by_the_end_of_its_deadline_office_day(complete_at, today, expected):
    assert record_timeliness(date(2026, 11, 13), complete_at, today, TZ) == expected


def test_a_customer_without_a_delivery_is_not_judged():
    assert record_timeliness(None, None, date(2026, 11, 20), TZ) == RecordTimeliness.NOT_DELIVERED


@pytest.mark.parametrize("attempted,recorded,expected", [
    (utc(2026, 11, 20, 1), utc(2026, 11, 20, 15, 59), True),  # 09:00 and 23:59 the same office day
    (utc(2026, 11, 20, 1), utc(2026, 11, 20, 16, 0), False),  # recorded at 00:00 the next office day
    (utc(2026, 11, 19, 17), utc(2026, 11, 20, 1), True),  # 01:00 and 09:00 office time: UTC's days differ
    (utc(2026, 11, 20, 1), None, None),
], ids=["same-day", "next-day", "same-office-day-across-utc-midnight", "unknown"])
def test_a_call_is_on_time_when_recorded_the_same_office_day(attempted, recorded, expected):
    assert recorded_on_time(attempted, recorded, TZ) is expected
