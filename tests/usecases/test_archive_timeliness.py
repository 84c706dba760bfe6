"""C-5 kept in the writers' own transactions: `archive_complete_at` is set by the save that supplies the last
missing field (not before), kept while the record stays complete, cleared when a new delivery lacks its
product's fields; the customer's page status and the specialist's list of incomplete or late records; calls
saved in the app are stamped when recorded; the backfill marks old complete records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.callbacks.rules import CallInput
from core.callbacks.services import claim, record_call
from core.customers.completeness import Missing, RecordTimeliness
from core.customers.rules import OrderDates
from core.customers.services import set_order_dates, update_customer
from core.customers.timeliness import archive_status, backfill_completeness, incomplete_records
from core.errors import Invalid
from db.engine import session_scope
from db.enums import CallOutcome, Channel, Role
from db.models import CallAttempt, Customer
from tests.factories import make_account, make_callback, make_customer, make_product, reader, utc

TZ = "Asia/Shanghai"
NOW = utc(2026, 11, 12, 2)  # 10:00 on 12 Nov in Shanghai; delivered on the 10th, so due by the 13th


def _complete_at(engine, cid: int):
    with session_scope(engine) as s:
        return s.get(Customer, cid).archive_complete_at


def _customer(engine, **kw) -> tuple[int, int]:
    """A delivered customer lacking only its city and address unless told otherwise; (id, specialist's id)."""
    with session_scope(engine) as s:
        spec = make_account(s, Role.SPECIALIST)
        c = make_customer(s, specialist_id=spec.id, **kw)
        make_product(s, c, serial_no="沪A12345", delivery_date=date(2026, 11, 10))
        return c.id, spec


def test_the_record_is_marked_complete_by_the_save_of_its_last_missing_field_and_not_before(engine):
    cid, spec = _customer(engine)
    v = update_customer(engine, spec, cid, 1, {"address": "人民路 1 号"}, NOW, date(2026, 11, 12))
    assert _complete_at(engine, cid) is None  # the city is still missing
    update_customer(engine, spec, cid, v, {"city": "上海"}, NOW + timedelta(hours=1), date(2026, 11, 12))
    assert _complete_at(engine, cid) == NOW + timedelta(hours=1)
    with session_scope(engine) as s:  # the mark is derived: the record's own update time is the save's
        assert s.get(Customer, cid).updated_at == NOW + timedelta(hours=1)


def test_a_later_correction_keeps_the_moment_the_record_first_became_complete(engine):
    cid, spec = _customer(engine, address="人民路 1 号")
    v = update_customer(engine, spec, cid, 1, {"city": "上海"}, NOW, date(2026, 11, 12))
    update_customer(engine, spec, cid, v, {"notes": "VIP later"}, NOW + timedelta(days=2), date(2026, 11, 14))
    assert _complete_at(engine, cid) == NOW


def test_a_refused_correction_marks_nothing(engine):
    cid, spec = _customer(engine, address="人民路 1 号")
    with pytest.raises(Invalid):
        update_customer(engine, spec, cid, 1, {"city": "上海", "phone": "not a phone"}, NOW, date(2026, 11, 12))
    assert _complete_at(engine, cid) is None


def test_a_new_delivery_whose_product_lacks_its_serial_number_makes_the_record_incomplete_again(engine):
    cid, spec = _customer(engine, address="人民路 1 号", city="上海")
    with session_scope(engine) as s:
        pid = make_product(s, s.get(Customer, cid), serial_no=None, effective_date=date(2026, 11, 11),
                           delivery_date=None).id
    update_customer(engine, spec, cid, 1, {"notes": "a note"}, NOW, date(2026, 11, 12))
    assert _complete_at(engine, cid) == NOW  # the second product is not delivered: it asks nothing yet
    set_order_dates(engine, spec, pid, OrderDates(date(2026, 11, 11), None),
                    OrderDates(date(2026, 11, 11), date(2026, 11, 12)), NOW + timedelta(hours=1))
    assert _complete_at(engine, cid) is None
    status = archive_status(engine, reader(), cid, date(2026, 11, 12), TZ)
    assert status.missing[0].field == "serial_no" and status.timeliness == RecordTimeliness.DUE
    assert status.deadline == date(2026, 11, 15)


def test_a_planned_delivery_leaves_a_long_complete_record_complete_until_its_day(engine):
    """C-5: a product whose delivery is planned after today asks nothing yet, so a record complete since the
    10th is not made overdue by it; once delivered, its missing serial number is listed, due from its day."""
    cid, spec = _customer(engine, address="人民路 1 号", city="上海")
    update_customer(engine, spec, cid, 1, {"notes": "complete"}, NOW, date(2026, 11, 12))
    with session_scope(engine) as s:
        make_product(s, s.get(Customer, cid), order_no="SO-PLANNED", serial_no=None,
                     effective_date=date(2026, 11, 20), delivery_date=date(2026, 12, 5))
    update_customer(engine, spec, cid, 2, {"notes": "planned"}, utc(2026, 11, 20, 2), date(2026, 11, 20))
    assert _complete_at(engine, cid) == NOW  # the refresh keeps the mark: the planned product asks nothing
    status = archive_status(engine, reader(), cid, date(2026, 11, 20), TZ)
    assert (status.missing, status.timeliness) == ([], RecordTimeliness.ON_TIME)
    assert incomplete_records(engine, spec, spec.id, utc(2026, 11, 20, 2), TZ).rows == []
    on_the_day = incomplete_records(engine, spec, spec.id, utc(2026, 12, 6, 2), TZ).rows
    assert [(r["id"], r["timeliness"], r["deadline"]) for r in on_the_day] == [
        (cid, RecordTimeliness.DUE, date(2026, 12, 8))]
    status = archive_status(engine, reader(), cid, date(2026, 12, 6), TZ)
    assert status.missing == [Missing("serial_no", "SO-PLANNED")] and status.timeliness == RecordTimeliness.DUE


def test_the_customers_page_status_says_what_is_missing_and_whether_it_is_late(engine):
    cid, _ = _customer(engine)
    status = archive_status(engine, reader(Role.SPECIALIST), cid, date(2026, 11, 14), TZ)
    assert status.missing == [Missing("address"), Missing("city")]
    assert (status.deadline, status.timeliness, status.days) == (date(2026, 11, 13), RecordTimeliness.OVERDUE, 3)


def test_the_specialists_list_holds_only_their_incomplete_records_the_most_overdue_first(engine):
    """C-5: a record completed late is done (the customer's page says so); the list is what is left to do."""
    late_done = utc(2026, 11, 14, 2)  # 14 Nov: a day past the 13th
    with session_scope(engine) as s:
        spec, other = make_account(s, Role.SPECIALIST), make_account(s, Role.SPECIALIST)
        full = {"address": "人民路 1 号", "city": "上海", "specialist_id": spec.id}
        rows = {}
        for name, kw, delivered in (("older", {"specialist_id": spec.id}, date(2026, 11, 1)),
                                    ("newer", {"specialist_id": spec.id}, date(2026, 11, 10)),
                                    ("late", full | {"archive_complete_at": late_done}, date(2026, 11, 10)),
                                    ("on time", full | {"archive_complete_at": utc(2026, 11, 13, 15)},
                                     date(2026, 11, 10)),
                                    ("not delivered", {"specialist_id": spec.id}, None),
                                    ("someone else's", {"specialist_id": other.id}, date(2026, 11, 1))):
            c = make_customer(s, name=name, **kw)
            make_product(s, c, serial_no="X", delivery_date=delivered, effective_date=date(2026, 6, 2))
            rows[name] = c.id
    page = incomplete_records(engine, spec, spec.id, utc(2026, 11, 20, 2), TZ)
    assert [r["name"] for r in page.rows] == ["older", "newer"]
    assert [r["timeliness"] for r in page.rows] == [RecordTimeliness.OVERDUE] * 2
    assert page.rows[0]["deadline"] == date(2026, 11, 4) and page.total == 2
    assert incomplete_records(engine, spec, spec.id, utc(2026, 11, 20, 2), TZ, page=2, page_size=1).rows[0][
        "name"] == "newer"
    due = incomplete_records(engine, spec, spec.id, utc(2026, 11, 11, 2), TZ).rows
    assert [(r["name"], r["timeliness"]) for r in due] == [("older", RecordTimeliness.OVERDUE),
                                                           ("newer", RecordTimeliness.DUE)]


def test_a_call_saved_in_the_app_is_stamped_when_it_was_recorded(engine):
    with session_scope(engine) as s:
        spec = make_account(s, Role.SPECIALIST)
        cb_id = make_callback(s, make_customer(s), assignee_id=spec.id).id
    claim(engine, spec, cb_id, NOW)
    record_call(engine, spec, cb_id, CallInput(Channel.PHONE, CallOutcome.NOT_REACHED), NOW + timedelta(minutes=5))
    with session_scope(engine) as s:
        attempt = s.query(CallAttempt).filter_by(callback_id=cb_id).one()
        assert attempt.recorded_at == attempt.attempted_at == NOW + timedelta(minutes=5)


def test_the_backfill_marks_an_undelivered_complete_record_at_its_last_rows_creation(engine):
    created = utc(2026, 6, 1, 2)
    with session_scope(engine) as s:
        done = make_customer(s, address="人民路 1 号", city="上海", created_at=created)
        make_product(s, done, serial_no="X", created_at=created + timedelta(days=1))
        lacking = make_customer(s, created_at=created)
    with session_scope(engine) as s:
        assert backfill_completeness(s, date(2026, 11, 12)) == 1
    assert _complete_at(engine, done.id) == created + timedelta(days=1)
    assert _complete_at(engine, lacking.id) is None


def test_the_backfill_never_reads_a_historic_delivery_as_completed_late(engine):
    """C-5: rows created at an upgrade, long after their delivery, are marked at the delivery day's office-local
    start (the true moment is unknown: on time); a record complete before its delivery keeps its creation."""
    upgrade = utc(2026, 11, 30, 2)
    with session_scope(engine) as s:
        spec = make_account(s, Role.SPECIALIST)
        full = {"address": "人民路 1 号", "city": "上海", "specialist_id": spec.id}
        historic = make_customer(s, created_at=upgrade, **full)
        make_product(s, historic, serial_no="X", created_at=upgrade, delivery_date=date(2025, 3, 9))
        early = make_customer(s, created_at=utc(2026, 6, 1, 2), **full)
        make_product(s, early, serial_no="X", created_at=utc(2026, 6, 1, 2), delivery_date=date(2026, 7, 1))
    with session_scope(engine) as s:
        assert backfill_completeness(s, date(2026, 11, 30)) == 2
    assert _complete_at(engine, historic.id) == utc(2025, 3, 8, 16)  # 9 March, 00:00 in Shanghai
    assert _complete_at(engine, early.id) == utc(2026, 6, 1, 2)
    for cid in (historic.id, early.id):
        assert archive_status(engine, spec, cid, date(2026, 11, 30), TZ).timeliness == RecordTimeliness.ON_TIME
