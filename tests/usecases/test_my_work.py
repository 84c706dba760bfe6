"""My work counts (CB-3, WO-3, WO-5) and the weekly lead activity (L-2), in office days.

NOW is Friday 2026-11-20 14:00 in Shanghai (06:00 UTC); that office day runs from 19th 16:00 UTC to 20th 16:00 UTC."""

from datetime import date, timedelta

import pytest

from core.callbacks.queries import CallbackFilter, queue_counts
from core.errors import Forbidden
from core.my_work.queries import office_today, week_of, weekly_activity, work_order_counts
from db.engine import session_scope
from db.enums import (
    CallbackStatus,
    LeadResult,
    Role,
    WorkOrderStatus,
)
from tests.factories import (
    NOW,
    make_callback,
    make_customer,
    make_lead,
    make_lead_contact,
    make_user,
    make_work_order,
    reader,
    utc,
)

TZ = "Asia/Shanghai"
H = timedelta(hours=1)


def test_today_and_this_week_are_office_days_not_utc_days():
    assert office_today(utc(2026, 11, 20, 16, 30), TZ) == date(2026, 11, 21)
    assert office_today(utc(2026, 11, 20, 15, 30), TZ) == date(2026, 11, 20)
    assert week_of(date(2026, 11, 20)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week_of(date(2026, 11, 16)) == (date(2026, 11, 16), date(2026, 11, 22))


def test_callback_counts_are_the_queues_own_office_day_buckets(engine):
    """CB-3, issue 10 (My work said 16 due today, the queue 15): My work shows the queue's own counts
    (queue_counts). 23:30 Shanghai on the 20th (15:30 UTC) is due today; 00:30 on the 21st (16:30 UTC on the
    20th) is later. A callback due at 07:00 today is overdue at 14:00, and counted there only."""
    with session_scope(engine) as s:
        c = make_customer(s)
        make_callback(s, c, due_end=utc(2026, 11, 20, 15, 30))  # due today, later
        make_callback(s, c, due_end=utc(2026, 11, 19, 23, 0))  # due today 07:00, overdue
        make_callback(s, c, status=CallbackStatus.IN_PROGRESS, due_end=utc(2026, 11, 18, 3, 0))  # overdue
        make_callback(s, c, due_end=utc(2026, 11, 20, 16, 30))  # tomorrow in Shanghai
        make_callback(s, c, status=CallbackStatus.COMPLETED, due_end=NOW - H, completed_at=utc(2026, 11, 19, 16, 30))
        make_callback(s, c, status=CallbackStatus.NOT_COMPLETED, due_end=NOW - 48 * H, completed_at=NOW - H)
        make_callback(s, c, status=CallbackStatus.COMPLETED, due_end=NOW - 48 * H,
                      completed_at=utc(2026, 11, 19, 15, 30))  # 23:30 yesterday in Shanghai
        make_callback(s, c, status=CallbackStatus.CANCELLED, due_end=NOW - H)
    assert queue_counts(engine, reader(), CallbackFilter(), TZ, NOW) == {"overdue": 2, "today": 1, "later": 1}


def test_late_evening_is_still_today_in_the_office_though_the_utc_date_is_the_same(engine):
    """At 23:00 Shanghai (15:00 UTC) a callback due 23:30 is due today and not yet overdue."""
    with session_scope(engine) as s:
        make_callback(s, make_customer(s), due_end=utc(2026, 11, 20, 15, 30))
    counts = queue_counts(engine, reader(), CallbackFilter(), TZ, utc(2026, 11, 20, 15, 0))
    assert (counts["today"], counts["overdue"]) == (1, 0)
    counts = queue_counts(engine, reader(), CallbackFilter(), TZ, utc(2026, 11, 20, 16, 30))  # 00:30 on the 21st
    assert (counts["today"], counts["overdue"]) == (0, 1)


def test_viewing_as_one_person_counts_only_their_share(engine):
    """Callbacks assigned to them, work orders they took in or repair."""
    with session_scope(engine) as s:
        c, ann, bob = make_customer(s), make_user(s), make_user(s, role=Role.ENGINEER)
        make_callback(s, c, assignee_id=ann.id, due_end=NOW - H)
        make_callback(s, c, assignee_id=bob.id, due_end=NOW - H)
        make_callback(s, c, due_end=NOW - H)
        make_work_order(s, c, ann)  # taken in by Ann
        make_work_order(s, c, bob, technician_id=ann.id, status=WorkOrderStatus.COMPLETED)  # repaired by Ann
        make_work_order(s, c, bob)
        ann_id = ann.id
    mine, office = work_order_counts(engine, reader(), ann_id), work_order_counts(engine, reader())
    assert mine == {"wo_new": 1, "wo_awaiting_acceptance": 1}
    assert office == {"wo_new": 2, "wo_awaiting_acceptance": 1}
    assert queue_counts(engine, reader(), CallbackFilter(assignee_id=ann_id), TZ, NOW)["overdue"] == 1


def test_work_orders_new_and_awaiting_acceptance_are_counted_by_stage(engine):
    """WO-3 not dispatched; WO-5 completed or returned and not yet accepted: the manager's two work-order tiles,
    the only counts My work shows besides the callback queue's own."""
    with session_scope(engine) as s:
        c, u = make_customer(s), make_user(s)
        for status in (WorkOrderStatus.NEW, WorkOrderStatus.NEW, WorkOrderStatus.DISPATCHED, WorkOrderStatus.PENDING,
                       WorkOrderStatus.COMPLETED, WorkOrderStatus.RETURNED, WorkOrderStatus.ACCEPTED,
                       WorkOrderStatus.CLOSED):
            make_work_order(s, c, u, status=status)
    assert work_order_counts(engine, reader()) == {"wo_new": 2, "wo_awaiting_acceptance": 2}


def test_an_empty_office_counts_zero_and_only_who_reads_work_orders_counts_them(engine):
    assert work_order_counts(engine, reader()) == {"wo_new": 0, "wo_awaiting_acceptance": 0}
    with pytest.raises(Forbidden):
        work_order_counts(engine, reader(Role.ADMIN))


def test_weekly_activity_sums_this_office_week_per_specialist(engine):
    """L-2: dialed = contacts, completed = answered, appointments, recommendations, sales and their amount,
    Monday 00:00 to Sunday 24:00 in the office."""
    with session_scope(engine) as s:
        ann, bob = make_user(s, display_name="Ann"), make_user(s, display_name="Bob")
        lead = make_lead(s)
        monday_early = utc(2026, 11, 15, 16, 30)  # Mon 16th 00:30 Shanghai
        for result in (LeadResult.NO_ANSWER, LeadResult.TALKED, LeadResult.APPOINTMENT, LeadResult.APPOINTMENT,
                       LeadResult.RECOMMENDATION):
            make_lead_contact(s, lead, ann, result=result, contacted_at=monday_early)
        make_lead_contact(s, lead, ann, result=LeadResult.SALE, sale_amount_cents=1_000_050)
        make_lead_contact(s, lead, ann, result=LeadResult.SALE, sale_amount_cents=250)
        make_lead_contact(s, lead, bob, result=LeadResult.NO_ANSWER)
        make_lead_contact(s, lead, bob, result=LeadResult.SALE, contacted_at=utc(2026, 11, 15, 15, 30))  # last week
        make_lead_contact(s, lead, bob, result=LeadResult.SALE, contacted_at=utc(2026, 11, 22, 16, 0))  # next week
    df = weekly_activity(engine, NOW, TZ)
    assert df.to_dict("records") == [
        {"specialist": "Ann", "dialed": 7, "completed": 6, "appointments": 2, "recommendations": 1, "sales": 2,
         "sales_amount_cents": 1_000_300},
        {"specialist": "Bob", "dialed": 1, "completed": 0, "appointments": 0, "recommendations": 0, "sales": 0,
         "sales_amount_cents": 0},
    ]


def test_weekly_activity_narrows_to_one_person_and_is_empty_without_contacts(engine):
    with session_scope(engine) as s:
        ann, bob = make_user(s, display_name="Ann"), make_user(s, display_name="Bob")
        lead = make_lead(s)
        make_lead_contact(s, lead, ann)
        make_lead_contact(s, lead, bob)
        bob_id = bob.id
    assert list(weekly_activity(engine, NOW, TZ, bob_id)["specialist"]) == ["Bob"]
    empty = weekly_activity(engine, NOW + timedelta(days=14), TZ)
    assert empty.empty and "dialed" in empty.columns
