"""WO-5 on a phone: the assigned engineer opens a completed order on a 390x844 screen at 3x density, draws
a signature on the pad with touch events (and, on a desk, with the mouse), presses Done (refused first on the
empty pad; on the phone, ONE tap of the finger), and the order then holds a drawn picture: ink on it (not a
blank pad) and sharp (the canvas kept device pixels, so the picture is at least twice as wide as the pad on the
screen). Then the customer, on the same phone: their printed name typed, a drawing, ONE tap on Done, and their
signature is kept. The orders are built in the served demo office through the use cases themselves."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from core.i18n import t
from core.work_orders import acts
from db.engine import make_engine, session_scope
from db.enums import Role, SignatureKind, WorkOrderStatus
from db.models import WorkOrder, WorkOrderSignature
from tests.demo_orders import demo_actor, demo_order_at
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "has_touch": True, "is_mobile": True}
DESK = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 2}
STROKES = (0.3, 0.5, 0.7)  # three lines across the pad, at these fractions of its height
INK_BELOW = 128  # a grey level darker than this is ink


def _stored(url: str, order_id: int, kind: SignatureKind = SignatureKind.TECHNICIAN) -> bytes | None:
    engine = make_engine(url)
    with session_scope(engine) as s:
        png = s.scalar(select(WorkOrderSignature.png).where(WorkOrderSignature.work_order_id == order_id,
                                                            WorkOrderSignature.kind == kind))
    engine.dispose()
    return png


def _zigzag(box: dict, row: float) -> list[tuple[float, float]]:
    x, y = box["x"] + 20, box["y"] + box["height"] * row
    return [(x + step * 12, y + (0 if step == 0 else 12 if step % 2 else -12)) for step in range(25)]


def _draw_with_a_finger(page, box: dict) -> None:
    """CDP touch events: the browser turns them into the pointer events the pad listens to, as on a phone."""
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, points: list) -> None:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]})

    for row in STROKES:
        start, *rest = _zigzag(box, row)
        touch("touchStart", [start])
        for point in rest:
            touch("touchMove", [point])
        touch("touchEnd", [])
    cdp.detach()


def _draw_with_the_mouse(page, box: dict) -> None:
    for row in STROKES:
        start, *rest = _zigzag(box, row)
        page.mouse.move(*start)
        page.mouse.down()
        for point in rest:
            page.mouse.move(*point)
        page.mouse.up()


@pytest.mark.parametrize(("device", "draw"), [(PHONE, _draw_with_a_finger), (DESK, _draw_with_the_mouse)],
                         ids=["finger-on-a-phone", "mouse-on-a-desk"])
def test_the_engineer_draws_a_signature_and_a_sharp_drawing_is_kept(served_app, e2e_db_url, new_tab, device, draw):
    order_id = demo_order_at(e2e_db_url, WorkOrderStatus.COMPLETED)  # the demo engineer yet to sign
    page = new_tab(locale="en-US", **device)
    sign_in(page, served_app, Role.ENGINEER, next_path=f"/work-orders?id={order_id}")
    canvas = page.get_by_role("img", name=t("wo.sign_ui.technician_pad", "en"))
    expect(canvas).to_be_visible(timeout=60_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] >= 300  # as wide as its column: the whole width of a phone
    done = page.get_by_role("button", name=t("wo.sign_ui.done", "en"))
    done.click()  # on the empty pad: refused, nothing stored
    expect(page.get_by_text(t("wo.sign.blank", "en"))).to_be_visible(timeout=60_000)
    assert _stored(e2e_db_url, order_id) is None
    draw(page, box)
    if device.get("has_touch"):
        done.tap()  # ONE tap of a finger right after the strokes: a phone sent no click for it, and it was lost
    else:
        done.click()
    expect(page.get_by_role("img", name=t("wo.sign_ui.image_alt", "en"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(t("wo.sign.blank", "en"))).to_be_hidden()  # the empty pad's refusal is gone
    expect(canvas).to_be_hidden()  # signed: drawing again is folded away until asked for
    png = _stored(e2e_db_url, order_id)
    assert png is not None
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width >= 2 * box["width"]  # device pixels, not CSS pixels
        grey = image.convert("L")
    ink = sum(grey.histogram()[:INK_BELOW])
    assert ink > 500  # three strokes, not a blank pad


def _countersigned(url: str) -> int:
    """A completed warranty order the demo engineer signed and the demo manager countersigned: the customer's turn."""
    order_id = demo_order_at(url, WorkOrderStatus.COMPLETED)
    engine = make_engine(url)
    engineer, manager = demo_actor(engine, Role.ENGINEER), demo_actor(engine, Role.MANAGER)
    ink = Image.new("RGB", (300, 100), "white")
    ink.paste((0, 0, 0), (20, 45, 280, 55))
    out = io.BytesIO()
    ink.save(out, format="PNG")
    with session_scope(engine) as s:
        version = s.get(WorkOrder, order_id).version
    now = datetime.now(UTC)
    version = acts.sign(engine, engineer, order_id, version, SignatureKind.TECHNICIAN, out.getvalue(),
                        engineer.display_name, now)
    acts.countersign(engine, manager, order_id, version, now)
    engine.dispose()
    return order_id


def test_the_customer_signs_on_the_phone_with_one_tap_on_done(served_app, e2e_db_url, new_tab):
    order_id = _countersigned(e2e_db_url)
    page = new_tab(locale="en-US", **PHONE)
    sign_in(page, served_app, Role.ENGINEER, next_path=f"/work-orders?id={order_id}")
    canvas = page.get_by_role("img", name=t("wo.sign_ui.customer_pad", "en"))
    expect(canvas).to_be_visible(timeout=60_000)
    page.get_by_label(t("wo.sign_ui.customer_name", "en")).fill("Chen Jie")
    canvas.scroll_into_view_if_needed()
    _draw_with_a_finger(page, canvas.bounding_box())
    page.get_by_role("button", name=t("wo.sign_ui.done", "en")).tap()  # once
    expect(canvas).to_be_hidden(timeout=60_000)  # signed: the customer's signature is never redrawn over
    assert _stored(e2e_db_url, order_id, SignatureKind.CUSTOMER) is not None
