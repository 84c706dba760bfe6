"""The office's daily jobs: the callback sweep (CB-2, CB-11) unless it already ran today, and the
current period's re-check samples (CB-4), which are drawn once per period and then left alone.
Run on the first sign-in of a day and by `python -m core.sweep` from cron."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from core.sampling import draw_period_samples
from core.schedule_sweep import SweepResult, run_if_not_today


def run_daily(engine: Engine, now: datetime, tz: str) -> SweepResult | None:
    result = run_if_not_today(engine, now, tz)
    draw_period_samples(engine, None, now.astimezone(ZoneInfo(tz)).date(), now, tz)
    return result
