"""The office's daily jobs: the callback sweep (CB-2, CB-11) unless it already ran today, with the progress
calls of orders still unfinished days after intake (WO-11), and the current period's re-check samples
(CB-4), which are drawn once per period and then left alone. Run on the first sign-in of a day and by
`python -m cli.sweep` from cron."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from core.clock import office_day
from core.office.settings import load_office
from core.rechecks.rules import period_of
from core.rechecks.services import draw_period_samples
from core.scheduling.sweep import SweepResult, run_if_not_today
from core.work_orders.progress import plan_late_progress_calls


def run_daily(engine: Engine, now: datetime, tz: str) -> SweepResult | None:
    result = run_if_not_today(engine, now, tz)
    if result is not None:
        plan_late_progress_calls(engine, now)
    draw_period_samples(engine, None, last_period_day(engine, now, tz), now, tz)
    return result


def last_period_day(engine: Engine, now: datetime, tz: str) -> date:
    """A day of the last complete period: its deliveries and complaints are known, so that is the
    period whose customers are sampled (CB-4) and re-checked during the current one."""
    _, start, _ = period_of(office_day(now, tz), str(load_office(engine).get("recheck.period")))
    return start - timedelta(days=1)
