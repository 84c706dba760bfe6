"""Where export files wait for their download: one private folder per file under the export folder
(`SERVICEDESK_EXPORT_DIR`, else data/exports), named by a random one-time token, with who may fetch it. The
file is bound to the user and the browser session that asked (a hash of the session cookie, never the cookie
itself): a link passed to anyone else, or opened after signing out, finds nothing. It is deleted once fetched
or, unfetched, after LIFETIME. Time is an argument (STYLE habit 2)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from db.config import ROOT

LIFETIME = timedelta(hours=1)
META = "meta.json"


def export_dir() -> Path:
    return Path(os.environ.get("SERVICEDESK_EXPORT_DIR") or ROOT / "data" / "exports")


@dataclass(frozen=True)
class ExportFile:
    token: str
    path: Path
    name: str  # the file name the browser saves it under
    rows: int = 0


def _session_hash(session_token: str | None) -> str:
    return hashlib.sha256((session_token or "").encode()).hexdigest()


def new_file(user_id: int, session_token: str | None, name: str, now: datetime) -> ExportFile:
    """A fresh private folder for one file (readable by the server's own user only) and its owner."""
    token = secrets.token_urlsafe(32)
    folder = export_dir() / token
    folder.mkdir(mode=0o700, parents=True)
    meta = {"user": user_id, "session": _session_hash(session_token), "name": name, "at": now.isoformat()}
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")
    return ExportFile(token, folder / "file", name)


def claim(token: str, user_id: int, session_token: str | None, now: datetime) -> ExportFile | None:
    """The waiting file of `token` if this user in this session asked for it and it has not expired; None
    for anything else (an unknown or malformed token, another user, another session, an expired file)."""
    if not token or not all(c.isalnum() or c in "-_" for c in token) or len(token) > 64:
        return None
    folder = export_dir() / token
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta["user"] != user_id or meta["session"] != _session_hash(session_token) \
            or now - datetime.fromisoformat(meta["at"]) > LIFETIME or not (folder / "file").is_file():
        return None
    return ExportFile(token, folder / "file", meta["name"])


def discard(token: str) -> None:
    shutil.rmtree(export_dir() / token, ignore_errors=True)


def sweep(now: datetime) -> int:
    """Delete the files older than LIFETIME (fetched ones are deleted at once); returns how many."""
    gone = 0
    root = export_dir()
    for folder in root.iterdir() if root.is_dir() else ():
        try:
            at = datetime.fromisoformat(json.loads((folder / META).read_text(encoding="utf-8"))["at"])
        except (OSError, ValueError, KeyError):
            at = datetime.fromtimestamp(folder.stat().st_mtime, now.tzinfo)  # a half-made folder: by its age
        if now - at > LIFETIME:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone
