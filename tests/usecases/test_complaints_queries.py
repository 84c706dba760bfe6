"""The complaint log (CP-1, CP-4), its filters, the escalated-or-overdue view (CP-5) and one complaint's detail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.complaints.queries import ComplaintFilter, complaint_detail, complaint_owners, list_complaints
from db.engine import session_scope
from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus, Remedy, Responsibility
from tests.factories import NOW, make_complaint, make_complaint_event, make_customer, make_product, make_user, reader

TZ = "Asia/Shanghai"


@pytest.fixture
def log(engine):
    """Four complaints of two customers, received on four different days, newest CP0000000004."""
    with session_scope(engine) as s:
        desk, lee = make_user(s, display_name="Desk"), make_user(s, display_name="Lee")
        wang = make_customer(s, name="Wang Hardware", phone="13900001111", code="C9000001")
        zhao = make_customer(s, name="Zhao Motors", phone="13722223333", code="C9000002")
        pump = make_product(s, wang, model="P-200")
        make_complaint(s, wang, desk, number="CP0000000001", received_at=NOW - timedelta(days=10),
                       reply_deadline=NOW - timedelta(days=7), status=ComplaintStatus.CLOSED, escalated=True,
                       responsibility=Responsibility.NOT_OURS, cause=ComplaintCause.USAGE, owner_id=lee.id)
        make_complaint(s, wang, desk, number="CP0000000002", received_at=NOW - timedelta(days=5),
                       reply_deadline=NOW - timedelta(hours=1), status=ComplaintStatus.CAPA_REQUESTED,
                       responsibility=Responsibility.OURS, cause=ComplaintCause.QUALITY, owner_id=lee.id,
                       product_id=pump.id, channel=ComplaintChannel.RETURN)
        make_complaint(s, zhao, desk, number="CP0000000003", received_at=NOW - timedelta(days=2),
                       reply_deadline=NOW + timedelta(days=1), escalated=True, product_desc="Gearbox")
        make_complaint(s, zhao, desk, number="CP0000000004", received_at=NOW, reply_deadline=None,
                       channel=ComplaintChannel.LETTER)
        return {"desk": desk.id, "lee": lee.id}


def numbers(engine, now=NOW, **filters) -> list[str]:
    page = list_complaints(engine, reader(), ComplaintFilter(**filters), TZ, now, 1, 25)
    return [r["number"] for r in page.rows]


def test_the_log_lists_every_complaint_newest_first_with_customer_product_and_owner(engine, log):
    page = list_complaints(engine, reader(), ComplaintFilter(), TZ, NOW)
    assert page.total == 4
    assert [r["number"] for r in page.rows] == ["CP0000000004", "CP0000000003", "CP0000000002", "CP0000000001"]
    second = page.rows[2]
    assert (second["customer"], second["product"], second["owner"]) == ("Wang Hardware", "P-200", "Lee")
    assert second["channel"] == ComplaintChannel.RETURN and second["status"] == ComplaintStatus.CAPA_REQUESTED
    assert page.rows[1]["product"] == "Gearbox"


def test_each_row_is_marked_overdue_when_not_closed_and_past_its_reply_deadline(engine, log):
    """CP-5: closed complaints are never overdue; a missing deadline is not overdue."""
    rows = list_complaints(engine, reader(), ComplaintFilter(), TZ, NOW).rows
    assert {r["number"]: r["overdue"] for r in rows} == {
        "CP0000000001": False, "CP0000000002": True, "CP0000000003": False, "CP0000000004": False,
    }


def test_only_escalated_or_overdue_keeps_the_open_ones_the_manager_must_see(engine, log):
    """CP-5: escalated or overdue, until closed — the closed escalated complaint drops out."""
    assert numbers(engine, only_attention=True) == ["CP0000000003", "CP0000000002"]


def test_the_escalated_or_overdue_view_depends_on_the_given_now(engine, log):
    """CP-5: two days later the complaint due tomorrow is overdue too; a day earlier CP0000000002 was not."""
    assert numbers(engine, now=NOW - timedelta(days=1), only_attention=True) == ["CP0000000003"]
    rows = list_complaints(engine, reader(), ComplaintFilter(), TZ, NOW + timedelta(days=2)).rows
    assert [r["number"] for r in rows if r["overdue"]] == ["CP0000000003", "CP0000000002"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"statuses": (ComplaintStatus.RECEIVED,)}, ["CP0000000004", "CP0000000003"]),
    ({"channels": (ComplaintChannel.RETURN, ComplaintChannel.LETTER)}, ["CP0000000004", "CP0000000002"]),
    ({"responsibilities": (Responsibility.OURS,)}, ["CP0000000002"]),
    ({"causes": (ComplaintCause.USAGE, ComplaintCause.QUALITY)}, ["CP0000000002", "CP0000000001"]),
    ({"statuses": (ComplaintStatus.RECEIVED,), "channels": (ComplaintChannel.PHONE,)}, ["CP0000000003"]),
])
def test_enum_filters_keep_only_matching_complaints(engine, log, filters, expected):
    assert numbers(engine, **filters) == expected


def test_the_owner_filter_keeps_that_owners_complaints(engine, log):
    assert numbers(engine, owner_id=log["lee"]) == ["CP0000000002", "CP0000000001"]


def test_the_owner_choices_are_the_users_who_own_complaints(engine, log):
    assert complaint_owners(engine) == {log["lee"]: "Lee"}


def test_the_received_range_counts_whole_office_days(engine, log):
    """NOW is 14:00 in Shanghai on 20 Nov; NOW - 5 days is 15 Nov, NOW - 2 days 18 Nov."""
    assert numbers(engine, received_from=date(2026, 11, 15), received_to=date(2026, 11, 18)) == [
        "CP0000000003", "CP0000000002"]
    assert numbers(engine, received_from=date(2026, 11, 20)) == ["CP0000000004"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Hardware", ["CP0000000002", "CP0000000001"]),
    ("Motors", ["CP0000000004", "CP0000000003"]),
    ("1372", ["CP0000000004", "CP0000000003"]),
    ("2222", []),
    ("CP0000000003", ["CP0000000003"]),
    ("CP00000000", ["CP0000000004", "CP0000000003", "CP0000000002", "CP0000000001"]),
    ("%", []),
])
def test_search_matches_name_fragment_phone_prefix_or_number_prefix(engine, log, text, expected):
    assert numbers(engine, search=text) == expected


def test_the_detail_holds_intake_handling_returned_goods_and_the_history_in_time_order(engine, log):
    """CP-1 intake, CP-2 who and when, CP-3 returned goods for a return."""
    with session_scope(engine) as s:
        desk, boss = make_user(s, display_name="Desk 2"), make_user(s, display_name="Boss")
        customer = make_customer(s, name="Qian Foods", phone="13011112222")
        cp = make_complaint(s, customer, desk, channel=ComplaintChannel.RETURN, return_quantity=40,
                            inspection_full=False, inspection_result="3 of 20 sampled leak",
                            remedy=Remedy.REPLACEMENT, owner_id=boss.id, reopen_count=1,
                            reply_deadline=NOW - timedelta(days=1), defect_quantity=3, product_desc="Valve")
        make_complaint_event(s, cp, boss, at=NOW - timedelta(hours=2), from_status=ComplaintStatus.RECEIVED,
                             to_status=ComplaintStatus.VERIFYING, note="Checking stock")
        make_complaint_event(s, cp, desk, at=NOW - timedelta(hours=5), to_status=ComplaintStatus.RECEIVED)
        cid = cp.id
    detail = complaint_detail(engine, reader(), cid, NOW)
    record = detail["complaint"]
    assert (record["customer"], record["customer_phone"], record["product"]) == ("Qian Foods", "13011112222", "Valve")
    assert (record["received_by"], record["owner"], record["overdue"], record["reopen_count"]) == (
        "Desk 2", "Boss", True, 1)
    assert detail["returned"] == {"return_quantity": 40, "isolated_labelled": None, "inspection_full": False,
                                  "inspected_quantity": None, "defects_found": None,
                                  "inspection_result": "3 of 20 sampled leak", "remedy": Remedy.REPLACEMENT,
                                  "remedy_accepted": None}
    assert [(e["user"], e["to_status"], e["note"]) for e in detail["events"]] == [
        ("Desk 2", ComplaintStatus.RECEIVED, None), ("Boss", ComplaintStatus.VERIFYING, "Checking stock")]


def test_returned_goods_are_left_out_when_the_complaint_did_not_come_with_goods(engine, log):
    """CP-3 applies to the return channel only."""
    page = list_complaints(engine, reader(), ComplaintFilter(channels=(ComplaintChannel.LETTER,)), TZ, NOW)
    detail = complaint_detail(engine, reader(), page.rows[0]["id"], NOW)
    assert detail["returned"] is None
    assert detail["complaint"]["product"] is None and detail["events"] == []


def test_a_missing_complaint_has_no_detail(engine):
    assert complaint_detail(engine, reader(), 999_999, NOW) is None


def test_a_complaint_stored_before_first_response_deadlines_shows_its_promised_reply_as_next_due_cp5(engine):
    """Complaints saved before the first response had a deadline (none stored) show the promised reply."""
    with session_scope(engine) as s:
        desk = make_user(s)
        cp = make_complaint(s, make_customer(s), desk, number="CPOLD0000001", first_response_due=None)
        deadline = cp.reply_deadline
    [row] = list_complaints(engine, reader(), ComplaintFilter(search="CPOLD0000001"), TZ, NOW, 1, 25).rows
    assert row["next_due"] == deadline


@pytest.mark.parametrize("filters", [
    {}, {"search": "Hardware"}, {"search": "CP00000000"}, {"only_attention": True}, {"only_overdue": True},
    {"statuses": (ComplaintStatus.RECEIVED,)}, {"received_from": date(2026, 11, 18), "received_to": date(2026, 11, 19)},
    {"models": ("X1",)}, {"channels": (ComplaintChannel.RETURN,)},
], ids=str)
def test_the_count_is_of_exactly_the_complaints_listed(engine, log, filters):
    """The count is its own cheaper statement (the filters without the display joins): it must agree."""
    page = list_complaints(engine, reader(), ComplaintFilter(**filters), TZ, NOW, 1, 100)
    assert page.total == len(page.rows)
