"""The demo's work-order histories go through the app's gate (demo.wo_flow) and its signatures are drawn
images (demo.wo_signatures), issue 12."""

from __future__ import annotations

import io
from random import Random

import pytest
from PIL import Image

from core.work_orders.flow import Act, Move
from demo.wo_flow import IllegalHistory, check_shape
from demo.wo_signatures import POOL, draw, kept_since, pools
from demo.wo_timeline import statuses

M = Move
WORK = (M.DISPATCH, M.RECEIVE, M.SURVEY, M.REPAIR, M.COMPLETE)


def test_a_wait_resumes_where_the_order_waited_from():
    assert statuses([M.DISPATCH, M.RECEIVE, M.SURVEY, M.PEND, M.RESUME])[-2:] == ("pending", "survey")
    assert check_shape(False, (*WORK[:4], M.PEND, M.RESUME))[-1] == "in_repair"


def test_the_gate_refuses_acceptance_before_the_return_and_a_customer_signature_before_the_countersign():
    with pytest.raises(IllegalHistory, match="accept"):
        check_shape(False, (*WORK, M.ACCEPT))
    with pytest.raises(IllegalHistory, match="sign_customer"):
        check_shape(False, (*WORK, Act.SIGN_TECHNICIAN, Act.SIGN_CUSTOMER))


def test_a_paid_order_is_settled_only_once_invoiced_and_closed_only_once_settled():
    done = (*WORK, Act.FEE, Act.SIGN_TECHNICIAN, Act.COUNTERSIGN, Act.SIGN_CUSTOMER, M.RETURN, M.ACCEPT)
    with pytest.raises(IllegalHistory, match="needs_invoice"):
        check_shape(True, (*done, M.SETTLE))
    with pytest.raises(IllegalHistory, match="close_needs_settled"):
        check_shape(True, (*done, M.CLOSE))
    assert check_shape(True, (*done, Act.INVOICE, M.SETTLE, M.CLOSE))[-2:] == ("settled", "closed")


def test_signature_pools_hold_distinct_non_blank_small_pngs_drawn_the_same_from_the_same_seed():
    first, again = pools(Random("seed")), pools(Random("seed"))
    assert first == again and set(first) == {"technician", "customer"}
    every = [d for kind in first.values() for d in kind]
    assert len({d.sha256 for d in every}) == 2 * POOL
    for drawn in every[:8]:
        image = Image.open(io.BytesIO(drawn.png)).convert("L")
        assert 0 < sum(image.histogram()[:128]) < image.width * image.height // 4 and len(drawn.png) < 4096
    assert draw(Random(1)) != draw(Random(2))


def test_a_large_office_keeps_only_recent_signature_images():
    assert kept_since(3000, 10**9) is None
    assert kept_since(1_000_000, 10**9) < 10**9
