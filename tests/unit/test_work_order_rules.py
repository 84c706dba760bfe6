"""The work order's pure rules (WO-1, WO-5, WO-6, WO-8) and each move's step: intake refusals, the number,
when a delay reason is due, the acceptance checklist for every combination of missing items with and
without a special approval, finance's week, what each move asks for, and the signature pad's PNG."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from itertools import combinations

import pytest
from PIL import Image, ImageDraw

from core.errors import FieldErrors, Invalid
from core.office.settings import Office
from core.work_orders import rules, signature
from core.work_orders.flow import Context, Move
from core.work_orders.steps import Incomplete, MoveInput, Mover, check_step
from db.enums import PendingReason, ServiceType, WorkOrderStatus

W = WorkOrderStatus
NOW = datetime(2026, 11, 20, 6, tzinfo=UTC)
INTAKE = NOW - timedelta(hours=10)
OFFICE = Office()
ITEMS = ("technician_signature", "countersign", "customer_signature", "completion", "service_time",
         "delay_reason", "fee", "return")
SUBSETS = [frozenset(c) for n in range(len(ITEMS) + 1) for c in combinations(ITEMS, n)]


def intake(**kw) -> rules.NewWorkOrder:
    fields = {"customer_id": 1, "product_id": None, "contact_name": "Ann Lee", "phone": "13800000001",
              "address": "8 Canal Road", "request": "The pump hums loudly and stops", "service_type": "A",
              "read_back": True} | kw
    return rules.NewWorkOrder(**fields)


def test_a_complete_intake_is_cleaned_and_marked_read_back():
    fields = rules.check_intake(intake(contact_name="  Ann Lee ", service_type="C"))
    assert fields["contact_name"] == "Ann Lee" and fields["service_type"] == ServiceType.WARRANTY
    assert fields["read_back_confirmed"] is True


@pytest.mark.parametrize("request_text, key", [
    (None, "wo.request_required"), ("fix", "wo.request_vague"), ("fix it", "wo.request_vague"),
    ("水泵坏了", "wo.request_vague"),
], ids=["none", "one-word", "short", "short-chinese"])
def test_a_vague_request_is_refused(request_text, key):
    """WO-1: what to repair, specifically (more than one word, at least 8 characters; six Chinese ones)."""
    with pytest.raises(Invalid) as err:
        rules.check_intake(intake(request=request_text))
    assert err.value.key == key


@pytest.mark.parametrize("phone, key", [("", "wo.phone_required"), ("abc", "wo.phone_bad"), ("12", "wo.phone_bad")])
def test_the_orders_phone_is_one_the_customer_can_be_reached_on(phone, key):
    """WO-1/WO-6: the sender guarantees the intake fields: a phone is checked as the archive's phones are."""
    with pytest.raises(Invalid) as err:
        rules.check_intake(intake(phone=phone))
    assert err.value.key == key
    assert rules.check_intake(intake(phone=" 138-0000-0001 "))["phone"]


def test_a_specific_chinese_request_passes():
    assert rules.check_intake(intake(request="水泵运行十分钟后停机"))["request"] == "水泵运行十分钟后停机"


def test_nothing_goes_to_engineering_before_the_read_back():
    with pytest.raises(FieldErrors) as err:
        rules.check_intake(intake(read_back=False, service_type="E"))
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "read_back": "wo.read_back_required", "service_type": "wo.service_type_required"}


def test_the_number_counts_per_office_month():
    assert rules.number_prefix(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), "Asia/Shanghai") == "WO202612-"
    assert rules.order_number("WO202611-", 42) == "WO202611-000042"


@pytest.mark.parametrize("hours, due", [(47, False), (48, False), (48.01, True)])
def test_a_delay_reason_is_due_past_the_target(hours, due):
    """WO-6: completed later than work_order.repair_target_hours (48 by default) after intake."""
    wo = {"intake_at": INTAKE, "completed_at": INTAKE + timedelta(hours=hours)}
    assert rules.delay_due(wo, OFFICE) is due


def returned(lacking: frozenset[str], approved: bool = False) -> tuple[dict, bool, bool]:
    """A returned paid order with everything but `lacking`; with the signatures' flags."""
    done = INTAKE + (timedelta(hours=60) if "delay_reason" in lacking else timedelta(hours=2))
    has = {item: item not in lacking for item in ITEMS}
    wo = {"status": W.RETURNED, "service_type": ServiceType.PAID, "intake_at": INTAKE, "completed_at": done,
          "manager_countersigned_at": done if has["countersign"] else None,
          "work_done": "Replaced the bearing" if has["completion"] else None, "incomplete_reason": None,
          "service_started_at": INTAKE if has["service_time"] else None,
          "service_ended_at": done if has["service_time"] else None, "delay_reason": None,
          "fee_cents": 100 if has["fee"] else None, "returned_at": done if has["return"] else None,
          "return_signed_by_id": 4 if has["return"] else None, "special_approval_at": NOW if approved else None}
    return wo, has["technician_signature"], has["customer_signature"]


@pytest.mark.parametrize("approved", [False, True], ids=["plain", "approved"])
@pytest.mark.parametrize("lacking", SUBSETS, ids=lambda c: "+".join(i for i in ITEMS if i in c) or "complete")
def test_the_checklist_names_exactly_what_is_missing(lacking, approved):
    """WO-5/WO-6: each missing item, in the desk's order; a special approval waives the signatures and
    completion (rules.WAIVABLE), never the receiver's facts."""
    wo, tech, customer = returned(lacking, approved)
    expected = [i for i in ITEMS if i in lacking and not (approved and i in rules.WAIVABLE)]
    assert rules.missing(wo, tech, customer, OFFICE) == expected


def test_an_incompletion_reason_stands_for_the_work_done_and_a_free_order_needs_no_fee():
    wo, tech, customer = returned(frozenset({"completion", "fee"}))
    wo |= {"incomplete_reason": "Part discontinued", "service_type": ServiceType.WARRANTY}
    assert rules.missing(wo, tech, customer, OFFICE) == []


def test_finance_week_is_the_office_week_of_acceptance():
    """WO-8: Monday to Sunday in office time: Sunday 23:00 in Shanghai is still that week."""
    assert rules.week_start(date(2026, 11, 22)) == date(2026, 11, 16)
    assert rules.finance_week(datetime(2026, 11, 22, 15, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 16)
    assert rules.finance_week(datetime(2026, 11, 22, 16, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 23)


def step(mv: Move, wo: dict | None = None, ctx: Context | None = None, **kw) -> tuple[dict, str | None]:
    order = {"status": W.IN_REPAIR, "intake_at": INTAKE, "service_started_at": INTAKE + timedelta(hours=1)}
    return check_step(mv, MoveInput(**kw), order | (wo or {}), Mover(9, NOW, ctx or Context(), OFFICE))


def test_each_move_records_who_and_when():
    """WO-3, WO-6: dispatch, return and acceptance keep who and when; receipt and closing when."""
    assert step(Move.DISPATCH, technician_id=4) == (
        {"technician_id": 4, "dispatched_at": NOW, "dispatched_by_id": 9}, None)
    assert step(Move.RECEIVE, note="On my way") == ({"received_at": NOW}, "On my way")
    assert step(Move.RETURN)[0] == {"returned_at": NOW, "return_signed_by_id": 9}
    assert step(Move.REPAIR)[0] == {"service_started_at": NOW}
    wo, tech, customer = returned(frozenset())
    assert step(Move.ACCEPT, wo, Context(tech, customer))[0] == {"accepted_at": NOW, "accepted_by_id": 9}


def test_pending_remembers_where_it_waited_and_resume_forgets():
    changes, _ = step(Move.PEND, {"status": W.SURVEY}, pending_reason="parts")
    assert changes == {"pending_reason": PendingReason.PARTS, "pending_from": W.SURVEY}
    assert step(Move.RESUME)[0] == {"pending_reason": None, "pending_from": None}


def test_completion_keeps_the_stored_start_and_names_every_gap():
    changes, _ = step(Move.COMPLETE, service_ended_at=NOW, work_done="Replaced the bearing, tested")
    assert changes["service_started_at"] == INTAKE + timedelta(hours=1) and changes["completed_at"] == NOW
    with pytest.raises(FieldErrors) as err:
        step(Move.COMPLETE, {"service_started_at": None, "intake_at": NOW - timedelta(hours=60)},
             service_ended_at=datetime(2026, 11, 20, 6), work_done=" ")
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "service_started_at": "wo.move.service_started_at_required",
        "service_ended_at": "wo.move.service_ended_at_required", "work_done": "wo.move.work_done_required",
        "delay_reason": "wo.move.delay_reason_required"}


def test_acceptance_refuses_with_the_list():
    wo, tech, customer = returned(frozenset({"fee", "return"}))
    with pytest.raises(Incomplete) as err:
        step(Move.ACCEPT, wo, Context(tech, customer))
    assert err.value.missing == ["wo.missing.fee", "wo.missing.return"]


def png(width=200, height=80, line=True, mode="RGBA", background=(0, 0, 0, 0)) -> bytes:
    im = Image.new(mode, (width, height), background)
    if line:
        ImageDraw.Draw(im).line([(5, 70), (100, 10), (195, 60)], fill="black", width=3)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def test_a_drawn_signature_passes_on_a_clear_or_a_white_pad():
    """WO-5: strokes on the pad's transparent background, or on white; the sha256 is returned."""
    for data in (png(), png(mode="RGB", background="white")):
        assert len(signature.check_png(data)) == 64


@pytest.mark.parametrize("data, key", [
    (png(line=False), "wo.sign.blank"), (png(mode="RGB", background="white", line=False), "wo.sign.blank"),
    (b"", "wo.sign.not_png"), ("not bytes", "wo.sign.not_png"), (png()[:60], "wo.sign.not_png"),
    (png(4001, 10, line=False), "wo.sign.too_large"),
], ids=["clear", "white", "empty", "text", "truncated", "too-wide"])
def test_a_blank_or_unreadable_pad_is_refused(data, key):
    with pytest.raises(Invalid) as err:
        signature.check_png(data)
    assert err.value.key == key
