"""The callback queue and detail (CB-1, CB-2, CB-5..CB-9, C-2, C-3) against a real database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from core.callbacks.queries import CallbackFilter, assignees, callback_detail, list_callbacks, queue_counts
from db.engine import session_scope
from db.enums import (
    ArchiveValidity,
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CallOutcome,
    Channel,
    CustomerGrade,
    Role,
    Satisfaction,
)
from tests.factories import NOW, make_attempt, make_callback, make_customer, make_user, reader

TZ = "Asia/Shanghai"
H = timedelta(hours=1)


def _ids(page) -> list[int]:
    return [r["id"] for r in page.rows]


def test_queue_puts_open_work_first_overdue_leading_then_finished_work_latest_first(engine):
    """CB-3: open and in-progress callbacks come before finished ones, the overdue leading; finished ones
    follow, the latest finished first, those never finished (cancelled) last."""
    with session_scope(engine) as s:
        c = make_customer(s)
        later = make_callback(s, c, due_end=NOW + 48 * H).id
        done = make_callback(s, c, status=CallbackStatus.COMPLETED, due_end=NOW - 96 * H, completed_at=NOW - H).id
        soon = make_callback(s, c, status=CallbackStatus.IN_PROGRESS, due_end=NOW + H).id
        overdue = make_callback(s, c, due_end=NOW - 24 * H).id
        failed = make_callback(s, c, status=CallbackStatus.NOT_COMPLETED, due_end=NOW - 200 * H,
                               completed_at=NOW - 30 * H).id
        cancelled = make_callback(s, c, status=CallbackStatus.CANCELLED, due_end=NOW - 300 * H).id
    page = list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW)
    assert _ids(page) == [overdue, soon, later, done, failed, cancelled]
    assert [r["overdue"] for r in page.rows] == [True, False, False, False, False, False]
    assert all(type(r["overdue"]) is bool for r in page.rows)
    assert page.total == 6


def test_the_counts_at_the_top_split_open_work_into_overdue_due_today_and_after_today(engine):
    """The queue's counts: open and in-progress work only; today is the office's day (NOW is 14:00 in
    Shanghai, the day ends 16:00 UTC); every filter applies, so each count is the list a tile opens (a status
    filter of finished work alone counts none)."""
    with session_scope(engine) as s:
        ann, bo, c = make_user(s), make_user(s), make_customer(s)
        mine = dict(assignee_id=ann.id)
        make_callback(s, c, due_end=NOW - H, **mine)  # overdue
        make_callback(s, c, status=CallbackStatus.IN_PROGRESS, due_end=NOW - 30 * H, **mine)  # overdue
        make_callback(s, c, due_end=NOW + H, **mine)  # due today (15:00 Shanghai)
        make_callback(s, c, due_end=NOW + 11 * H, **mine)  # tomorrow 01:00 Shanghai: upcoming
        make_callback(s, c, kind=CallbackKind.BIRTHDAY, due_end=NOW + 48 * H, **mine)  # upcoming
        make_callback(s, c, status=CallbackStatus.COMPLETED, due_end=NOW - H, completed_at=NOW, **mine)
        make_callback(s, c, due_end=NOW - H, assignee_id=bo.id)  # someone else's
    ann_only = CallbackFilter(assignee_id=ann.id)
    assert queue_counts(engine, reader(), ann_only, TZ, NOW) == {"overdue": 2, "today": 1, "later": 2}
    finished = CallbackFilter(statuses=(CallbackStatus.COMPLETED,), assignee_id=ann.id)
    assert queue_counts(engine, reader(), finished, TZ, NOW) == {"overdue": 0, "today": 0, "later": 0}
    for bucket, count in queue_counts(engine, reader(), ann_only, TZ, NOW).items():  # a tile opens what it counts
        assert list_callbacks(engine, reader(), replace(ann_only, due=bucket), TZ, NOW).total == count
    assert queue_counts(engine, reader(), CallbackFilter(), TZ, NOW) == {"overdue": 3, "today": 1, "later": 2}
    birthdays = CallbackFilter(kinds=(CallbackKind.BIRTHDAY,), assignee_id=ann.id)
    assert queue_counts(engine, reader(), birthdays, TZ, NOW) == {"overdue": 0, "today": 0, "later": 1}


def test_a_page_that_straddles_open_and_finished_work_takes_from_both_in_order(engine):
    with session_scope(engine) as s:
        c = make_customer(s)
        open_ids = [make_callback(s, c, due_end=NOW + i * H).id for i in range(3)]
        done_ids = [make_callback(s, c, status=CallbackStatus.COMPLETED, completed_at=NOW - i * H).id
                    for i in range(3)]
    pages = [list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, n, 2) for n in (1, 2, 3)]
    assert [_ids(p) for p in pages] == [open_ids[:2], [open_ids[2], done_ids[0]], done_ids[1:]]
    assert list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, 9, 2).page == 3


def test_vip_then_key_customers_come_before_normal_ones_at_equal_due_time(engine):
    """C-2: key customers get priority; the due time still decides first."""
    with session_scope(engine) as s:
        due = NOW + 5 * H
        normal = make_callback(s, make_customer(s), due_end=due).id
        key = make_callback(s, make_customer(s, grade=CustomerGrade.KEY), due_end=due).id
        vip = make_callback(s, make_customer(s, grade=CustomerGrade.VIP), due_end=due).id
        earlier_normal = make_callback(s, make_customer(s), due_end=due - H).id
    assert _ids(list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW)) == [earlier_normal, vip, key, normal]


def test_filters_on_status_kind_level_and_assignee_combine(engine):
    """CB-1 levels and CB-2 kinds are filters of the queue."""
    with session_scope(engine) as s:
        c, ann = make_customer(s), make_user(s, display_name="Ann")
        hit = make_callback(s, c, kind=CallbackKind.AFTER_REPAIR, level=CallbackLevel.L2, assignee_id=ann.id).id
        make_callback(s, c, kind=CallbackKind.AFTER_REPAIR, level=CallbackLevel.L2)
        make_callback(s, c, kind=CallbackKind.AFTER_REPAIR, level=CallbackLevel.L1, assignee_id=ann.id)
        make_callback(s, c, kind=CallbackKind.FIRST, level=CallbackLevel.L2, assignee_id=ann.id)
        make_callback(s, c, kind=CallbackKind.AFTER_REPAIR, level=CallbackLevel.L2, assignee_id=ann.id,
                      status=CallbackStatus.CANCELLED)
        ann_id = ann.id
    flt = CallbackFilter(statuses=(CallbackStatus.OPEN,), kinds=(CallbackKind.AFTER_REPAIR,),
                         levels=(CallbackLevel.L2,), assignee_id=ann_id)
    page = list_callbacks(engine, reader(), flt, TZ, NOW)
    assert _ids(page) == [hit]
    assert page.rows[0]["assignee"] == "Ann"


def test_due_range_counts_whole_office_days_of_due_end(engine):
    """A due_end at 23:30 Shanghai on the 20th (15:30 UTC) belongs to the 20th; 00:30 on the 21st does not."""
    with session_scope(engine) as s:
        c = make_customer(s)
        late_evening = make_callback(s, c, due_end=datetime(2026, 11, 20, 15, 30, tzinfo=UTC)).id
        early_morning = make_callback(s, c, due_end=datetime(2026, 11, 19, 16, 30, tzinfo=UTC)).id
        make_callback(s, c, due_end=datetime(2026, 11, 20, 16, 30, tzinfo=UTC))
        make_callback(s, c, due_end=datetime(2026, 11, 19, 15, 30, tzinfo=UTC))
    flt = CallbackFilter(due_from=date(2026, 11, 20), due_to=date(2026, 11, 20))
    assert _ids(list_callbacks(engine, reader(), flt, TZ, NOW)) == [early_morning, late_evening]


def test_search_finds_callbacks_by_customer_name_or_phone_prefix(engine):
    with session_scope(engine) as s:
        wang = make_callback(s, make_customer(s, name="王小明", phone="13900001111")).id
        li = make_callback(s, make_customer(s, name="Li Lei", phone="13700002222")).id
        make_callback(s, make_customer(s, name="Zhang", phone="13600003333"))
    assert _ids(list_callbacks(engine, reader(), CallbackFilter(search="小明"), TZ, NOW)) == [wang]
    assert _ids(list_callbacks(engine, reader(), CallbackFilter(search="137"), TZ, NOW)) == [li]
    assert list_callbacks(engine, reader(), CallbackFilter(search="%"), TZ, NOW).total == 0


def test_list_rows_carry_the_customer_assignee_and_attempt_count(engine):
    with session_scope(engine) as s:
        c, ann = make_customer(s, name="Acme", phone="021555"), make_user(s, display_name="Ann")
        make_callback(s, c, assignee_id=ann.id, attempts_count=2)
    row = list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW).rows[0]
    assert (row["customer"], row["phone"], row["assignee"], row["attempts_count"]) == ("Acme", "021555", "Ann", 2)
    assert row["kind"] is CallbackKind.NEW_CUSTOMER and row["status"] is CallbackStatus.OPEN


def test_pages_hold_the_requested_size_and_count_all_matches(engine):
    with session_scope(engine) as s:
        c = make_customer(s)
        for i in range(7):
            make_callback(s, c, due_end=NOW + i * H)
    page = list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, page=2, page_size=3)
    assert (len(page.rows), page.total, page.pages, page.page) == (3, 7, 3, 2)


def test_assignees_are_the_active_staff_who_make_callbacks(engine):
    """CB-1: specialists (L1), the manager (L2) and the director (L3) make callbacks."""
    with session_scope(engine) as s:
        spec = make_user(s, display_name="B spec").id
        mgr = make_user(s, display_name="A mgr", role=Role.MANAGER).id
        make_user(s, display_name="C eng", role=Role.ENGINEER)
        make_user(s, display_name="D gone", active=False)
    assert assignees(engine) == {mgr: "A mgr", spec: "B spec"}


def test_detail_shows_the_customer_card_and_attempts_in_time_order_verbatim(engine):
    """CB-5 channel, CB-6 outcome, CB-7 satisfaction, score and the customer's words, CB-8 promised reply,
    CB-9 QA score, C-2 grade and C-3 validity on the card."""
    with session_scope(engine) as s:
        c = make_customer(s, name="Acme", grade=CustomerGrade.VIP, validity=ArchiveValidity.UNREACHABLE)
        ann, bob = make_user(s, display_name="Ann"), make_user(s, display_name="Bob")
        cb = make_callback(s, c, kind=CallbackKind.COMPLAINT, purpose="Ask about the repair", assignee_id=ann.id,
                           due_end=NOW - H)
        make_attempt(s, cb, bob, attempted_at=NOW - 2 * H, channel=Channel.WECHAT, outcome=CallOutcome.REACHED,
                     satisfaction=Satisfaction.DISSATISFIED, score=2, dissatisfaction_reason="Too slow",
                     questions="<b>When</b> will the part arrive?", suggestions="Call before coming",
                     promised_reply_at=NOW + 24 * H, qa_score=9)
        make_attempt(s, cb, ann, attempted_at=NOW - 5 * H, outcome=CallOutcome.NOT_REACHED)
        cb_id = cb.id
    d = callback_detail(engine, reader(), cb_id, NOW)
    assert d["callback"]["purpose"] == "Ask about the repair" and d["callback"]["assignee"] == "Ann"
    assert d["callback"]["overdue"] is True
    assert (d["customer"]["name"], d["customer"]["grade"], d["customer"]["validity"]) == (
        "Acme", CustomerGrade.VIP, ArchiveValidity.UNREACHABLE)
    first, second = d["attempts"]
    assert (first["caller"], first["outcome"]) == ("Ann", CallOutcome.NOT_REACHED)
    assert (second["caller"], second["channel"], second["satisfaction"], second["score"]) == (
        "Bob", Channel.WECHAT, Satisfaction.DISSATISFIED, 2)
    assert second["questions"] == "<b>When</b> will the part arrive?"
    assert (second["dissatisfaction_reason"], second["suggestions"], second["qa_score"]) == (
        "Too slow", "Call before coming", 9)
    assert second["promised_reply_at"] == NOW + 24 * H


def test_detail_of_a_missing_callback_is_none(engine):
    assert callback_detail(engine, reader(), 999_999, NOW) is None


def test_a_chosen_sort_orders_the_whole_filtered_queue_with_the_id_breaking_ties(engine):
    """Issue 10: sorting sorts the whole list in SQL, not the page on screen; equal names keep id order."""
    with session_scope(engine) as s:
        names = ["Chen", "Ali", "Bo", "Ali", "Dai"]
        ids = [make_callback(s, make_customer(s, name=n), due_end=NOW + i * H).id for i, n in enumerate(names)]
    by_name = [list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, n, 2, "customer") for n in (1, 2, 3)]
    assert [_ids(p) for p in by_name] == [[ids[1], ids[3]], [ids[2], ids[0]], [ids[4]]]
    down = list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, 1, 5, "-customer")
    assert _ids(down) == [ids[4], ids[0], ids[2], ids[3], ids[1]]


def test_a_sort_key_that_is_no_listed_column_gives_the_queue_order(engine):
    with session_scope(engine) as s:
        c = make_customer(s)
        ids = [make_callback(s, c, due_end=NOW + i * H).id for i in range(3)]
    for sort in ("due_end; DROP TABLE callbacks", "password_hash", "-", "", None):
        assert _ids(list_callbacks(engine, reader(), CallbackFilter(), TZ, NOW, sort=sort)) == ids


def test_the_due_bucket_keeps_open_work_overdue_due_today_or_due_after_today(engine):
    with session_scope(engine) as s:
        c = make_customer(s)
        overdue = make_callback(s, c, due_end=NOW - H).id
        today = make_callback(s, c, due_end=NOW + H).id
        later = make_callback(s, c, due_end=NOW + 48 * H).id
        make_callback(s, c, status=CallbackStatus.COMPLETED, due_end=NOW - H, completed_at=NOW)
    picked = {b: _ids(list_callbacks(engine, reader(), CallbackFilter(due=b), TZ, NOW)) for b in
              ("overdue", "today", "later")}
    assert picked == {"overdue": [overdue], "today": [today], "later": [later]}
