"""The refused rows handed back (C-1): an .xlsx with the file's own headers and each refused row as it was,
plus the row number it had and the reasons in the user's language, so the user fixes it and imports it again
(the two added columns are ignored then, as any unknown column). Every cell is written as text: a formula
the file held comes back as its value (an .xlsx) or its text (a CSV), never as a formula."""

from __future__ import annotations

import io

import xlsxwriter

from core.export.names import sheet_name
from core.i18n import t
from core.imports.checks import Problem
from core.imports.read import Source, Table, rows, text_of

PARAM_FIELDS = {"field"}  # parameters that name a field: shown by its label


def message(problem: Problem, lang: str) -> str:
    """The problem's reason in `lang` (a field named in it shown by its label)."""
    params = {k: t(f"import.field.{v}", lang) if k in PARAM_FIELDS else v for k, v in problem.params.items()}
    return t(problem.key, lang, **params)


def bad_rows_workbook(src: Source, tab: Table, problems: list[Problem], language: str) -> bytes:
    """The refused rows as they were in the file, streamed from it, with "row" and "reason" columns."""
    reasons: dict[int, list[str]] = {}
    for p in problems:
        reasons.setdefault(p.row, []).append(f"{p.column}: {message(p, language)}" if p.column
                                             else message(p, language))
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name("bad_rows", language))
    width = len(tab.headers)
    for col, name in enumerate([*tab.headers, t("import.row", language), t("import.reason", language)]):
        sheet.write_string(0, col, name)
    at = 1
    for row, values in rows(src, tab):
        if row not in reasons:
            continue
        cells = [text_of(v) for v in values[:width]] + [""] * (width - len(values))
        for col, text in enumerate([*cells, str(row), "; ".join(reasons[row])]):
            if text:
                sheet.write_string(at, col, text)
        at += 1
    book.close()
    return out.getvalue()

