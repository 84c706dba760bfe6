"""The demo office's clock: whole-second UTC timestamps as ints, office-local days as date ordinals.

Generation works on plain ints because millions of rows are built; the writer turns them into
the column types (demo.writer). The office's UTC offset is taken once, at `today`
(the default office time zone, Asia/Shanghai, has no daylight saving).
"""

from __future__ import annotations

from datetime import date, datetime, time
from random import Random
from zoneinfo import ZoneInfo

DAY = 86_400
HOUR = 3_600
MINUTE = 60
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
OPEN_AT = 8 * HOUR + 30 * MINUTE  # office hours, local
CLOSE_AT = 18 * HOUR


class Clock:
    """`now` is noon (office time) of `today`; the history starts `days` before today."""

    def __init__(self, today: date, timezone: str, days: int = 182) -> None:
        noon = datetime.combine(today, time(12), tzinfo=ZoneInfo(timezone))
        self.offset = int(noon.utcoffset().total_seconds())
        self.today = today.toordinal()
        self.start = self.today - days
        self.now = self.day_start(self.today) + 12 * HOUR

    def day_start(self, ordinal: int) -> int:
        """The UTC timestamp of office-local midnight starting day `ordinal`."""
        return (ordinal - EPOCH_ORDINAL) * DAY - self.offset

    def day_end(self, ordinal: int) -> int:
        """The last second of office-local day `ordinal`."""
        return self.day_start(ordinal + 1) - 1

    def day_of(self, ts: int) -> int:
        """The office-local date ordinal of a timestamp."""
        return EPOCH_ORDINAL + (ts + self.offset) // DAY

    def month_of(self, ts: int) -> str:
        """`YYYYMM` of the office-local day, as used in document numbers."""
        d = date.fromordinal(self.day_of(ts))
        return f"{d.year}{d.month:02d}"

    def office(self, rng: Random, ordinal: int) -> int:
        """A moment within office hours on day `ordinal` (today: not after now)."""
        return min(self.now, self.day_start(ordinal) + OPEN_AT + int(rng.random() * (CLOSE_AT - OPEN_AT)))

    def snap(self, ts: int) -> int:
        """Map a moment of the day onto office hours of the same day, keeping its relative place."""
        tod = (ts + self.offset) % DAY
        return ts - tod + OPEN_AT + tod * (CLOSE_AT - OPEN_AT) // DAY

    def forward(self, ts: int) -> int:
        """The first office-hours moment at or after `ts`."""
        tod = (ts + self.offset) % DAY
        if tod < OPEN_AT:
            return ts + OPEN_AT - tod
        return ts + DAY - tod + OPEN_AT if tod > CLOSE_AT else ts

    def between(self, rng: Random, a: int, b: int) -> int:
        """A moment in [a, b], preferably within office hours."""
        if b <= a:
            return a
        ts = self.snap(a + int(rng.random() * (b - a)))
        return ts if a <= ts <= b else a + int(rng.random() * (b - a))

    def recent(self, rng: Random, low_days: float, high_days: float) -> int:
        """An office-hours moment between `high_days` and `low_days` before now (never after now)."""
        a = self.now - int(high_days * DAY)
        b = self.now - int(low_days * DAY)
        return self.between(rng, max(a, self.day_start(self.start)), b)

    def window_start(self) -> int:
        return self.day_start(self.start)


def later(rng: Random, ts: int, low: float, high: float) -> int:
    """`ts` plus a random whole number of seconds in [low, high] (at least one second)."""
    return ts + max(1, int(low + rng.random() * (high - low)))
