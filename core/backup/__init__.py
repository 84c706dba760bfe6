"""Backup and restore of the office's database (issue 15): core.backup.rules (names, the daily schedule,
retention) and core.backup.services (take, check, restore, the daily job)."""

from core.backup.rules import DAILY_HOUR, daily_due, expired, file_name, taken_at
from core.backup.services import (
    BackupFailed,
    backup_folder,
    backups,
    check,
    prune,
    restore,
    run_daily,
    take_backup,
)

__all__ = ["DAILY_HOUR", "BackupFailed", "backup_folder", "backups", "check", "daily_due", "expired", "file_name",
           "prune", "restore", "run_daily", "take_backup", "taken_at"]
