"""My work counts (CB-3, CP-5, WO-3, WO-4, WO-5, L-1) and the weekly lead activity (L-2), in office days.

NOW is Friday 2026-11-20 14:00 in Shanghai (06:00 UTC); that office day runs from 19th 16:00 UTC to 20th 16:00 UTC."""

from datetime import date, timedelta

from core.callbacks.queries import CallbackFilter, queue_counts
from core.my_work.queries import office_today, today_counts, week_of, weekly_activity
from db.engine import session_scope
from db.enums import (
    CallbackStatus,
    ComplaintStatus,
    LeadResult,
    LeadStatus,
    PendingReason,
    Role,
    WorkOrderStatus,
)
from tests.factories import (
    NOW,
    make_callback,
    make_complaint,
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
    """Callbacks assigned to them, complaints they own, orders they took in or repair, leads they follow."""
    with session_scope(engine) as s:
        c, ann, bob = make_customer(s), make_user(s), make_user(s, role=Role.ENGINEER)
        make_callback(s, c, assignee_id=ann.id, due_end=NOW - H)
        make_callback(s, c, assignee_id=bob.id, due_end=NOW - H)
        make_callback(s, c, due_end=NOW - H)
        make_complaint(s, c, bob, owner_id=ann.id)
        make_complaint(s, c, ann, owner_id=bob.id)
        make_work_order(s, c, ann)  # taken in by Ann
        make_work_order(s, c, bob, technician_id=ann.id, status=WorkOrderStatus.IN_REPAIR)  # repaired by Ann
        make_work_order(s, c, bob)
        make_lead(s, specialist_id=ann.id)
        make_lead(s, specialist_id=bob.id)
        ann_id = ann.id
    mine, office = today_counts(engine, NOW, TZ, ann_id), today_counts(engine, NOW, TZ)
    assert [mine[k] for k in ("cp_open", "wo_new", "wo_in_progress", "lead_due")] == [1, 1, 1, 1]
    assert [office[k] for k in ("cp_open", "wo_new", "wo_in_progress", "lead_due")] == [2, 2, 1, 2]
    assert queue_counts(engine, reader(), CallbackFilter(assignee_id=ann_id), TZ, NOW)["overdue"] == 1


def test_complaints_open_overdue_and_escalated_until_closed(engine):
    """CP-5: an escalated or overdue complaint is counted until it is closed; overdue = reply_deadline passed
    without a reply."""
    with session_scope(engine) as s:
        c, u = make_customer(s), make_user(s)
        make_complaint(s, c, u)  # open, deadline ahead
        make_complaint(s, c, u, status=ComplaintStatus.VERIFYING, reply_deadline=NOW - H)  # overdue
        make_complaint(s, c, u, status=ComplaintStatus.REPLIED, reply_deadline=NOW - H, replied_at=NOW - 2 * H)
        make_complaint(s, c, u, escalated=True, reply_deadline=NOW - H)  # overdue and escalated
        make_complaint(s, c, u, status=ComplaintStatus.CLOSED, escalated=True, reply_deadline=NOW - H)
        make_complaint(s, c, u, reply_deadline=None)
    counts = today_counts(engine, NOW, TZ)
    assert (counts["cp_open"], counts["cp_overdue"], counts["cp_escalated"]) == (5, 2, 1)


def test_work_order_counts_by_stage_and_pending_reason(engine):
    """WO-3 not dispatched, WO-4 in progress and pending by reason, WO-5 completed but not yet accepted."""
    with session_scope(engine) as s:
        c, u = make_customer(s), make_user(s)
        for status in (WorkOrderStatus.NEW, WorkOrderStatus.NEW, WorkOrderStatus.DISPATCHED,
                       WorkOrderStatus.RECEIVED, WorkOrderStatus.SURVEY, WorkOrderStatus.IN_REPAIR,
                       WorkOrderStatus.ACCEPTED, WorkOrderStatus.CLOSED):
            make_work_order(s, c, u, status=status)
        for reason in (PendingReason.PARTS, PendingReason.PARTS, PendingReason.APPROVAL, None):
            make_work_order(s, c, u, status=WorkOrderStatus.PENDING, pending_reason=reason)
        make_work_order(s, c, u, status=WorkOrderStatus.COMPLETED, completed_at=utc(2026, 11, 19, 16, 30))
        make_work_order(s, c, u, status=WorkOrderStatus.RETURNED, completed_at=utc(2026, 11, 19, 15, 30))
        make_work_order(s, c, u, status=WorkOrderStatus.ACCEPTED, completed_at=NOW - H, accepted_at=NOW)
    counts = today_counts(engine, NOW, TZ)
    assert (counts["wo_new"], counts["wo_in_progress"], counts["wo_pending"]) == (2, 4, 4)
    assert counts["pending_by_reason"] == {PendingReason.PARTS: 2, PendingReason.APPROVAL: 1, None: 1}
    assert (counts["wo_completed_today"], counts["wo_awaiting_acceptance"]) == (2, 2)


def test_lead_follow_ups_due_by_the_end_of_the_office_day_are_counted(engine):
    """L-1: open leads whose next follow-up is today or already past."""
    with session_scope(engine) as s:
        make_lead(s, next_follow_up=NOW - 72 * H)
        make_lead(s, next_follow_up=utc(2026, 11, 20, 15, 30))  # 23:30 today
        make_lead(s, next_follow_up=utc(2026, 11, 20, 16, 30))  # 00:30 tomorrow
        make_lead(s, next_follow_up=NOW - H, status=LeadStatus.WON)
        make_lead(s, next_follow_up=None)
    assert today_counts(engine, NOW, TZ)["lead_due"] == 2


def test_an_empty_office_counts_zero_everywhere(engine):
    counts = today_counts(engine, NOW, TZ)
    assert counts.pop("pending_by_reason") == {}
    assert set(counts.values()) == {0}


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
