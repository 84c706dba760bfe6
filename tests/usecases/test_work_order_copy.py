"""WO-9: the customer's copy of a completed order, as data, as a PDF looked at as an image (Chinese drawn
with the bundled font, not boxes; both signatures inked), and as the print page behind the session."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from core.errors import DomainError, Forbidden
from core.i18n import t
from core.office.settings import load_office
from core.work_orders.copy import customer_copy
from db.engine import session_scope
from db.enums import Role, ServiceType, SignatureKind, WorkOrderStatus
from db.models import WorkOrderSignature
from tests.factories import (
    NOW,
    fresh_id,
    make_account,
    make_customer,
    make_product,
    make_user,
    make_work_order,
    reader,
)
from ui.wo_copy_pdf import MISSING, render_copy_pdf

INK = (20, 40, 200)  # the signatures' blue: no text of the copy is blue


def signature_png(seed: int) -> bytes:
    """A drawn signature: a few thick blue strokes on white."""
    image = Image.new("RGB", (300, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(20, 90 - seed * 5), (80, 20), (140, 100), (200, 30), (280, 80)], fill=INK, width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_completed_order(engine, signed: bool = True, **kw) -> int:
    """A paid order completed, countersigned and accepted, with both signatures unless `signed` is False."""
    with session_scope(engine) as s:
        n = fresh_id()  # codes and names of their own: the browser test adds the order to a demo office
        desk = make_user(s, username=f"desk{n}")
        tech = make_user(s, username=f"tech{n}", role=Role.ENGINEER, display_name="李师傅")
        manager = make_user(s, username=f"mgr{n}", role=Role.MANAGER, display_name="王经理")
        customer = make_customer(s, name="张伟", code=f"T{n}", phone=f"137{n % 10**8:08d}")
        product = make_product(s, customer, model="空调 KFR-35", serial_no="SN123", order_no=f"SOT{n}")
        fields = {"product_id": product.id, "address": "北京市朝阳区建国路88号", "request": "空调不制冷，外机有异响",
                  "service_type": ServiceType.PAID, "status": WorkOrderStatus.ACCEPTED, "technician_id": tech.id,
                  "service_started_at": NOW + timedelta(hours=2), "service_ended_at": NOW + timedelta(hours=4),
                  "completed_at": NOW + timedelta(hours=4), "work_done": "更换压缩机电容，加氟",
                  "fee_cents": 12_050, "fee_collected_on_site": True, "manager_countersigned_by_id": manager.id,
                  "manager_countersigned_at": NOW + timedelta(hours=5), "accepted_by_id": desk.id,
                  "accepted_at": NOW + timedelta(hours=8)}
        wo = make_work_order(s, customer, desk, **fields | {"number": f"WT{n}"} | kw)
        if signed:
            for i, (kind, name) in enumerate([(SignatureKind.TECHNICIAN, "李师傅"), (SignatureKind.CUSTOMER, "张伟")]):
                s.add(WorkOrderSignature(work_order_id=wo.id, kind=kind, signer_name=name, captured_by_id=tech.id,
                                         png=signature_png(i), sha256="0" * 64, signed_at=NOW + timedelta(hours=4)))
        return wo.id


def copy_of(engine, order_id: int, lang: str = "zh"):
    return customer_copy(engine, reader(Role.MANAGER), order_id, lang, load_office(engine))


def test_the_copy_holds_the_order_in_the_language_asked_with_the_fee_in_money(engine):
    copy = copy_of(engine, make_completed_order(engine))
    rows = dict(copy.rows)
    assert copy.title == t("wo.copy.title", "zh") and copy.office == t("app.title", "zh")
    assert rows[t("wo.work_done", "zh")] == "更换压缩机电容，加氟"
    assert rows[t("wo.fee", "zh")] == f"¥120.50 ({t('wo.copy.collected_on_site', 'zh')})"
    assert rows[t("wo.copy.countersigned", "zh")].startswith("王经理")
    assert [(s.signer, bool(s.png)) for s in copy.signatures] == [("李师傅", True), ("张伟", True)]


def test_an_order_not_completed_yet_has_no_copy(engine):
    order_id = make_completed_order(engine, status=WorkOrderStatus.IN_REPAIR, signed=False)
    with pytest.raises(DomainError) as refused:
        copy_of(engine, order_id)
    assert refused.value.key == "wo.copy.not_ready"


def test_an_administrator_reads_no_copy(engine):
    order_id = make_completed_order(engine)
    with session_scope(engine) as s:
        admin = make_account(s, Role.ADMIN)
    with pytest.raises(Forbidden):
        customer_copy(engine, admin, order_id, "en", load_office(engine))


@dataclass
class Rendered:
    """The PDF's first page as an RGB image, its text, and each character's box in the image's pixels."""

    image: Image.Image
    text: str
    boxes: list[tuple[int, int, int, int]]


def rendered(pdf: bytes, scale: float = 3.0) -> Rendered:
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        textpage, height = page.get_textpage(), page.get_height()
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
        return Rendered(page.render(scale=scale).to_pil().convert("RGB"), textpage.get_text_range(),
                        [(int(left * scale), int((height - top) * scale), int(right * scale) + 1,
                          int((height - bottom) * scale) + 1) for left, bottom, right, top in boxes])
    finally:
        doc.close()


def test_the_pdfs_chinese_title_is_drawn_with_real_glyphs_not_boxes(engine):
    """Each character of the title is found as text, has ink, and looks unlike the others: .notdef boxes
    would all be the same picture."""
    page = rendered(render_copy_pdf(copy_of(engine, make_completed_order(engine))))
    title = t("wo.copy.title", "zh")
    start = page.text.index(title)
    crops = [page.image.crop(page.boxes[start + i]).convert("L") for i, ch in enumerate(title)
             if "\u4e00" <= ch <= "\u9fff"]
    assert len(crops) >= 4 and all(crop.getextrema()[0] < 100 for crop in crops)  # ink in every glyph
    assert len({crop.resize((24, 24)).tobytes() for crop in crops}) == len(crops)


def blue_pixels(image, left: bool) -> int:
    width = image.width
    box = image.crop((0, 0, width // 2, image.height) if left else (width // 2, 0, width, image.height))
    return sum(1 for r, g, b in box.get_flattened_data() if b > 150 and r < 90 and g < 110)


def test_both_signatures_are_visible_on_the_pdf(engine):
    image = rendered(render_copy_pdf(copy_of(engine, make_completed_order(engine)))).image
    assert blue_pixels(image, left=True) > 500 and blue_pixels(image, left=False) > 500
    unsigned = rendered(render_copy_pdf(copy_of(engine, make_completed_order(engine, signed=False)))).image
    assert blue_pixels(unsigned, left=True) == 0 and blue_pixels(unsigned, left=False) == 0


def test_a_character_outside_the_bundled_font_prints_as_a_mark_and_a_note_not_a_failure(engine):
    order_id = make_completed_order(engine, work_done="Happy 😀 Café 𠀋")
    pdf = render_copy_pdf(copy_of(engine, order_id, "en"))
    text = rendered(pdf).text
    assert f"Happy {MISSING} Caf" in text and t("wo.copy.missing_glyph", "en") in text.replace("\r\n", " ")
