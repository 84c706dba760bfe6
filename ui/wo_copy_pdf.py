"""WO-9: the customer's copy as an A4 PDF (fpdf2), with the bundled subset of Noto Sans CJK SC embedded, so
Chinese prints on a machine without Chinese fonts. A character the subset lacks (an emoji, a rare hanzi
outside GB2312) prints as "?" and the page says so: the copy never fails for one character."""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import TableCellFillMode

from core.fonts import FONT, MISSING, printable_text
from core.i18n import t
from core.work_orders.copy import CustomerCopy, Signature

__all__ = ["FONT", "MISSING", "printable_text", "render_copy_pdf"]

FAMILY = "CopyCJK"
WIDTH = 180  # mm between the margins of A4 (210 mm) less 15 mm each side
SIGN_H = 42  # mm: one signature box


def render_copy_pdf(copy: CustomerCopy) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.set_title(f"{copy.title} {copy.number}")
    pdf.add_page()
    replaced = _header(pdf, copy)
    replaced |= _table(pdf, copy.rows)
    replaced |= _signatures(pdf, copy.signatures)
    notes = [copy.footer] + ([t("wo.copy.missing_glyph", copy.lang)] if replaced else [])
    pdf.set_font(FAMILY, size=9)
    for note in notes:
        pdf.multi_cell(WIDTH, 5, printable_text(note)[0], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _text(pdf: FPDF, w: float, h: float, text: str, **kw) -> bool:
    clean, replaced = printable_text(text)
    pdf.multi_cell(w, h, clean, **kw)
    return replaced


def _header(pdf: FPDF, copy: CustomerCopy) -> bool:
    pdf.set_font(FAMILY, size=16)
    replaced = _text(pdf, WIDTH, 9, copy.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    replaced |= _text(pdf, WIDTH, 6, f"{copy.office}    {copy.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.line(15, pdf.get_y() + 1, 15 + WIDTH, pdf.get_y() + 1)
    pdf.ln(4)
    return replaced


def _table(pdf: FPDF, rows: tuple[tuple[str, str], ...]) -> bool:
    pdf.set_font(FAMILY, size=10)
    replaced = False
    with pdf.table(col_widths=(55, 125), first_row_as_headings=False, line_height=6,
                   cell_fill_color=(243, 243, 243), cell_fill_mode=TableCellFillMode.EVEN_COLUMNS) as table:
        for label, value in rows:
            cells = [printable_text(label), printable_text(value)]
            replaced |= any(changed for _, changed in cells)
            table.row([text for text, _ in cells])
    pdf.ln(4)
    return replaced


def _signatures(pdf: FPDF, signatures: tuple[Signature, ...]) -> bool:
    """The signature boxes side by side, on a new page when they would not fit below the table."""
    if pdf.get_y() + SIGN_H > pdf.h - pdf.b_margin:
        pdf.add_page()
    top, gap = pdf.get_y(), 6
    box_w = (WIDTH - gap * (len(signatures) - 1)) / len(signatures)
    replaced = False
    for i, sig in enumerate(signatures):
        replaced |= _sign(pdf, sig, 15 + i * (box_w + gap), top, box_w)
    pdf.set_xy(15, top + SIGN_H + 4)
    return replaced


def _sign(pdf: FPDF, sig: Signature, x: float, y: float, w: float) -> bool:
    pdf.rect(x, y, w, SIGN_H)
    pdf.set_font(FAMILY, size=10)
    pdf.set_xy(x + 2, y + 1)
    replaced = _text(pdf, w - 4, 5, sig.label)
    if sig.png:
        pdf.image(io.BytesIO(sig.png), x=x + 2, y=y + 7, w=w - 4, h=SIGN_H - 15, keep_aspect_ratio=True)
    pdf.set_font(FAMILY, size=9)
    pdf.set_xy(x + 2, y + SIGN_H - 7)
    return replaced | _text(pdf, w - 4, 5, f"{sig.signer}  {sig.signed_at}".strip())
