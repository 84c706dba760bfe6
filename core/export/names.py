"""What an exported file and its sheet are called: the list's name in the user's language (export.name.*),
never the internal list key (work_orders), made safe for every file system and for Excel."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import t

UNSAFE = re.compile(r'[/\\:*?"<>|\[\]\x00-\x1f\x7f]+')  # Windows' forbidden characters, and Excel's [ ]
SHEET_MAX = 31  # Excel's longest sheet name


def safe_name(text: str) -> str:
    """`text` with every character a file or sheet name cannot hold made `_` ("export" when nothing is left)."""
    return UNSAFE.sub("_", text).strip(" .'_") or "export"


def file_name(listing: str, fmt: str, now: datetime, tz: str, lang: str, subject: str | None = None) -> str:
    """`客户档案-20261201-1030.xlsx`: the list's translated name and the office-local time of the export; with a
    `subject` (the KPI chart exported, already in `lang`) after the list's name: `指标数据-每周投诉-20261201-1030.xlsx`,
    so a manager's downloads of several charts are told apart."""
    name = t(f"export.name.{listing}", lang) + (f"-{subject}" if subject else "")
    return f"{safe_name(name)}-{now.astimezone(ZoneInfo(tz)):%Y%m%d-%H%M}.{fmt}"


def sheet_name(listing: str, lang: str, subject: str | None = None) -> str:
    """The workbook's sheet: the `subject` if any (a KPI chart's title), else the list's translated name, cut to
    what Excel takes."""
    return safe_name(subject or t(f"export.name.{listing}", lang))[:SHEET_MAX]
