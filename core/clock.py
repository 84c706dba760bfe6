"""Office time: every rule and list counts in the office's calendar days (setting office.timezone);
time itself is always an argument (STYLE habit 2). Nothing here reads the machine's clock: the app reads it
once per screen run in ui.clock, the commands in cli/."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def office_day(moment: datetime, tz: str) -> date:
    """The office-local calendar day of an instant."""
    return moment.astimezone(ZoneInfo(tz)).date()
