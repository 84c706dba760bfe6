"""CSV injection (issue 13, OWASP "CSV Injection"): a cell that begins with = + - @, a tab or a carriage
return is a formula to a spreadsheet. Exported text is data, never a formula: in a CSV such a cell gets a
leading single quote, which spreadsheets take as "this is text" and do not show; in an .xlsx it is written as
a string cell (core.export.writers), which no spreadsheet evaluates. Two shapes are left as they are, because
they cannot be formulas (no letters, no | or !, so no function and no DDE call): a plain number (a negative
amount, -12.50) and a phone written + first (+1 415-872-3301), which the import reads back as the same phone.
The import refuses the same set (core.imports.rules.is_formula)."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
PHONE = re.compile(r"^\+\d[\d ().\-]*$")  # + once, first: "+2+3" is a sum, not a phone


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read the text as a formula: it begins with = + - @, a tab or a carriage
    return, and it is neither a plain number nor a + phone."""
    return text.startswith(FORMULA_STARTS) and not (NUMBER.match(text) or PHONE.match(text))


def csv_cell(value: object) -> str:
    """One CSV cell as text, a formula-like one quoted as text; None is empty."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if is_formula_like(text) else text
