"""Backups from the command line (issue 15): `python -m cli.backup` takes a checked backup of the configured
office (DATABASE_URL, else the embedded demo database) into BACKUP_DIR (default data/backups), safe while the
app runs; `--daily` does what the server's scheduler does (for cron, with REPORT_SCHEDULER=off): a backup when
today's is due, under the same lease, then the ones past backup.keep_days deleted; `--list` lists the backups
there; `--check FILE` checks one; `--restore FILE` restores one into the configured database when it holds no
office yet (`--replace` replaces the office it holds, after backing that one up into the folder: stop the app
first). The app's own scheduler takes the daily backup and keeps backup.keep_days days of them
(ui.backup_schedule).
Exit status: 0 done, 1 refused or failed (the reason on stderr)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from core.backup import BackupFailed, backup_folder, backups, check, restore, run_daily, take_backup
from core.office.settings import load_office
from core.reports.lease import holder_name
from db.config import get_config
from db.engine import make_engine
from db.models.base import utcnow


def _daily(url: str, folder: Path, now: datetime) -> str:
    engine = make_engine(url)
    try:
        office = load_office(engine)
    finally:
        engine.dispose()
    return run_daily(url, folder, now, office.timezone, int(office.get("backup.keep_days")), holder_name())


def main(argv: list[str] | None = None, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.backup", description="back up or restore the office")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--daily", action="store_true", help="the daily backup when due, then old ones deleted (cron)")
    what.add_argument("--list", action="store_true", help="list the backups in the backup folder")
    what.add_argument("--check", type=Path, metavar="FILE", help="check a backup")
    what.add_argument("--restore", type=Path, metavar="FILE", help="restore a backup into the configured database")
    parser.add_argument("--replace", action="store_true", help="with --restore: replace the office the database holds")
    parser.add_argument("--to", type=Path, help="the backup folder (default: BACKUP_DIR, else data/backups)")
    args = parser.parse_args(argv)
    url, folder, now = get_config().database_url, args.to or backup_folder(), now or utcnow()
    try:
        if args.daily:
            print(_daily(url, folder, now))
        elif args.list:
            for path in backups(folder):
                print(f"{path}  {path.stat().st_size:,} bytes")
        elif args.check:
            check(args.check)
            print(f"{args.check}: ok")
        elif args.restore:
            kept = restore(args.restore, url, now, replace=args.replace, keep_in=folder)
            if kept is not None:
                print(f"the office the database held is kept in {kept}")
            print(f"restored {args.restore}")
        else:
            print(take_backup(url, folder, now))
    except BackupFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error, SQLAlchemyError) as failed:  # a full disk, a locked or unreachable database
        print(f"error: {type(failed).__name__}: {str(failed).splitlines()[0] if str(failed) else ''}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
