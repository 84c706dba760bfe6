"""C-5, the archive's timeliness, as pure rules: "a delivered customer's record is complete within 3 days of
delivery (setting archive.complete_within_days), and each call is recorded the same day it is made". The
record's facts, the office's day and time zone are passed in; nothing here reads the clock or the database.

What "complete" means (C-1's fields an office needs to serve a delivered customer):
- the customer: a name, a phone that is a valid number in the office's region (core.phones.canonical),
  an address and a city;
- each product delivered by the office's today: its model, its serial or plate number, its purchase date,
  the date its order took effect and its delivery date.
Email, birthday, contacts, place, mileage and notes are welcome but not required: many customers have none.
A product without a delivery date, or with one after today (its delivery is planned), asks nothing yet: its
deadline runs from its delivery, so a long-complete record is not made overdue by a planned one. Blank text
counts as missing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from core.clock import office_day
from core.phones import canonical

CUSTOMER_FIELDS = ("name", "phone", "address", "city")
PRODUCT_FIELDS = ("model", "serial_no", "purchase_date", "effective_date", "delivery_date")


@dataclass(frozen=True)
class Missing:
    """One field the record lacks: the customer's own (`order_no` None) or a delivered product's."""

    field: str
    order_no: str | None = None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_fields(customer: Mapping, products: Sequence[Mapping], region: str, today: date) -> list[Missing]:
    """C-5: what the record still lacks to be complete on the office day `today` (see the module's docstring);
    empty when complete. `customer` and each of `products` are plain mappings of their columns; `region` is
    office.phone_region. A product delivered after `today` is skipped (planned: it asks nothing yet)."""
    out = [Missing(f) for f in CUSTOMER_FIELDS if f != "phone" and _blank(customer.get(f))]
    if _blank(customer.get("phone")) or canonical(str(customer["phone"]), region) is None:
        out.insert(1 if out and out[0].field == "name" else 0, Missing("phone"))
    for product in products:
        if product.get("delivery_date") is None or product["delivery_date"] > today:
            continue
        out += [Missing(f, product.get("order_no")) for f in PRODUCT_FIELDS if _blank(product.get(f))]
    return out


class RecordTimeliness(StrEnum):
    """Where a record stands against C-5's deadline (the latest delivery up to today + N days)."""

    NOT_DELIVERED = "not_delivered"  # no product delivered yet: C-5 asks nothing yet
    ON_TIME = "on_time"  # complete, on or before its deadline
    LATE = "late"  # complete, but only after its deadline
    DUE = "due"  # incomplete, its deadline still ahead (or today)
    OVERDUE = "overdue"  # incomplete past its deadline


def deadline(deliveries: Sequence[date | None], today: date, days: int) -> date | None:
    """The last office day by which the record must be complete: the latest delivery on or before `today`
    plus `days` (a delivery planned for later asks nothing yet); None when nothing is delivered. The latest,
    since each delivery brings a product whose own fields must be recorded."""
    delivered = [d for d in deliveries if d is not None and d <= today]
    return max(delivered) + timedelta(days=days) if delivered else None


def record_timeliness(due: date | None, complete_at: datetime | None, today: date, tz: str) -> RecordTimeliness:
    """C-5 for one record: `due` from `deadline`, `complete_at` when the record became complete (None while
    it is not), judged on the office's calendar days (a record completed on its deadline day is on time)."""
    if due is None:
        return RecordTimeliness.NOT_DELIVERED
    if complete_at is not None:
        return RecordTimeliness.ON_TIME if office_day(complete_at, tz) <= due else RecordTimeliness.LATE
    return RecordTimeliness.DUE if today <= due else RecordTimeliness.OVERDUE


def recorded_on_time(attempted_at: datetime, recorded_at: datetime | None, tz: str) -> bool | None:
    """C-5 for one call: recorded on the same office day it was made (None: nobody knows when it was
    recorded)."""
    if recorded_at is None:
        return None
    return office_day(recorded_at, tz) <= office_day(attempted_at, tz)
