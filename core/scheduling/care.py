"""CB-2 holiday and birthday care, as the office sets it (C-2): the holidays greeted (setting
`callback.holidays`, MM-DD every year or YYYY-MM-DD once) and the customer grades that get care calls
(setting `callback.care_grades`). Parsed here, used by core.scheduling.rules, validated by core.office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.office.defaults import DEFAULTS
from db.enums import CustomerGrade


@dataclass(frozen=True)
class Holidays:
    """CB-2 holiday care: the holidays greeted, from the setting `callback.holidays`, a comma-separated list
    of MM-DD (every year: 01-01) and YYYY-MM-DD (that year only: lunar holidays, 2027-02-06)."""

    yearly: frozenset[tuple[int, int]] = frozenset()
    once: frozenset[date] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Holidays:
        """The holidays of the setting's text; ValueError naming the first entry that is not a date."""
        yearly, once = set(), set()
        for token in (t.strip() for t in text.replace("，", ",").replace("\n", ",").split(",")):
            if token:
                _parse_one(token, yearly, once)
        return cls(frozenset(yearly), frozenset(once))

    def text(self) -> str:
        """The canonical setting text: yearly ones first, then the dated ones, each in order."""
        yearly = [f"{m:02d}-{d:02d}" for m, d in sorted(self.yearly)]
        return ", ".join(yearly + [d.isoformat() for d in sorted(self.once)])

    def between(self, first: date, last: date) -> list[date]:
        """The greeted holidays falling in [first, last], in order (29 February only in leap years)."""
        yearly = {date(y, m, d) for y in range(first.year, last.year + 1) for m, d in self.yearly
                  if (m, d) != (2, 29) or leap(y)}
        return sorted(d for d in yearly | self.once if first <= d <= last)


def _parse_one(token: str, yearly: set, once: set) -> None:
    try:
        if len(token) == 5 and token[2] == "-":
            month, day = int(token[:2]), int(token[3:])
            date(2000, month, day)  # a leap year: 02-29 is a valid yearly holiday
            yearly.add((month, day))
        else:
            once.add(date.fromisoformat(token))
    except ValueError:
        raise ValueError(token) from None


def care_grades(text: str) -> tuple[CustomerGrade, ...]:
    """C-2 / CB-2: the grades of the setting `callback.care_grades` ("vip, key"); ValueError naming an
    unknown grade. Empty means no care calls."""
    grades = []
    for token in (t.strip().lower() for t in text.replace("，", ",").split(",")):
        if token and token not in grades:
            if token not in CustomerGrade._value2member_map_:
                raise ValueError(token)
            grades.append(token)
    return tuple(CustomerGrade(g) for g in grades)


DEFAULT_HOLIDAYS = Holidays.parse(str(DEFAULTS["callback.holidays"]))
"""The default list: New Year, Labour Day, National Day every year; Spring Festival, Qingming, Dragon Boat
and Mid-Autumn dated for 2026-2027 (lunar). An admin extends it in Settings."""


def leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
