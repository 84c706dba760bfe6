"""What the import wizard shows of the file's rows (C-1): each problem's reason and the cell it found as it was
in the file, the first rows as they will be saved, the bad rows' workbook and the earlier import of the same
file. Values from the file go into table cells (st.dataframe: plain by construction) or through ui.text."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import pandas as pd
import streamlit as st

from core.fmt import fmt_date, fmt_datetime
from core.i18n import enum_label
from core.imports.bad_rows import bad_rows_workbook, message
from core.imports.fields import FIELDS
from core.imports.plan import Analysis, Problem
from core.imports.read import Source, Table, rows, text_of
from core.phones import grouped
from ui.context import lang, office, tr
from ui.import_wizard import field_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bad_rows(src: Source, tab: Table, problems: list[Problem], language: str) -> bytes:
    """The refused rows as they were in the file, with their row and reason: made on the click, not on every
    run (the download button's data is this function)."""
    return bad_rows_workbook(src, tab, problems, language)


def bad_rows_name(src: Source) -> str:
    stem = src.name.rsplit(".", 1)[0] or "import"
    return tr("import_ui.bad_rows_file", name=stem) + ".xlsx"


def reason(problem: Problem) -> str:
    """A problem's reason in the user's language (core.imports.bad_rows.message: a field by its label)."""
    return message(problem, lang())


def earlier(found: dict) -> dict:
    """The same file imported before, as the "import_ui.earlier" message's parameters: when, by whom, and how
    many customers it created."""
    at = found.get("at")
    when = fmt_datetime(at, lang(), office().timezone) if isinstance(at, datetime) else at
    return {"when": when, "by": found.get("by", ""), "created": found.get("created", 0)}


def preview(found: Analysis) -> None:
    """The first rows as they will be saved (a refused row will not be), each field under its translated label
    and the row's number in the file first; phones as the office reads them (core.phones.grouped)."""
    refused = {p.row for p in found.problems}
    shown = [row for row in found.preview if row.get("row") not in refused]
    if not shown:
        st.info(tr("import_ui.no_preview"))
        return
    fields = [name for name in FIELDS if any(name in row for row in shown)]
    region = str(office().get("office.phone_region"))
    frame = pd.DataFrame([{tr("import_ui.row"): row.get("row"), **{field_name(name): _cell(row.get(name), name, region)
                                                                     for name in fields}} for row in shown])
    st.dataframe(frame, hide_index=True, width="stretch")


def _cell(value: object, name: str, region: str) -> str:
    if value is None:
        return ""
    if FIELDS[name].kind == "phone":
        return grouped(str(value), region)
    if isinstance(value, date):
        return fmt_date(value, lang())
    if isinstance(value, bool):
        return tr("common.yes") if value else tr("common.no")
    if isinstance(value, Enum):
        return enum_label(value, lang())
    return str(value)


def problem_rows(problems: list[Problem], cells: dict) -> list[dict]:
    """The problems as table rows: row, column, reason and the cell's text as it was in the file (`cells`)."""
    return [{tr("import_ui.row"): p.row, tr("import_ui.column"): p.column or "", tr("import_ui.reason"): reason(p),
             tr("import_ui.value"): cells.get((p.row, p.column), "")} for p in problems]


def cells(src: Source, tab: Table, problems: list[Problem]) -> dict[tuple[int, str | None], str]:
    """(row, column) → the refused cell's text as it was in the file: one pass, stopped after the last row
    needed (made once per analysis: ui.import_wizard.Wizard.cells)."""
    column_at = {header: i for i, header in reversed(list(enumerate(tab.headers)))}  # a header's first column
    wanted: dict[int, list[str]] = {}
    for p in problems:
        if p.column in column_at:
            wanted.setdefault(p.row, []).append(p.column)
    found: dict[tuple[int, str | None], str] = {}
    last = max(wanted, default=0)
    for row, values in rows(src, tab) if wanted else ():
        for column in wanted.get(row, ()):
            at = column_at[column]
            found[(row, column)] = text_of(values[at]) if at < len(values) else ""
        if row >= last:
            break
    return found
