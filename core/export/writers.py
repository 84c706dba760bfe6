"""The export files, written row by row as the rows arrive (nothing but the current row is held): a CSV in
UTF-8 with a BOM (Excel reads Chinese from it only with the BOM), and an .xlsx through xlsxwriter's
constant_memory mode (each row flushed to disk once written). Text is always text (core.export.cells); numbers
(amounts) stay numbers in the workbook. A sheet holds at most XLSX_ROWS rows, its header included: the rows go
on into a next sheet with the same header, so no export is cut."""

from __future__ import annotations

import csv
import numbers
from collections.abc import Iterable, Sequence
from pathlib import Path

import xlsxwriter

from core.export.cells import csv_cell

XLSX_ROWS = 1_048_576  # Excel's rows per worksheet
COLUMN_WIDTH = 18


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write the header and each row; returns the number of rows (the header not counted)."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([csv_cell(h) for h in headers])
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])
            count += 1
    return count


def write_xlsx(path: Path, headers: Sequence[str], rows: Iterable[Sequence], sheet: str,
               sheet_rows: int = XLSX_ROWS) -> int:
    """Write the header and each row into sheets of at most `sheet_rows` rows; returns the number of rows.
    `sheet` is the list's name in the user's language (core.export.names.sheet_name), never "Sheet1"."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    money = book.add_format({"num_format": "#,##0.00"})
    count, line, page = 0, sheet_rows, None
    try:
        for row in rows:
            if line == sheet_rows:  # the first row, or this sheet is full
                page = _sheet(book, sheet, headers, count // (sheet_rows - 1))
                line = 1
            for col, value in enumerate(row):
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    page.write_number(line, col, value, None if isinstance(value, numbers.Integral) else money)
                elif value is not None:
                    page.write_string(line, col, str(value))
            line, count = line + 1, count + 1
        if page is None:
            _sheet(book, sheet, headers, 0)
    finally:
        book.close()
    return count


def _sheet(book, name: str, headers: Sequence[str], number: int):
    page = book.add_worksheet(name[:31] if not number else f"{name[:26]} ({number + 1})")
    for col, label in enumerate(headers):
        page.write_string(0, col, str(label))
        page.set_column(col, col, COLUMN_WIDTH)
    return page
