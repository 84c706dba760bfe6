"""Streamlit's own English where it offers no parameter, in one stylesheet drawn by streamlit_app.py on every
run. Texts Streamlit takes as parameters (placeholders, labels, page titles) are passed where the widgets
are drawn; what is left here:
- the toolbar over tables and charts ("Download as CSV", "Search", "Fullscreen") is hidden: lists page,
  sort and search in SQL (core.lists), and an export of our own belongs with the lists;
- an empty date field shows "yyyy-mm-dd" (Streamlit draws its date fields for the en-US locale whatever the
  app's language): in Chinese the three placeholders read 年-月-日;
- a file uploader's "Upload" button and its "25MB per file • XLSX, CSV" line: in Chinese the button reads 上传
  and the line is left out (each uploader states its limits in its own help or caption); a refused file's
  "Error: File must be 25.0MB or smaller." (or "… files are not allowed.") reads, in Chinese, that the file
  was not taken and why to look at those limits;
- a focused text field's "Press Enter to apply" / "Press Enter to submit form": in Chinese a one-line field
  reads 按回车键确认 and a text area's "Press Ctrl+Enter …" is left out; the "0/200" counter stays;
- a metric's label is cut to one line with "…" (a KPI headline's name, in a column of four): it wraps instead;
- the invisible image that stores the language choice (ui.context.remember_language), and the one-off script
  that closes the sidebar on a phone after a search (ui.find_customer), take no room."""

from __future__ import annotations

import streamlit as st

HIDDEN = """
[data-testid="stElementToolbar"] { display: none; }
[data-testid="stElementContainer"]:has(img.lang-cookie) { display: none; }
[data-testid="stElementContainer"]:has(.close-sidebar-on-phone) { display: none; }  /* ui.phone_sidebar */
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], [data-testid="stMetricLabel"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
  /* a KPI headline's whole name, on two lines if need be, never cut; each given two lines, so a row's cards and
     their "show records" line up (ui.kpi.specs.headlines) */
.st-key-kpi_headlines [data-testid="stMetricLabel"] { min-height: 2.6rem; align-items: start; }
"""

DATE_PLACEHOLDERS = {"zh": {"year": "年", "month": "月", "day": "日"}}


def date_placeholders(lang: str) -> str:
    """CSS drawing the date fields' empty segments in `lang` (English keeps Streamlit's own)."""
    return "".join(
        f'[data-testid="stDateInput"] [data-placeholder="true"][data-type="{part}"] {{ font-size: 0; }}'
        f'[data-testid="stDateInput"] [data-placeholder="true"][data-type="{part}"]::before '
        f'{{ content: "{text}"; font-size: 1rem; }}'
        for part, text in DATE_PLACEHOLDERS.get(lang, {}).items()
    )


UPLOAD_BUTTON = {"zh": "上传"}


UPLOAD_REFUSED = {"zh": "未能上传此文件：请核对文件大小与格式限制"}
ENTER = {"zh": "按回车键确认"}


def _redrawn(selector: str, text: str, size: str) -> str:
    """CSS hiding Streamlit's own text in `selector` and drawing `text` in its place."""
    return f'{selector} {{ font-size: 0; }}{selector}::before {{ content: "{text}"; font-size: {size}; }}'


def uploader_texts(lang: str) -> str:
    """CSS drawing the file uploaders' button and a refused file's error in `lang`, leaving out their English
    limits line."""
    if lang not in UPLOAD_BUTTON:
        return ""
    button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    return ('[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }'
            + _redrawn(button, UPLOAD_BUTTON[lang], "1rem")
            + _redrawn('[data-testid="stFileChip"] [role="alert"]', UPLOAD_REFUSED[lang], "0.875rem"))


def input_instructions(lang: str) -> str:
    """CSS drawing a focused field's "Press Enter to …" in `lang` (the first of its instructions; the length
    counter after it is digits); a text area's "Press Ctrl+Enter to …" is left out."""
    if lang not in ENTER:
        return ""
    first = '[data-testid="InputInstructions"] > span:first-child'
    return (_redrawn(f'[data-testid="stTextInput"] {first}', ENTER[lang], "0.75rem")
            + f'[data-testid="stTextArea"] {first} {{ display: none; }}'
            + f'[data-testid="stTextArea"] {first} + span::before {{ content: none; }}')


def streamlit_texts(lang: str) -> None:
    st.html(f"<style>{HIDDEN}{date_placeholders(lang)}{uploader_texts(lang)}{input_instructions(lang)}</style>")
