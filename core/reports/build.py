"""The weekly office report (issue 14): built once per office week (its figures, its PDF), kept for every week in
weekly_reports, mailed when a server is configured. `run_weekly` is what the scheduler and `python -m cli.report`
call: under the job lease, so two server processes (or a server and cron) build and mail it once."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from core.errors import Invalid
from core.office.settings import Office, load_office
from core.permissions import Action, Actor, require
from core.reports.charts import chart_images
from core.reports.data import last_week, weekly_data
from core.reports.lease import WEEKLY_REPORT, release_lease, take_lease
from core.reports.mail import build_message, mail_server, send
from core.reports.pdf import render_report_pdf
from db.engine import session_scope
from db.models import WeeklyReport

log = logging.getLogger("servicedesk.reports")
ERROR_MAX = 2000
MAIL_ATTEMPTS = 3  # a week whose mail failed is tried again by the next runs, this many times in all
ATTEMPT = re.compile(r"^attempt (\d+) of \d+: ")  # how mail_error starts: the count needs no column


@dataclass(frozen=True)
class Stored:
    """One stored week: its data, the PDF, and how the mail went."""

    week_start: date
    built_at: datetime
    data: dict
    pdf: bytes | None
    mailed_at: datetime | None
    mailed_to: str | None
    mail_error: str | None


def report_language(office: Office) -> str:
    return str(office.get("report.language"))


def render(data: dict, lang: str) -> tuple[bytes, dict[str, bytes]]:
    """The PDF and the chart images (name → PNG) of a week's data in `lang`."""
    images = chart_images(data, lang)
    return render_report_pdf(data, lang, images), images


def _check_week(week_start: date, now: datetime, tz: str) -> None:
    if week_start.weekday() != 0:
        raise Invalid("report.not_monday", field="week")
    if week_start > last_week(now, tz):
        raise Invalid("report.not_over", field="week")


def build_week(engine: Engine, week_start: date, now: datetime, office: Office | None = None,
               force: bool = False) -> bool:
    """Build and store the report of the office week starting `week_start` (a Monday of a week already over).
    Idempotent: a week already stored is left as it is unless `force` (then its figures and PDF are replaced
    and its mail record cleared). Of two first builds at once one row is stored: the unique week_start refuses
    the second, which keeps the first. Returns whether this call stored the row."""
    office = office or load_office(engine)
    tz = office.timezone
    _check_week(week_start, now, tz)
    if not force and stored_week(engine, week_start) is not None:
        return False
    data = weekly_data(engine, week_start, tz, now, int(office.get("work_order.dispatch_target_minutes")),
                       office.currency)
    pdf, _ = render(data, report_language(office))
    values = {"built_at": now, "data": data, "pdf": pdf, "mailed_at": None, "mailed_to": None, "mail_error": None}
    try:
        with session_scope(engine) as s:
            replaced = s.execute(update(WeeklyReport).where(WeeklyReport.week_start == week_start)
                                 .values(**values).execution_options(synchronize_session=False)) if force else None
            if replaced is None or not replaced.rowcount:
                s.add(WeeklyReport(week_start=week_start, **values))
                s.flush()
        return True
    except IntegrityError:  # another build stored the week meanwhile: theirs stands
        return False


def is_stored(engine: Engine, week_start: date) -> bool:
    """Whether the week's report is kept (one indexed lookup: no figures, no PDF read)."""
    with session_scope(engine) as s:
        return s.scalar(select(WeeklyReport.id).where(WeeklyReport.week_start == week_start)) is not None


def stored_week(engine: Engine, week_start: date) -> Stored | None:
    with session_scope(engine) as s:
        row = s.scalar(select(WeeklyReport).where(WeeklyReport.week_start == week_start))
        return None if row is None else Stored(row.week_start, row.built_at, row.data, row.pdf, row.mailed_at,
                                               row.mailed_to, row.mail_error)


def report_weeks(engine: Engine, actor: Actor) -> list[dict]:
    """Every stored week, newest first, with when it was built and how its mail went (no figures, no PDF).
    For those who read the KPIs."""
    require(actor, Action.VIEW_KPIS)
    with session_scope(engine) as s:
        rows = s.execute(select(WeeklyReport.week_start, WeeklyReport.built_at, WeeklyReport.mailed_at,
                                WeeklyReport.mail_error).order_by(WeeklyReport.week_start.desc())).mappings().all()
    return [dict(r) for r in rows]


def open_week(engine: Engine, actor: Actor, week_start: date) -> Stored | None:
    """One stored week, for those who read the KPIs."""
    require(actor, Action.VIEW_KPIS)
    return stored_week(engine, week_start)


def build_now(engine: Engine, actor: Actor, now: datetime) -> tuple[date, str]:
    """The manager's "build now": the last finished week, built (and mailed) when it is not stored yet, under
    the job lease as the scheduler. Returns that week and run_weekly's outcome (built, kept, busy)."""
    require(actor, Action.BUILD_REPORT)
    week = last_week(now, load_office(engine).timezone)
    return week, run_weekly(engine, now, f"user:{actor.id}", mail=True, week=week)


def mail_week(engine: Engine, week_start: date, now: datetime, office: Office | None = None) -> bool:
    """Mail the stored week to the configured recipients; record mailed_at and mailed_to, or the error (logged,
    never raised: the scheduler's loop goes on). Returns whether it was sent; nothing configured: False."""
    office = office or load_office(engine)
    server = mail_server(office)
    report = stored_week(engine, week_start)
    if server is None or report is None:
        return False
    lang = report_language(office)
    try:
        images = chart_images(report.data, lang)
        pdf = report.pdf or render_report_pdf(report.data, lang, images)
        send(build_message(report.data, lang, pdf, images, server), server)
    except Exception as failure:  # any failure of the mail is recorded, the job goes on
        log.exception("weekly report %s: mail failed", week_start)
        tried = mail_attempts(report.mail_error) + 1
        _record(engine, week_start, mail_error=f"attempt {tried} of {MAIL_ATTEMPTS}: {type(failure).__name__}: "
                                               f"{failure}"[:ERROR_MAX])
        return False
    _record(engine, week_start, mailed_at=now, mailed_to=", ".join(server.recipients), mail_error=None)
    return True


def mail_attempts(mail_error: str | None) -> int:
    """How many times a week's mail has failed, read from its mail_error ("attempt N of 3: ..."); an error
    recorded without the count is one attempt."""
    if mail_error is None:
        return 0
    found = ATTEMPT.match(mail_error)
    return int(found.group(1)) if found else 1


def _mail_due(report: Stored) -> bool:
    """Not mailed yet, and tried fewer than MAIL_ATTEMPTS times."""
    return report.mailed_at is None and mail_attempts(report.mail_error) < MAIL_ATTEMPTS


def _failed_weeks(engine: Engine, besides: date) -> list[date]:
    """The other stored weeks whose mail failed and may be tried again, oldest first."""
    with session_scope(engine) as s:
        rows = s.execute(select(WeeklyReport.week_start, WeeklyReport.mail_error).where(
            WeeklyReport.mailed_at.is_(None), WeeklyReport.mail_error.is_not(None),
            WeeklyReport.week_start != besides).order_by(WeeklyReport.week_start)).all()
    return [r.week_start for r in rows if mail_attempts(r.mail_error) < MAIL_ATTEMPTS]


def _record(engine: Engine, week_start: date, **values) -> None:
    with session_scope(engine) as s:
        s.execute(update(WeeklyReport).where(WeeklyReport.week_start == week_start).values(**values)
                  .execution_options(synchronize_session=False))


def run_weekly(engine: Engine, now: datetime, holder: str, mail: bool = True, week: date | None = None,
               force_mail: bool = False) -> str:
    """The job: under the lease, build the week (default: the last finished one) when not stored, and mail it
    when a server is configured and it has not been mailed yet (`force_mail`: again); a mail that failed is tried
    again by the next runs (the scheduler's start-up catch-up, its Monday run, cron), this week's and any earlier
    week's, MAIL_ATTEMPTS times in all. Returns what happened: "busy" (another holder runs it), "built", "kept"
    (already stored); a mail is recorded on the row."""
    if not take_lease(engine, WEEKLY_REPORT, holder, now):
        return "busy"
    try:
        office = load_office(engine)
        week = week or last_week(now, office.timezone)
        built = build_week(engine, week, now, office)
        report = stored_week(engine, week)
        if mail and report is not None and (force_mail or _mail_due(report)):
            mail_week(engine, week, now, office)
        if mail:
            for earlier in _failed_weeks(engine, besides=week):
                mail_week(engine, earlier, now, office)
        return "built" if built else "kept"
    finally:
        release_lease(engine, WEEKLY_REPORT, holder, now)
