"""Every configurable number of DOMAIN.md with its default. Admins change them in the app;
the initial migration seeds these rows, and a test checks the two agree."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    "office.timezone": "Asia/Shanghai",
    "office.currency": "CNY",
    "office.phone_region": "CN",  # C-1: the region a phone typed without +country code belongs to
    "callback.first_call_delay_days": 1,  # CB-2 first call: the day after the order takes effect
    "callback.new_customer_window_days": 7,  # CB-2 within 7 days of delivery
    "callback.after_repair_window_days": 3,  # CB-2 / WO-10 within 3 days after completion
    "callback.complaint_window_days": 7,  # CB-2 within one week after a complaint
    "callback.missed_call_window_days": 0,  # CB-2 / CB-11 same day
    "callback.holiday_lead_days": 3,  # CB-2 holiday care: greet in the 3 office days before the holiday
    "callback.holidays": "01-01, 05-01, 10-01, 2026-02-17, 2026-04-05, 2026-06-19, 2026-09-25, "
                         "2027-02-06, 2027-04-05, 2027-06-09, 2027-09-15",  # CB-2: MM-DD yearly, YYYY-MM-DD once
    "callback.care_grades": "vip, key",  # C-2 / CB-2: the grades that get birthday and holiday care calls
    "callback.retry_interval_hours": 4,  # CB-6 not reached: retry later
    "callback.max_attempts": 3,  # CB-6 then the record is marked unreachable (C-3)
    "callback.assignment": "least_load",  # or "round_robin"
    "recheck.l2_rate_pct": 10,  # CB-4 manager's sample
    "recheck.l3_rate_pct": 5,  # CB-4 director's sample
    "recheck.period": "week",  # or "month"
    "lead.a_interval_days": 2,  # L-1
    "lead.b_interval_days": 7,
    "lead.c_interval_days": 30,
    "work_order.dispatch_target_minutes": 5,  # WO-3
    "work_order.repair_target_hours": 48,  # WO-6 completed later than this after intake: a delay reason is due
    "work_order.progress_call_days": 3,  # WO-11 still unfinished this many days after intake: a progress call
    "complaint.reply_deadline_days": 3,  # CP-2 / CP-5 promised reply deadline, a normal complaint
    "complaint.reply_deadline_days_critical": 1,  # CP-5 a critical complaint is answered sooner
    "complaint.reply_deadline_days_minor": 5,
    "complaint.first_response_working_days": 1,  # CP-5 first response within one working day of receipt
    "complaint.full_inspection_max": 20,  # CP-3 returns up to this many units are all inspected, more sampled
    "archive.complete_within_days": 3,  # C-5
    "auth.idle_timeout_minutes": 30,
    "auth.session_lifetime_hours": 12,
    "auth.lockout_attempts": 5,
    "auth.lockout_minutes": 15,
    # Issue 14, the weekly office report: its language, and the mail (no SMTP host: the report is kept, not mailed).
    # The SMTP password is never a setting: the server reads it from the environment (SMTP_PASSWORD).
    "report.language": "zh",
    "report.smtp_host": "",
    "report.smtp_port": 587,
    "report.smtp_starttls": "on",  # or "off"
    "report.smtp_sender": "",
    "report.recipients": "",  # addresses separated by commas
    # Issue 15: the daily backup the server's scheduler takes (core.backup) is kept this many days.
    "backup.keep_days": 14,
}
