"""The signatures and the acceptance gate (WO-5, WO-6), on SQLite and PostgreSQL: acceptance refused for every
combination of missing items with exactly those listed, a manager's special approval, "nobody signs for
somebody else" for each signature and the countersign, and the pad's PNG checked."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from itertools import combinations

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.errors import DomainError, Forbidden, Invalid
from core.work_orders import queries, services
from core.work_orders.flow import Move, NotNow
from core.work_orders.steps import Incomplete
from db.engine import session_scope
from db.enums import ServiceType, SignatureKind, WorkOrderStatus
from db.models import User, WorkOrder, WorkOrderSignature
from tests.factories import NOW, make_customer, make_work_order
from tests.work_orders import audit_trail, drawn_png, move, office_people, order_at, sign, version

W = WorkOrderStatus
T, C = SignatureKind.TECHNICIAN, SignatureKind.CUSTOMER
ITEMS = ("technician_signature", "countersign", "customer_signature", "completion", "service_time",
         "delay_reason", "fee", "return")
PNG = drawn_png()
ACCEPT_AT = NOW + timedelta(days=5)


@pytest.fixture
def p(engine):
    return office_people(engine)


def returned_order(engine, p, lacking: frozenset[str]) -> int:
    """A paid order returned to the desk with everything WO-5/WO-6 asks for except `lacking`."""
    has = {item: item not in lacking for item in ITEMS}
    end = NOW + (timedelta(hours=100) if not has["delay_reason"] else timedelta(hours=2))
    with session_scope(engine) as s:
        wo = make_work_order(
            s, make_customer(s), s.get(User, p["specialist"].id),
            status=W.RETURNED, service_type=ServiceType.PAID, technician_id=p["engineer"].id,
            manager_countersigned_at=end if has["countersign"] else None,
            manager_countersigned_by_id=p["manager"].id if has["countersign"] else None,
            work_done="Replaced the bearing and ran it" if has["completion"] else None,
            service_started_at=NOW + timedelta(hours=1) if has["service_time"] else None,
            service_ended_at=end if has["service_time"] else None, completed_at=end,
            fee_cents=12_000 if has["fee"] else None,
            returned_at=end if has["return"] else None,
            return_signed_by_id=p["engineer"].id if has["return"] else None)
        for kind, item in ((T, "technician_signature"), (C, "customer_signature")):
            if has[item]:
                s.add(WorkOrderSignature(work_order_id=wo.id, kind=kind, signer_name="Eli", png=PNG, sha256="0" * 64,
                                         captured_by_id=p["engineer"].id, signed_at=end))
        return wo.id


SUBSETS = [frozenset(c) for n in range(len(ITEMS) + 1) for c in combinations(ITEMS, n)]


@pytest.mark.parametrize("lacking", SUBSETS, ids=lambda c: "+".join(i for i in ITEMS if i in c) or "complete")
def test_acceptance_lists_exactly_what_is_missing(engine, p, lacking):
    """WO-5/WO-6: every combination of missing items is refused with those items, in the desk's order, and
    nothing is written; a complete order is accepted."""
    order_id = returned_order(engine, p, lacking)
    if not lacking:
        move(engine, p["specialist"], order_id, Move.ACCEPT, ACCEPT_AT)
        assert version(engine, order_id) == 2
        return
    with pytest.raises(Incomplete) as err:
        move(engine, p["specialist"], order_id, Move.ACCEPT, ACCEPT_AT)
    assert err.value.missing == [f"wo.missing.{i}" for i in ITEMS if i in lacking]
    assert err.value.key == "wo.accept.incomplete" and err.value.params == {"count": len(lacking)}
    assert version(engine, order_id) == 1


def test_a_special_approval_stands_in_for_signatures_and_completion_only(engine, p):
    """WO-5: a manager's approval with a required reason, recorded on the order and in the audit log, waives
    the signatures and completion, not the fee or the return; it is given once."""
    order_id = returned_order(engine, p, frozenset({"customer_signature", "completion", "fee"}))
    with pytest.raises(Invalid) as err:
        services.approve(engine, p["manager"], order_id, 1, " ", NOW)
    assert err.value.key == "wo.approve.reason_required"
    with pytest.raises(Forbidden):
        services.approve(engine, p["specialist"], order_id, 1, "Customer abroad", NOW)
    services.approve(engine, p["manager"], order_id, 1, "Customer abroad; confirmed by phone", NOW)
    with pytest.raises(DomainError) as err:
        services.approve(engine, p["other_manager"], order_id, 2, "Again", NOW)
    assert err.value.key == "wo.approve.already"
    with pytest.raises(Incomplete) as err:
        move(engine, p["specialist"], order_id, Move.ACCEPT, ACCEPT_AT)
    assert err.value.missing == ["wo.missing.fee"]
    with session_scope(engine) as s:
        wo = s.get(WorkOrder, order_id)
        assert (wo.special_approval_by_id, wo.special_approval_note) == (p["manager"].id,
                                                                         "Customer abroad; confirmed by phone")
    assert any("special_approval_note" in changes for _, changes in audit_trail(engine, p, order_id))


def test_the_desk_sends_back_with_what_is_missing(engine, p):
    order_id = returned_order(engine, p, frozenset({"fee"}))
    with pytest.raises(Invalid) as err:
        move(engine, p["specialist"], order_id, Move.SEND_BACK)
    assert err.value.key == "wo.move.send_back_note_required"
    move(engine, p["specialist"], order_id, Move.SEND_BACK, note="The fee is missing")
    with session_scope(engine) as s:
        wo = s.get(WorkOrder, order_id)
        assert (wo.status, wo.returned_at, wo.return_signed_by_id) == (W.COMPLETED, None, None)


# Nobody signs for somebody else (WO-5): each signature and the countersign by the wrong account, or at the
# wrong stage, is refused and nothing is written.
def _tech(e, p, i, who):
    return sign(e, p[who], i, T)


def _customer(e, p, i, who):
    return sign(e, p[who], i, C, name="Ann Lee")


def _countersign(e, p, i, who):
    return services.countersign(e, p[who], i, version(e, i), NOW)


REFUSED = [
    ("technician-by-other-engineer", _tech, "other_engineer", W.COMPLETED, "error.forbidden"),
    ("technician-by-manager", _tech, "manager", W.COMPLETED, "error.forbidden"),
    ("technician-by-specialist", _tech, "specialist", W.COMPLETED, "error.forbidden"),
    ("technician-in-repair", _tech, "engineer", W.IN_REPAIR, "wo.move.not_now"),
    ("technician-after-countersign", _tech, "engineer", "signed", "wo.sign.after_countersign"),
    ("technician-after-return", _tech, "engineer", W.RETURNED, "wo.move.not_now"),
    ("customer-on-other-engineers-account", _customer, "other_engineer", "signed", "error.forbidden"),
    ("customer-on-managers-account", _customer, "manager", "signed", "error.forbidden"),
    ("customer-on-specialists-account", _customer, "specialist", "signed", "error.forbidden"),
    ("customer-before-countersign", _customer, "engineer", W.COMPLETED, "wo.sign.needs_countersign"),
    ("customer-after-return", _customer, "engineer", W.RETURNED, "wo.move.not_now"),
    ("countersign-by-engineer", _countersign, "engineer", "signed", "error.forbidden"),
    ("countersign-by-specialist", _countersign, "specialist", W.COMPLETED, "error.forbidden"),
    ("countersign-before-technician", _countersign, "manager", W.COMPLETED, "wo.sign.needs_technician"),
    ("countersign-twice", _countersign, "other_manager", "signed", "wo.sign.already_countersigned"),
    ("countersign-in-repair", _countersign, "manager", W.IN_REPAIR, "wo.move.not_now"),
]


@pytest.mark.parametrize("act, who, stage, key", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_nobody_signs_for_somebody_else(engine, p, act, who, stage, key):
    order_id = order_at(engine, p, stage)
    with session_scope(engine) as s:
        before = (s.get(WorkOrder, order_id).version,
                  s.scalar(select(func.count()).select_from(WorkOrderSignature)))
    with pytest.raises(DomainError) as err:
        act(engine, p, order_id, who)
    assert err.value.key == key
    with session_scope(engine) as s:
        assert (s.get(WorkOrder, order_id).version,
                s.scalar(select(func.count()).select_from(WorkOrderSignature))) == before


def test_signatures_are_kept_with_who_held_the_pad_and_never_redrawn_over_the_customers(engine, p):
    """WO-5: the technician's own name; the customer's printed name on the technician's account; once the
    customer has signed, no second drawing replaces theirs (nor, WO-8, the fee they signed for); the audit
    keeps the sha256."""
    order_id = order_at(engine, p, "signed")
    with pytest.raises(DomainError) as err:
        sign(engine, p["engineer"], order_id, C, name="Somebody else", png=drawn_png(280, 100))
    assert err.value.key == "wo.sign.customer_already"
    with pytest.raises(DomainError) as err:
        services.record_fee(engine, p["engineer"], order_id, version(engine, order_id), 1, True, NOW)
    assert err.value.key == "wo.fee.after_customer_signature"
    detail = queries.work_order_detail(engine, p["manager"], order_id)
    assert [(x["kind"], x["signer_name"], x["captured_by"]) for x in detail["signatures"]] == [
        (C, "Ann Lee", "Eli Engineer"), (T, "Eli Engineer", "Eli Engineer")]
    assert detail["order"]["customer_signed_name"] == "Ann Lee" and detail["order"]["fee_cents"] == 12_000
    assert services.signature_png(engine, p["finance"], order_id, C) == PNG
    changes = [c for _, c in audit_trail(engine, p, order_id)]
    digest = hashlib.sha256(PNG).hexdigest()
    assert any(digest in str(c) for c in changes) and not any(PNG.hex()[:32] in str(c) for c in changes)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize("png, name, key", [
    (drawn_png(strokes=False), "Ann Lee", "wo.sign.blank"),
    (b"\x89PNG\r\n\x1a\nnot really", "Ann Lee", "wo.sign.not_png"),
    (_jpeg(), "Ann Lee", "wo.sign.not_png"),
    (drawn_png(4001, 20), "Ann Lee", "wo.sign.too_large"),
    (b"\x89PNG" + b"\0" * (512 * 1024), "Ann Lee", "wo.sign.too_big"),
    (PNG, "  ", "wo.sign.name_required"),
], ids=["blank", "broken", "jpeg", "too-wide", "too-heavy", "no-name"])
def test_a_bad_or_blank_signature_is_refused(engine, p, png, name, key):
    order_id = order_at(engine, p, "countersigned")
    with pytest.raises(Invalid) as err:
        sign(engine, p["engineer"], order_id, C, name=name, png=png)
    assert err.value.key == key
    assert services.signature_png(engine, p["engineer"], order_id, C) is None


def test_the_fee_is_whole_cents_of_a_paid_order(engine, p):
    """WO-8: money in cents (never a float), with whether it was collected on site; none on a free order."""
    order_id = order_at(engine, p, W.IN_REPAIR)
    for bad in (12.5, 0, True):
        with pytest.raises(Invalid):
            services.record_fee(engine, p["engineer"], order_id, version(engine, order_id), bad, True, NOW)
    services.record_fee(engine, p["engineer"], order_id, version(engine, order_id), 8_800, True, NOW)
    with session_scope(engine) as s:
        wo = s.get(WorkOrder, order_id)
        assert (wo.fee_cents, wo.fee_collected_on_site) == (8_800, True)
    free = order_at(engine, p, W.IN_REPAIR, service_type=ServiceType.WARRANTY)
    with pytest.raises(DomainError) as err:
        services.record_fee(engine, p["engineer"], free, version(engine, free), 8_800, True, NOW)
    assert err.value.key == "wo.fee.paid_only"


def test_a_returned_orders_detail_lists_what_is_missing(engine, p):
    order_id = order_at(engine, p, W.RETURNED, service_type=ServiceType.WARRANTY)
    move(engine, p["specialist"], order_id, Move.SEND_BACK, note="Sign again please")
    move(engine, p["engineer"], order_id, Move.RETURN)
    detail = queries.work_order_detail(engine, p["specialist"], order_id)
    assert detail["missing"] == [] and detail["context"].customer_signed
    with pytest.raises(NotNow):
        move(engine, p["engineer"], order_id, Move.RETURN)
