"""CSV injection (issue 13, OWASP "CSV Injection"): a cell that begins with = + - @, a tab or a carriage
return is a formula to a spreadsheet. Exported text is data, never a formula: in a CSV such a cell gets a
leading single quote, which spreadsheets take as "this is text" and do not show; in an .xlsx it is written as
a string cell (core.export.writers), which no spreadsheet evaluates."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> str:
    """One CSV cell as text, a formula-like one quoted as text; None is empty."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if is_formula_like(text) else text
