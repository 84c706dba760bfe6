"""A table as an Excel workbook (.xlsx, xlsxwriter): the headers translated and the cells formatted as the
page shows them, except amounts, which stay numbers (in the office currency's units) so finance can add
them up. Cells are written as strings, never formulas: user text is data."""

from __future__ import annotations

import io

import xlsxwriter

from ui.context import tr
from ui.widgets import cell_formats


def workbook(rows: list[dict], columns: dict[str, tuple[str, str]], sheet: str = "Sheet1") -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    page = book.add_worksheet(sheet[:31])
    money = book.add_format({"num_format": "#,##0.00"})
    fmts = cell_formats()
    for col, (label, _) in enumerate(columns.values()):
        page.write_string(0, col, tr(label))
        page.set_column(col, col, 18)
    for line, row in enumerate(rows, start=1):
        for col, (field, (_, kind)) in enumerate(columns.items()):
            value = row.get(field)
            if kind == "money" and value is not None:
                page.write_number(line, col, value / 100, money)
            else:
                page.write_string(line, col, str(fmts[kind](value)))
    book.close()
    return out.getvalue()
