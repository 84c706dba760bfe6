"""The dashboard's periods: a preset named in the URL turned into its days, from `today` (an argument, never
the clock), and the period of the same length before it, which every headline compares with (`previous`: on
the same weekdays when short). A period that holds today ends today: its days after today have not happened yet."""

from __future__ import annotations

from datetime import date, timedelta

from core.kpi.sql import WEEKS_SHOWN, earliest, monday

CUSTOM = "custom"
DEFAULT = "last_12_weeks"  # the dashboard's view before presets: the weekly charts' twelve weeks
PRESETS = (DEFAULT, "this_week", "last_week", "this_month", "last_month", "this_quarter", "last_12_months")

__all__ = ["CUSTOM", "DEFAULT", "PRESETS", "earliest", "period", "previous"]


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def period(preset: str, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of a preset; a current one ends today. Unknown preset: ValueError."""
    this_week = monday(today)
    match preset:
        case "last_12_weeks":
            return this_week - timedelta(weeks=WEEKS_SHOWN - 1), today
        case "this_week":
            return this_week, today
        case "last_week":
            return this_week - timedelta(weeks=1), this_week - timedelta(days=1)
        case "this_month":
            return _month_start(today), today
        case "last_month":
            return _month_start(today, 1), _month_start(today) - timedelta(days=1)
        case "this_quarter":
            return _month_start(today, (today.month - 1) % 3), today
        case "last_12_months":
            return _month_start(today, 11), today
    raise ValueError(preset)


ALIGNED_BELOW = 28  # days: a shorter period is compared with the same weekdays of earlier weeks


def previous(start: date, end: date) -> tuple[date, date]:
    """The period every headline compares with: as many days, before `start`. A period shorter than four weeks
    is compared with the same weekdays a whole number of weeks earlier ("this week" on a Tuesday: last week's
    Monday and Tuesday, not the weekend just before; a Wednesday: the Wednesday before), since an office's
    weekdays and weekends differ far more than its weeks do; a longer one with the days just before it."""
    days = (end - start).days + 1
    back = timedelta(weeks=-(-days // 7)) if days < ALIGNED_BELOW else timedelta(days=days)
    return start - back, end - back
