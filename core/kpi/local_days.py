"""The office-local calendar day of a UTC timestamp, computed in SQL on SQLite and PostgreSQL alike. A day is
numbered from 1970-01-01 (office-local): the timestamp's epoch second plus the office's UTC offset at that
instant, divided by a day. The offset changes only at daylight-saving transitions, found in Python with the
zone's own rules (zoneinfo) for the span asked about, so the SQL is one small CASE and needs no time zone
support from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, case, cast, func, literal

EPOCH = date(1970, 1, 1)  # a Thursday
DAY_S = 86400
Offsets = list[tuple[int, int]]  # (epoch second from which, UTC offset in seconds), oldest first


def _offset(moment: datetime, zone: ZoneInfo) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds())


def offsets(lo: datetime, hi: datetime, tz: str) -> Offsets:
    """The office's UTC offsets between the instants lo and hi: each transition found to the second."""
    zone = ZoneInfo(tz)
    moment, offset = lo, _offset(lo, zone)
    found = [(int(lo.timestamp()), offset)]
    while moment < hi:
        later = min(moment + timedelta(days=1), hi)
        if _offset(later, zone) != offset:
            a, b = int(moment.timestamp()), int(later.timestamp())  # offset(a) is the old one, offset(b) not
            while b - a > 1:
                m = (a + b) // 2
                a, b = (m, b) if _offset(datetime.fromtimestamp(m, UTC), zone) == offset else (a, m)
            offset = _offset(datetime.fromtimestamp(b, UTC), zone)
            found.append((b, offset))
        moment = later
    return found


def epoch_seconds(column, dialect: str):
    """A UTC timestamp column as whole seconds since 1970-01-01 UTC (an integer expression)."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), Integer)


def day_number(epoch, changes: Offsets):
    """The office-local day number of an epoch-seconds expression; instants before the first change read
    with the first offset, so `changes` should span every instant that must be exact."""
    shift = case(*[(epoch < start, before) for (start, _), (_, before) in zip(changes[1:], changes, strict=False)],
                 else_=changes[-1][1]) if len(changes) > 1 else literal(changes[0][1])
    return (epoch + shift) // DAY_S


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def weekday_of(number):
    """Monday 0 .. Sunday 6 of a day number (1970-01-01 was a Thursday, 3)."""
    return (number + 3) % 7
