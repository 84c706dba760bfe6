"""The signature section on the work order's record page, with the real use cases, role by role on the demo
office: the assigned engineer gets the pad, the manager countersigns the recorded work with one button, the
customer's name and pad then come to the engineer's device, and a reader sees the stored signature. (What the
pad sends is driven by tests/e2e/test_signature_in_browser.py; each stage's offer by test_signature_section.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role, SignatureKind, WorkOrderStatus
from db.models import WorkOrder
from tests.demo_orders import demo_actor, demo_order_at
from tests.helpers import open_by_url
from tests.work_orders import sign


@pytest.fixture
def order(demo_url) -> int:
    return demo_order_at(demo_url, WorkOrderStatus.COMPLETED)


def record_page(open_page, order_id: int, role: Role):
    at = open_page("pages/work_orders.py", "en", role)
    open_by_url(at, order_id)
    assert not at.exception
    return at


def pads(at) -> list[str]:
    return [e.proto.id for e in at.get("bidi_component")]


def countersign_button(at, order_id: int):
    return [b for b in at.button if b.key == f"wo_sig_countersign_{order_id}"]


def signed_by_the_engineer(demo_url, order_id: int) -> None:
    engine = make_engine(demo_url)
    sign(engine, demo_actor(engine, Role.ENGINEER), order_id, SignatureKind.TECHNICIAN)
    engine.dispose()


def test_the_assigned_engineer_gets_the_pad_and_nobody_else_does(open_page, order):
    [pad] = pads(record_page(open_page, order, Role.ENGINEER))
    assert pad.endswith(f"wo_sig_technician_{order}")
    for role in (Role.MANAGER, Role.SPECIALIST):
        at = record_page(open_page, order, role)
        assert pads(at) == [] and countersign_button(at, order) == []


def test_the_manager_countersigns_then_the_customer_signs_on_the_engineers_device(open_page, demo_url, order):
    signed_by_the_engineer(demo_url, order)
    at = record_page(open_page, order, Role.MANAGER)
    [button] = countersign_button(at, order)
    button.click().run()
    assert not at.exception
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        countersigned = s.scalar(select(WorkOrder.manager_countersigned_at).where(WorkOrder.id == order))
    engine.dispose()
    assert countersigned is not None
    assert countersign_button(at, order) == []
    at = record_page(open_page, order, Role.ENGINEER)
    assert [pad.rsplit("-", 1)[-1] for pad in pads(at)] == [f"wo_sig_customer_{order}"]
    assert at.text_input(key=f"wo_sig_customer_name_{order}").label == t("wo.sign_ui.customer_name", "en")


def test_a_reader_sees_the_stored_signature(open_page, demo_url, order):
    signed_by_the_engineer(demo_url, order)
    at = record_page(open_page, order, Role.SPECIALIST)
    [image] = at.get("image")
    assert image.proto.imgs[0].alt == t("wo.sign_ui.image_alt", "en")
    assert pads(at) == []
