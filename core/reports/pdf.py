"""The weekly report as an A4 PDF (fpdf2), the approach of the WO-9 copy: the bundled CJK font embedded, a
character it lacks printed as "?" with a note; the tables of core.reports.view and the charts as PNG images."""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from core.fonts import FONT, printable_text
from core.i18n import t
from core.reports.view import Table, paid_totals, tables, week_title

FAMILY = "ReportCJK"
WIDTH = 180  # mm between the margins of A4
CHART_W = 130  # mm
HEADINGS = FontFace(emphasis="", fill_color=(220, 228, 240))  # the bundled font has one weight: no bold


def render_report_pdf(data: dict, lang: str, images: dict[str, bytes]) -> bytes:
    """The report of `data` in `lang`, with the chart `images` (name → PNG) after the tables they illustrate."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FAMILY, "", str(FONT))
    title = t("report.title", lang)
    pdf.set_title(f"{title} {data['week_start']}")
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    replaced = _text(pdf, 10, title)
    pdf.set_font(FAMILY, size=11)
    replaced |= _text(pdf, 6, f"{t('app.title', lang)}    {week_title(data, lang)}")
    pdf.ln(3)
    headline, activity, unfinished, paid = tables(data, lang)
    replaced |= _table(pdf, headline, lang)
    replaced |= _table(pdf, activity, lang)
    _image(pdf, images.get("activity"))
    replaced |= _table(pdf, unfinished, lang)
    _image(pdf, images.get("unfinished"))
    replaced |= _table(pdf, paid, lang)
    pdf.set_font(FAMILY, size=10)
    replaced |= _text(pdf, 6, paid_totals(data, lang))
    if replaced:
        pdf.set_font(FAMILY, size=9)
        _text(pdf, 5, t("wo.copy.missing_glyph", lang))
    return bytes(pdf.output())


def _text(pdf: FPDF, h: float, text: str) -> bool:
    clean, replaced = printable_text(text)
    pdf.multi_cell(WIDTH, h, clean, new_x="LMARGIN", new_y="NEXT")
    return replaced


def _table(pdf: FPDF, table: Table, lang: str) -> bool:
    pdf.set_font(FAMILY, size=13)
    replaced = _text(pdf, 8, t(f"report.section.{table.key}", lang))
    pdf.set_font(FAMILY, size=8 if len(table.columns) > 4 else 10)
    if not table.rows:
        pdf.set_font(FAMILY, size=10)
        replaced |= _text(pdf, 6, t("report.none", lang))
        pdf.ln(2)
        return replaced
    with pdf.table(line_height=5, cell_fill_color=(243, 243, 243), cell_fill_mode=TableCellFillMode.ROWS,
                   text_align="LEFT", headings_style=HEADINGS) as grid:
        for row in [table.columns, *table.rows]:
            cells = [printable_text(cell) for cell in row]
            replaced |= any(changed for _, changed in cells)
            grid.row([text for text, _ in cells])
    pdf.ln(3)
    return replaced


def _image(pdf: FPDF, image: bytes | None) -> None:
    if not image:
        return
    pdf.image(io.BytesIO(image), x=15, w=CHART_W)  # placed at the current line, which moves below it
    pdf.ln(3)
