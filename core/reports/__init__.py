"""The weekly office report (issue 14): figures (data), tables (view), charts (charts), the PDF (pdf), the mail
(mail), the job lease (lease), and building, keeping and mailing a week (build)."""

from core.reports.build import (
    build_now,
    build_week,
    is_stored,
    mail_week,
    open_week,
    report_weeks,
    run_weekly,
    stored_week,
)
from core.reports.data import due_week, last_week, weekly_data

__all__ = ["build_now", "build_week", "due_week", "is_stored", "last_week", "mail_week", "open_week", "report_weeks",
           "run_weekly", "stored_week", "weekly_data"]
