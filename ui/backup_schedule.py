"""The daily backup runs by itself (issue 15): the server's scheduler (ui.report_schedule, started by
launcher.py's lifespan) asks every quarter of an hour, and once at start, whether today's backup is due
(from 02:00 office time, core.backup.rules); the job lease makes two server processes (or a server and
`python -m cli.backup` from cron) take it once. Backups go to BACKUP_DIR (default data/backups) and are kept
backup.keep_days days (the settings). A failure is logged, never raised: the next quarter tries again."""

from __future__ import annotations

import logging

from core.backup import backup_folder, run_daily
from core.office.settings import load_office
from core.reports.lease import holder_name
from ui import clock
from ui.web_engine import web_engine

log = logging.getLogger("servicedesk.backup")
JOB = "daily_backup"


def run_backup_job() -> None:
    """One run: the clock read here (ui.clock), the work in core."""
    try:
        engine, now = web_engine(), clock.read_clock()
        office = load_office(engine)
        url = engine.url.render_as_string(hide_password=False)
        outcome = run_daily(url, backup_folder(), now, office.timezone, int(office.get("backup.keep_days")),
                            holder_name())
        if outcome != "not due":
            log.info("daily backup: %s", outcome)
    except Exception:  # the scheduler goes on; the next run tries again
        log.exception("daily backup failed")
