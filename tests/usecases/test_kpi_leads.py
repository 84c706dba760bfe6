"""K-5 lead KPIs and their drill-downs on seeded leads and contacts (fixed seed, pinned NOW): every figure is
computed again here in plain Python over the rows the test made and compared, in office time zones with and
without daylight saving (and a half-hour offset)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.kpi import (
    KpiFilter,
    lead_contact_days,
    lead_conversion_rate,
    lead_follow_up_on_time_rate,
    lead_follow_ups,
    lead_follow_ups_on_schedule,
    lead_funnel_per_specialist,
    lead_funnel_per_week,
    lead_funnel_per_weekday,
    lead_sales_amount,
)
from core.kpi.drill_leads import LEAD_DRILLS
from core.kpi.leads import MEASURES
from core.kpi.sql import monday, weeks
from core.office.settings import Office
from db.engine import session_scope
from db.enums import CustomerGrade, LeadClass, LeadResult, LeadStatus
from tests.factories import NOW, make_customer, make_lead, make_lead_contact, make_user

RANGE = KpiFilter(date(2026, 10, 12), date(2026, 11, 20))  # Europe/Berlin leaves summer time on 2026-10-25
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/St_Johns"]
OFFICE = Office()
INTERVALS = {LeadClass.A: 2, LeadClass.B: 7, LeadClass.C: 30}  # the settings' defaults (L-1)
RESULTS = list(LeadResult)


@dataclass(frozen=True)
class Row:
    """One lead contact as the test made it."""

    id: int
    lead_id: int
    lead_name: str
    lead_status: str
    lead_class: LeadClass  # the lead's class now
    specialist_id: int
    grade: CustomerGrade | None
    user_id: int
    user: str
    at: datetime
    result: LeadResult
    amount: int | None
    new_class: LeadClass | None


@pytest.fixture
def seeded(engine) -> list[Row]:
    """Three specialists, 40 leads (some of a customer of some grade), 1-8 contacts each from five weeks
    before the range to NOW, at any minute of the day (so around office midnights too)."""
    rnd = random.Random(14)
    made = []
    with session_scope(engine) as s:
        users = [make_user(s, display_name=n) for n in ("Ann", "Bob", "Cai")]
        for _ in range(40):
            grade = rnd.choice([None, CustomerGrade.NORMAL, CustomerGrade.VIP])
            customer = make_customer(s, grade=grade) if grade else None
            lead = make_lead(s, lead_class=rnd.choice(list(LeadClass)), specialist_id=rnd.choice(users).id,
                             customer_id=customer.id if customer else None, status=rnd.choice(list(LeadStatus)))
            at = datetime(2026, 9, 7, tzinfo=NOW.tzinfo) + timedelta(minutes=rnd.randrange(60 * 24 * 50))
            for _ in range(rnd.randint(1, 8)):
                if at > NOW:
                    break
                user, result = rnd.choice(users), rnd.choice(RESULTS)
                amount = rnd.randrange(1, 10**7) if result == LeadResult.SALE else None
                new_class = rnd.choice([None, None, *LeadClass])
                c = make_lead_contact(s, lead, user, contacted_at=at, result=result, sale_amount_cents=amount,
                                      new_class=new_class)
                made.append(Row(c.id, lead.id, lead.name, lead.status.value, lead.lead_class, lead.specialist_id,
                                grade, user.id, user.display_name, at, result, amount, new_class))
                at += timedelta(days=rnd.choice([0, 1, 2, 3, 7, 8, 30, 31]), minutes=rnd.randrange(-600, 600))
    return made


def _day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def _in(row: Row, f: KpiFilter, tz: str) -> bool:
    return (f.start <= _day(row.at, tz) <= f.end and (not f.staff_id or row.user_id == f.staff_id)
            and (not f.grades or row.grade in f.grades))


def _stages(row: Row) -> dict[str, int]:
    r = row.result
    return {"dialed": 1, "completed": int(r != LeadResult.NO_ANSWER), "appointments": int(r == LeadResult.APPOINTMENT),
            "recommendations": int(r == LeadResult.RECOMMENDATION), "sales": int(r == LeadResult.SALE),
            "sales_amount_cents": row.amount or 0}


def _funnel(rows, key) -> dict:
    out: dict = {}
    for row in rows:
        sums = out.setdefault(key(row), dict.fromkeys(MEASURES, 0))
        for m, v in _stages(row).items():
            sums[m] += v
    return out


def _frame(frame, key) -> dict:
    return {r[key]: {m: r[m] for m in MEASURES} for r in frame.to_dict("records")}


def _follow_ups(rows: list[Row], f: KpiFilter, tz: str) -> list[tuple[Row, LeadClass, bool]]:
    """Every contact after a lead's first, made in the range, with the class after the previous contact and
    whether it was made on or before the office day due (K-5, L-1 as the docstring defines it)."""
    found = []
    for lead_id in {r.lead_id for r in rows}:
        mine = sorted((r for r in rows if r.lead_id == lead_id), key=lambda r: (r.at, r.id))
        klass = None
        for prev, row in zip(mine, mine[1:], strict=False):
            klass = prev.new_class or klass
            cls = klass or prev.lead_class
            due = prev.at + timedelta(days=INTERVALS[cls])
            if (f.start <= _day(row.at, tz) <= f.end and (not f.staff_id or row.specialist_id == f.staff_id)
                    and (not f.grades or row.grade in f.grades)):
                found.append((row, cls, _day(row.at, tz) <= _day(due, tz)))
    return found


FILTERS = {
    "everyone": RANGE,
    "one_week": replace(RANGE, start=date(2026, 10, 21), end=date(2026, 10, 27)),
    "vip": replace(RANGE, grades=(CustomerGrade.VIP,)),
}


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("name", FILTERS)
def test_the_funnel_per_week_specialist_and_weekday_equals_the_contacts_counted_one_by_one(engine, seeded, tz, name):
    """K-5, L-2: dialed, completed (anything but no answer), appointments, recommendations, sales, amount."""
    f = FILTERS[name]
    rows = [r for r in seeded if _in(r, f, tz)]
    days = lead_contact_days(engine, f, tz)
    expected_weeks = {w: _funnel(rows, lambda r: monday(_day(r.at, tz))).get(w, dict.fromkeys(MEASURES, 0))
                      for w in weeks(f.start, f.end)}
    assert _frame(lead_funnel_per_week(days, f), "week") == expected_weeks
    assert _frame(lead_funnel_per_specialist(days), "user_id") == _funnel(rows, lambda r: r.user_id)
    per_weekday = _funnel(rows, lambda r: _day(r.at, tz).weekday())
    assert _frame(lead_funnel_per_weekday(days), "weekday") == {
        d: per_weekday.get(d, dict.fromkeys(MEASURES, 0)) for d in range(7)}
    assert lead_sales_amount(days) == sum(r.amount or 0 for r in rows)
    assert lead_conversion_rate(days) == pytest.approx(sum(r.result == LeadResult.SALE for r in rows) / len(rows))


def test_the_seed_reaches_every_stage_and_office_midnight(seeded):
    """The data the comparisons run on is not trivial: every result, and contacts on both sides of midnight."""
    assert {r.result for r in seeded} == set(LeadResult)
    assert len([r for r in seeded if _in(r, RANGE, "Asia/Shanghai")]) > 60


def test_the_staff_filter_counts_only_the_contacts_that_person_made(engine, seeded):
    bob = next(r.user_id for r in seeded if r.user == "Bob")
    f = replace(RANGE, staff_id=bob)
    days = lead_contact_days(engine, f, "Asia/Shanghai")
    assert set(days["user_id"]) == {bob}
    assert days["dialed"].sum() == sum(_in(r, f, "Asia/Shanghai") for r in seeded)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("name", [*FILTERS, "staff"])
def test_follow_ups_on_schedule_per_class_equal_the_contacts_replayed(engine, seeded, tz, name):
    """K-5, L-1: each contact after a lead's first is due the class interval after the previous one."""
    f = FILTERS.get(name) or replace(RANGE, staff_id=seeded[0].specialist_id)
    found = _follow_ups(seeded, f, tz)
    counts = lead_follow_ups(engine, f, tz, OFFICE)
    got = {r["lead_class"]: (r["due"], r["on_time"]) for r in lead_follow_ups_on_schedule(counts).to_dict("records")}
    assert got == {k: (sum(c == k for _, c, _ in found), sum(c == k and ok for _, c, ok in found)) for k in LeadClass}
    assert lead_follow_up_on_time_rate(counts) == (
        pytest.approx(sum(ok for *_, ok in found) / len(found)) if found else None)


def test_a_follow_up_is_on_time_on_its_due_office_day_and_late_the_day_after(engine):
    """L-1: class A is due two days later; 23:59 in Shanghai on the due day is on time, 00:00 next day late."""
    tz, f = "Asia/Shanghai", KpiFilter(date(2026, 11, 1), date(2026, 11, 20))
    with session_scope(engine) as s:
        ann = make_user(s)
        first = make_lead(s, lead_class=LeadClass.A)
        second = make_lead(s, lead_class=LeadClass.C)
        base = datetime(2026, 11, 2, 2, 0, tzinfo=NOW.tzinfo)  # Monday 10:00 in Shanghai; due Wednesday
        for lead, late in ((first, timedelta(0)), (second, timedelta(minutes=1))):
            make_lead_contact(s, lead, ann, contacted_at=base, new_class=LeadClass.A if lead is second else None)
            make_lead_contact(s, lead, ann, contacted_at=datetime(2026, 11, 4, 15, 59, tzinfo=NOW.tzinfo) + late)
    counts = lead_follow_ups(engine, f, tz, OFFICE)
    assert counts.to_dict("records")[0] == {"lead_class": LeadClass.A, "due": 2, "on_time": 1}
    late = LEAD_DRILLS["lead_follow_ups_on_schedule"](engine, f, tz, NOW, {"lead_class": "A", "on_time": "no"}, 10, 0)
    assert [r["id"] for r in late[0]] == [second.id] and late[1] == 1


def test_no_contact_is_no_data_not_zero(engine):
    days = lead_contact_days(engine, RANGE, "Asia/Shanghai")
    assert lead_sales_amount(days) is None and lead_conversion_rate(days) is None
    assert lead_funnel_per_specialist(days).empty
    assert lead_funnel_per_week(days, RANGE)["dialed"].tolist() == [0] * len(weeks(RANGE.start, RANGE.end))
    counts = lead_follow_ups(engine, RANGE, "Asia/Shanghai", OFFICE)
    assert lead_follow_up_on_time_rate(counts) is None
    assert lead_follow_ups_on_schedule(counts)["on_time_rate"].tolist() == [None, None, None]


def _expected_page(rows: list[Row]) -> list[tuple]:
    ordered = sorted(rows, key=lambda r: (r.at, r.lead_id, r.id), reverse=True)
    return [("lead", r.lead_id, str(r.lead_id), r.lead_name, r.at, r.lead_status, r.user) for r in ordered]


def _drilled(engine, chart: str, f: KpiFilter, tz: str, pick: dict, size: int = 7) -> tuple[list[tuple], int]:
    """Every page of a drill, walked with LIMIT/OFFSET; each page's total must agree."""
    got, offset, totals = [], 0, set()
    while True:
        page, total = LEAD_DRILLS[chart](engine, f, tz, NOW, pick, size, offset)
        totals.add(total)
        got += [(r["kind"], r["id"], r["number"], r["customer"], r["at"], r["status"], r["staff"]) for r in page]
        if len(page) < size:
            break
        offset += size
    assert len(totals) == 1
    return got, totals.pop()


STAGE_OF = {"dialed": lambda r: True, "completed": lambda r: r.result != LeadResult.NO_ANSWER,
            "appointments": lambda r: r.result == LeadResult.APPOINTMENT,
            "sales": lambda r: r.result == LeadResult.SALE}


@pytest.mark.parametrize("stage", STAGE_OF)
def test_the_funnel_drills_list_exactly_the_contacts_of_the_mark_newest_first_page_by_page(engine, seeded, stage):
    tz, f = "Europe/Berlin", FILTERS["vip"]
    rows = [r for r in seeded if _in(r, f, tz) and STAGE_OF[stage](r)]
    week = date(2026, 10, 19)
    expected = _expected_page([r for r in rows if monday(_day(r.at, tz)) == week])
    assert _drilled(engine, "lead_funnel_per_week", f, tz, {"week": week.isoformat(), "stage": stage}) == (
        expected, len(expected))
    user = rows[0].user_id if rows else seeded[0].user_id
    expected = _expected_page([r for r in rows if r.user_id == user])
    assert _drilled(engine, "lead_funnel_per_specialist", f, tz, {"user_id": str(user), "stage": stage}) == (
        expected, len(expected))
    if stage == "sales":
        expected = _expected_page(rows)
        for headline in ("lead_sales_amount", "lead_conversion_rate"):
            assert _drilled(engine, headline, f, tz, {}) == (expected, len(expected))
    for weekday in (0, 6):
        expected = _expected_page([r for r in rows if _day(r.at, tz).weekday() == weekday])
        assert _drilled(engine, "lead_funnel_per_weekday", f, tz, {"weekday": str(weekday), "stage": stage}) == (
            expected, len(expected))


@pytest.mark.parametrize("name", [*FILTERS, "staff"])
@pytest.mark.parametrize("on_time", ["yes", "no"])
def test_the_follow_up_drill_lists_exactly_the_class_follow_ups_on_time_or_late(engine, seeded, on_time, name):
    """Pages of 7 walk the drill's newest-days-first cut (the rollup's days that hold the page) across days."""
    tz, f = "Asia/Shanghai", FILTERS.get(name) or replace(RANGE, staff_id=seeded[0].specialist_id)
    found = _follow_ups(seeded, f, tz)
    for klass in LeadClass:
        expected = _expected_page([r for r, c, ok in found if c == klass and ok == (on_time == "yes")])
        pick = {"lead_class": klass.value, "on_time": on_time}
        assert _drilled(engine, "lead_follow_ups_on_schedule", f, tz, pick) == (expected, len(expected))
    every_class = _expected_page([r for r, _, ok in found if ok == (on_time == "yes")])  # the headline's records
    assert _drilled(engine, "lead_follow_ups_on_schedule", f, tz, {"on_time": on_time}) == (
        every_class, len(every_class))


@pytest.mark.parametrize("chart, pick", [
    ("lead_funnel_per_week", {"week": "2026-12-28", "stage": "sales"}),
    ("lead_funnel_per_week", {"week": "not a date", "stage": "sales"}),
    ("lead_funnel_per_week", {"week": "2026-10-19", "stage": "bribes"}),
    ("lead_funnel_per_specialist", {"user_id": "x", "stage": "sales"}),
    ("lead_funnel_per_weekday", {"weekday": "7", "stage": "sales"}),
    ("lead_follow_ups_on_schedule", {"lead_class": "D", "on_time": "yes"}),
    ("lead_follow_ups_on_schedule", {}),
], ids=["week_outside_range", "bad_week", "bad_stage", "bad_user", "bad_weekday", "bad_class", "no_follow_up_pick"])
def test_a_pick_no_mark_has_is_refused(engine, seeded, chart, pick):
    """A stale or edited link's pick: ValueError (core.kpi.drill_page), the page's notice, never an empty list."""
    with pytest.raises(ValueError):
        LEAD_DRILLS[chart](engine, RANGE, "Asia/Shanghai", NOW, pick, 10, 0)


def test_the_seed_has_follow_ups_on_time_and_late_in_every_class(seeded):
    found = _follow_ups(seeded, RANGE, "Asia/Shanghai")
    assert {(c, ok) for _, c, ok in found} == {(k, ok) for k in LeadClass for ok in (True, False)}
