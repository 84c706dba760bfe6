"""The export use case (issue 13): permission from the export table (core.permissions.EXPORTS), the list's
rows streamed into a file on disk, then one audit row with the list, its filter (the URL query) and the row
count. A refused export reads and writes nothing; a failed one leaves no file and no audit row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from core.audit import log as audit
from core.errors import Forbidden
from core.export import files
from core.export.names import file_name
from core.i18n import DEFAULT_LANG
from core.permissions import Actor, may_export
from db.engine import session_scope
from db.enums import AuditAction

FORMATS = ("xlsx", "csv")


def require_export(actor: Actor | None, listing: str) -> Actor:
    """The gate: who may export which list is the EXPORTS table's, whatever the page offered."""
    if actor is None or not may_export(actor.role, listing):
        raise Forbidden(action=f"export:{listing}")
    return actor


def export_list(engine: Engine, actor: Actor, listing: str, query: dict, fmt: str,
                write: Callable[[Path], int], now: datetime, tz: str, session_token: str | None,
                lang: str = DEFAULT_LANG, subject: str | None = None) -> files.ExportFile:
    """Check, write the file (`write(path)` streams the list into it and returns its row count), audit: the
    file waits for this user's download (core.export.files), named by the list in `lang` and the office-local
    time `tz` (core.export.names).
    `query` is the list's URL query (its filters); `subject` what of the list the file holds (a KPI chart's
    title in `lang`), named in the file after the list."""
    require_export(actor, listing)
    if fmt not in FORMATS:
        raise ValueError(fmt)
    files.sweep(now)
    made = files.new_file(actor.id, session_token, file_name(listing, fmt, now, tz, lang, subject), now)
    try:
        rows = write(made.path)
        with session_scope(engine) as s:
            audit.record(s, actor, "export", listing, AuditAction.EXPORT, at=now,
                         extra={"list": listing, "filter": query, "rows": rows, "format": fmt})
    except BaseException:
        files.discard(made.token)
        raise
    return files.ExportFile(made.token, made.path, made.name, rows)
