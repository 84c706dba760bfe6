"""The weekly report runs by itself (issue 14): a BackgroundScheduler inside the server, started by launcher.py's
lifespan, builds last week's report from Monday 07:00 office time on (a quarter-hourly job that asks which week is
due and whether it is kept), and runs once at start (a catch-up, when a server was down on the Monday). The job lease
in the database makes two server processes (or a server and `python -m cli.report` from cron) build and mail it
once. A failure is logged, never raised. The same scheduler takes the daily backup (ui.backup_schedule)."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

from anyio import to_thread
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from core.office.settings import load_office
from core.reports import due_week, is_stored, run_weekly
from core.reports.lease import holder_name
from ui import clock
from ui.backup_schedule import JOB as BACKUP_JOB
from ui.backup_schedule import run_backup_job
from ui.web_engine import web_engine

log = logging.getLogger("servicedesk.reports")
JOB = "weekly_report"
SWITCH = "REPORT_SCHEDULER"  # "off": this server runs no scheduler (e.g. cron runs `python -m cli.report`)


def quarter_hour_trigger() -> CronTrigger:
    """Every quarter of an hour (UTC, so offsets of half and three quarters of an hour are met too): each run
    asks core.reports.due_week with the office's zone as it is then, so a zone changed in the settings moves the
    Monday 07:00 without a restart."""
    return CronTrigger(minute="*/15", timezone="UTC")


def run_job(catch_up: bool = False) -> None:
    """One run: the clock read here (ui.clock, the app's one boundary), the work in core. The due week is built
    (and mailed) when it is not kept yet; a run at start (`catch_up`) also tries a failed mail again, as the
    build of the next week does (MAIL_ATTEMPTS in all): a mail server that is down is not asked every quarter."""
    try:
        engine, now = web_engine(), clock.read_clock()
        week = due_week(now, load_office(engine).timezone)
        if not catch_up and is_stored(engine, week):
            return
        outcome = run_weekly(engine, now, holder_name(), week=week)
        log.info("weekly report of %s: %s", week, outcome)
    except Exception:  # the scheduler goes on; the next run tries again
        log.exception("weekly report failed")


def start_scheduler() -> BackgroundScheduler:
    """The started scheduler: the quarter-hourly jobs (the weekly report, the daily backup), and a catch-up run
    of each now."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(run_job, quarter_hour_trigger(), id=JOB, coalesce=True, misfire_grace_time=900)
    scheduler.add_job(run_job, kwargs={"catch_up": True}, id=f"{JOB}_catch_up")  # no trigger: once, at start
    scheduler.add_job(run_backup_job, quarter_hour_trigger(), id=BACKUP_JOB, coalesce=True, misfire_grace_time=900)
    scheduler.add_job(run_backup_job, id=f"{BACKUP_JOB}_catch_up")
    scheduler.start()
    return scheduler


@asynccontextmanager
async def scheduler_for_the_server(_app):
    """Part of st.App's lifespan: the scheduler runs while the server does (unless REPORT_SCHEDULER=off). A
    scheduler that cannot start is logged and the server starts without it: cron can still run the report."""
    scheduler = None
    if os.environ.get(SWITCH, "on").lower() != "off":
        try:
            scheduler = await to_thread.run_sync(start_scheduler)
        except Exception:
            log.exception("the weekly report's scheduler did not start")
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
