"""Streamlit's own English where it offers no parameter, in one stylesheet drawn by streamlit_app.py on every
run. Texts Streamlit takes as parameters (placeholders, labels, page titles) are passed where the widgets
are drawn; what is left here:
- the toolbar over tables and charts ("Download as CSV", "Search", "Fullscreen") is hidden: lists page,
  sort and search in SQL (core.lists), and an export of our own belongs with the lists;
- an empty date field shows "yyyy-mm-dd" (Streamlit draws its date fields for the en-US locale whatever the
  app's language): in Chinese the three placeholders read 年-月-日;
- a file uploader's "Upload" button and its "25MB per file • XLSX, CSV" line: in Chinese the button reads 上传
  and the line is left out (each uploader states its limits in its own help or caption);
- the invisible image that stores the language choice (ui.context.remember_language) takes no room."""

from __future__ import annotations

import streamlit as st

HIDDEN = """
[data-testid="stElementToolbar"] { display: none; }
[data-testid="stElementContainer"]:has(img.lang-cookie) { display: none; }
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


def uploader_texts(lang: str) -> str:
    """CSS drawing the file uploaders' button in `lang` and leaving out their English limits line."""
    if lang not in UPLOAD_BUTTON:
        return ""
    button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    return ('[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }'
            f"{button} {{ font-size: 0; }}"
            f'{button}::before {{ content: "{UPLOAD_BUTTON[lang]}"; font-size: 1rem; }}')


def streamlit_texts(lang: str) -> None:
    st.html(f"<style>{HIDDEN}{date_placeholders(lang)}{uploader_texts(lang)}</style>")
