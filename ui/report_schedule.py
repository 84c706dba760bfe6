"""The weekly report runs by itself (issue 14): a BackgroundScheduler inside the server, started by launcher.py's
lifespan, runs core.reports.run_weekly from Monday 07:00 office time on (an hourly job that asks whether it is
due), and once at start (a catch-up: the last finished week, when a server was down on the Monday). The job lease
in the database makes two server processes (or a server and `python -m cli.report` from cron) build and mail it
once. A failure is logged, never raised."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

from anyio import to_thread
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from core.office.settings import load_office
from core.reports import report_due, run_weekly
from core.reports.lease import holder_name
from ui import clock
from ui.web_engine import web_engine

log = logging.getLogger("servicedesk.reports")
JOB = "weekly_report"
SWITCH = "REPORT_SCHEDULER"  # "off": this server runs no scheduler (e.g. cron runs `python -m cli.report`)


def hourly_trigger() -> CronTrigger:
    """Every hour on the hour (UTC): each run asks core.reports.report_due with the office's zone as it is then,
    so a zone changed in the settings moves the Monday 07:00 without a restart."""
    return CronTrigger(minute=0, timezone="UTC")


def run_job(when_due: bool = True) -> None:
    """One run: the clock read here (ui.clock, the app's one boundary), the work in core; `when_due`: only from
    Monday 07:00 office time on (a week already stored is kept; a failed mail is tried again, MAIL_ATTEMPTS in
    all)."""
    try:
        engine, now = web_engine(), clock.read_clock()
        if when_due and not report_due(now, load_office(engine).timezone):
            return
        outcome = run_weekly(engine, now, holder_name())
        log.info("weekly report: %s", outcome)
    except Exception:  # the scheduler goes on; the next hour tries again
        log.exception("weekly report failed")


def start_scheduler() -> BackgroundScheduler:
    """The started scheduler: the hourly job, and a catch-up run now (the last finished week, whatever the hour)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(run_job, hourly_trigger(), id=JOB, coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(run_job, kwargs={"when_due": False}, id=f"{JOB}_catch_up")  # no trigger: once, at start
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
