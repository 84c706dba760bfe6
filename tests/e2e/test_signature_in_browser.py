"""WO-5 on a phone: the assigned engineer opens a completed order on a 390x844 screen at 3x density, draws
a signature on the pad with touch events, presses Done, and the order then holds a drawn picture: ink on it
(not a blank pad) and sharp (the canvas kept device pixels, so the picture is at least twice as wide as the
pad on the screen). The order is built in the served demo office through the use cases themselves."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role, ServiceType, SignatureKind
from db.models import User, WorkOrderSignature
from tests.e2e.conftest import sign_in
from tests.factories import fresh_id, make_customer, make_product
from tests.work_orders import order_at

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "has_touch": True, "is_mobile": True}
INK_BELOW = 128  # a grey level darker than this is ink


def _completed_order(url: str) -> int:
    """A free-warranty order completed by the demo engineer, who is yet to sign it."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        demo = {role: actor_of(s.scalars(select(User).where(User.username == DEMO_ACCOUNTS[role])).one())
                for role in (Role.SPECIALIST, Role.MANAGER, Role.ENGINEER)}
        customer = make_customer(s, id=fresh_id(), code=f"SIG{fresh_id()}", name="Signature Pad Ltd")
        people = {"customer": customer.id, "product": make_product(s, customer).id,
                  "specialist": demo[Role.SPECIALIST], "manager": demo[Role.MANAGER], "engineer": demo[Role.ENGINEER]}
    order_id = order_at(engine, people, "completed", service_type=ServiceType.WARRANTY)
    engine.dispose()
    return order_id


def _stored(url: str, order_id: int) -> bytes | None:
    engine = make_engine(url)
    with session_scope(engine) as s:
        png = s.scalar(select(WorkOrderSignature.png).where(WorkOrderSignature.work_order_id == order_id,
                                                            WorkOrderSignature.kind == SignatureKind.TECHNICIAN))
    engine.dispose()
    return png


def _draw(page, box: dict) -> None:
    """Three strokes with a finger: CDP touch events, which the browser turns into the pointer events the
    pad listens to (as on a real phone)."""
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, points: list) -> None:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]})

    for row in (0.3, 0.5, 0.7):
        x, y = box["x"] + 20, box["y"] + box["height"] * row
        touch("touchStart", [(x, y)])
        for step in range(1, 25):
            touch("touchMove", [(x + step * 12, y + (12 if step % 2 else -12))])
        touch("touchEnd", [])
    cdp.detach()


def test_the_engineer_signs_with_a_finger_on_a_phone_and_a_sharp_drawing_is_kept(served_app, e2e_db_url,
                                                                                    new_tab):
    order_id = _completed_order(e2e_db_url)
    page = new_tab(locale="en-US", **PHONE)
    sign_in(page, served_app, Role.ENGINEER, next_path=f"/work-orders?id={order_id}")
    canvas = page.get_by_role("img", name=t("wo.sign_ui.technician_pad", "en"))
    expect(canvas).to_be_visible(timeout=60_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] >= 300  # as wide as the phone's column
    _draw(page, box)
    page.get_by_role("button", name=t("wo.sign_ui.done", "en")).click()
    expect(page.get_by_role("img", name=t("wo.sign_ui.image_alt", "en"))).to_be_visible(timeout=60_000)
    expect(canvas).to_be_hidden()  # signed: drawing again is folded away until asked for
    png = _stored(e2e_db_url, order_id)
    assert png is not None
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width >= 2 * box["width"]  # device pixels, not CSS pixels
        grey = image.convert("L")
    ink = sum(grey.histogram()[:INK_BELOW])
    assert ink > 500  # three strokes, not a blank pad
