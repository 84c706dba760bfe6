"""Backups (issue 15, "Backup and restore"): what a backup file is called, when the daily one is due and which
ones the retention setting lets go. Pure: the clock and the folder's names are given.

A backup is one file in the backup folder: `office-<UTC time>.sqlite` (a copy made by SQLite's online backup)
or `office-<UTC time>.dump` (pg_dump's custom format). The daily backup is due from DAILY_HOUR office time once
per office day; the retention setting (backup.keep_days) keeps a backup that many days, and never the newest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PREFIX = "office-"
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}  # by the database's dialect
STAMP = "%Y%m%dT%H%M%SZ"
NAME = re.compile(r"^office-(\d{8}T\d{6}Z)\.(sqlite|dump)$")
DAILY_HOUR = 2  # office time: the daily backup is taken from 02:00 on, when the office is closed


def file_name(now: datetime, dialect: str) -> str:
    """The backup taken at `now` (UTC) of a database of `dialect`."""
    return f"{PREFIX}{now.astimezone(UTC):{STAMP}}{SUFFIXES[dialect]}"


def taken_at(name: str) -> datetime | None:
    """When the backup named `name` was taken (UTC); None: not a backup's name (anything else in the folder)."""
    found = NAME.match(name)
    return datetime.strptime(found[1], STAMP).replace(tzinfo=UTC) if found else None


def daily_due(names: list[str], now: datetime, tz: str) -> bool:
    """Whether the daily backup is due at `now`: it is DAILY_HOUR or later, office time, and no backup was taken
    since DAILY_HOUR of this office day."""
    local = now.astimezone(ZoneInfo(tz))
    if local.hour < DAILY_HOUR:
        return False
    since = local.replace(hour=DAILY_HOUR, minute=0, second=0, microsecond=0, fold=0)
    since = since.astimezone(UTC)  # fold=0: the first 02:00 of a night the clocks go back, not the second
    return not any((at := taken_at(n)) is not None and at >= since for n in names)


def expired(names: list[str], now: datetime, keep_days: int) -> list[str]:
    """The backups to delete: those taken more than `keep_days` days before `now`, never the newest backup
    (a server that was down for weeks still keeps its last one). Other files are never named."""
    taken = sorted((at, n) for n in names if (at := taken_at(n)) is not None)
    limit = now - timedelta(days=keep_days)
    return [n for at, n in taken[:-1] if at < limit]
