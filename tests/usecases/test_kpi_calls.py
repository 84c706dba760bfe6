"""K-1 and K-2 (issue 14) on a seeded database: the daily aggregates A1/A2 (core.kpi.call_days), the callback
and call KPIs summed from them, the call quality KPIs (core.kpi.call_quality) and their drill-downs
(core.kpi.drill_calls), each recomputed here in plain Python over the rows the seed made, in two office
time zones (one crossing the end of daylight saving), with and without the staff, grade and kind filters."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.kpi import (
    KpiFilter,
    attempt_counts,
    attempt_days,
    average_score,
    callback_completion_rate,
    callback_days,
    callback_on_time_rate,
    callback_rates_by_kind,
    callback_weeks,
    callbacks_per_week,
    dissatisfaction_reasons,
    invalid_number_rate,
    qa_score_per_specialist,
    reach_rate,
    recheck_coverage,
    satisfaction_distribution,
)
from core.kpi import drill_calls as drill
from core.kpi.drill import DRILLS
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CallOutcome,
    CustomerGrade,
    Role,
    Satisfaction,
)
from db.models import Callback, RecheckSample
from tests.factories import NOW, make_attempt, make_callback, make_customer, make_user, make_work_order

RANGE = (date(2026, 10, 26), date(2026, 11, 22))  # four office weeks; New York leaves daylight saving on 11-01
ZONES = ("Asia/Shanghai", "America/New_York")
KINDS = (CallbackKind.AFTER_REPAIR, CallbackKind.COMPLAINT, CallbackKind.NEW_CUSTOMER, CallbackKind.RECHECK)
REASONS = ("Too slow.", "too  slow", " TOO SLOW!", "Rude", "rude。", "Price too high", "price too high...",
           "Nobody called back", "Dirty car", "dirty car!", "Parts missing", "Wrong part", "Late", "late.",
           "Noise not fixed", "Bill unclear", "...")
PUNCTUATION = ".,;:!?。，；：！？、… "


@dataclass
class Seed:
    """What the seed made, as plain Python rows."""

    staff: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    grade: dict[int, CustomerGrade] = field(default_factory=dict)  # customer → grade
    customer_name: dict[int, str] = field(default_factory=dict)
    callbacks: dict[int, dict] = field(default_factory=dict)
    attempts: list[dict] = field(default_factory=list)


def _moment(rng: random.Random) -> datetime:
    """A random UTC minute from a week before the range to a week after it; a fifth of them just around an
    office midnight of either zone (the edges of a day)."""
    start = datetime(2026, 10, 19, tzinfo=UTC)
    if rng.random() < 0.2:
        midnight = datetime.combine(date(2026, 10, 20) + timedelta(days=rng.randrange(40)), datetime.min.time(),
                                    ZoneInfo(rng.choice(ZONES))).astimezone(UTC)
        return midnight + timedelta(minutes=rng.choice((-1, 0, 1)))
    return start + timedelta(minutes=rng.randrange(49 * 24 * 60))


@pytest.fixture
def seed(engine) -> Seed:
    rng, out = random.Random(14), Seed()
    with session_scope(engine) as s:
        people = [make_user(s) for _ in range(3)]
        tech = make_user(s, role=Role.ENGINEER)
        out.staff = [u.id for u in people]
        out.names = {u.id: u.display_name for u in people}
        customers = [make_customer(s, grade=rng.choice(list(CustomerGrade))) for _ in range(8)]
        out.grade = {c.id: c.grade for c in customers}
        out.customer_name = {c.id: c.name for c in customers}
        orders = [make_work_order(s, c, people[0], technician_id=tech.id if i % 2 else None)
                  for i, c in enumerate(customers[:4])]
        samples = [RecheckSample(period=p, level=lv, seed=1, target_rate_pct=r, population=n)
                   for p, lv, r, n in (("2026-W45", CallbackLevel.L2, 10, 30), ("2026-11", CallbackLevel.L3, 5, 0),
                                       ("2026-W30", CallbackLevel.L2, 10, 9))]
        s.add_all(samples)
        s.flush()
        for _ in range(140):
            c, due = rng.choice(customers), _moment(rng)
            status = rng.choice(list(CallbackStatus))
            done = due + timedelta(minutes=rng.choice((-600, -1, 0, 1, 600))) if status is CallbackStatus.COMPLETED \
                else None
            order = rng.choice([None, *orders])
            cb = make_callback(s, c, kind=rng.choice(KINDS), level=rng.choice(list(CallbackLevel)), status=status,
                               due_start=due - timedelta(days=3), due_end=due, completed_at=done,
                               assignee_id=rng.choice([None, *out.staff]), work_order_id=order and order.id,
                               sample_id=rng.choice([None, None, *(x.id for x in samples)]))
            out.callbacks[cb.id] = {"id": cb.id, "customer_id": c.id, "kind": cb.kind, "level": cb.level,
                                    "status": status, "due_end": due, "completed_at": done,
                                    "assignee_id": cb.assignee_id, "sample_id": cb.sample_id,
                                    "technician_id": order.technician_id if order else None}
        objects, callers = {}, {u.id: u for u in people}
        for cb_id in out.callbacks:
            objects[cb_id] = s.get(Callback, cb_id)
        for _ in range(260):
            cb = out.callbacks[rng.choice(list(out.callbacks))]
            outcome = rng.choice(list(CallOutcome))
            reached = outcome is CallOutcome.REACHED
            answer = rng.choice([None, *Satisfaction]) if reached else None
            row = {"attempted_at": _moment(rng), "outcome": outcome, "satisfaction": answer,
                   "score": rng.choice([None, 1, 2, 3, 4, 5]) if reached else None,
                   "dissatisfaction_reason": rng.choice([None, *REASONS]) if answer is Satisfaction.DISSATISFIED
                   else None, "qa_score": rng.choice([None, None, *range(12)])}
            caller = rng.choice(out.staff)
            a = make_attempt(s, objects[cb["id"]], callers[caller], **row)
            out.attempts.append(row | {"id": a.id, "callback_id": cb["id"], "caller_id": caller})
    return out


# --- the figures recomputed in plain Python ---------------------------------------------------------------

def _day(t: datetime, tz: str) -> date:
    return t.astimezone(ZoneInfo(tz)).date()


def _in(t: datetime, tz: str, start: date = RANGE[0], end: date = RANGE[1]) -> bool:
    return start <= _day(t, tz) <= end


def _cb_matches(seed: Seed, cb: dict, f: KpiFilter) -> bool:
    return ((not f.grades or seed.grade[cb["customer_id"]] in f.grades)
            and (not f.callback_kinds or cb["kind"] in f.callback_kinds))


def _owed(seed: Seed, f: KpiFilter, tz: str) -> list[dict]:
    """K-1's rows: callbacks not cancelled, due in the range, narrowed by assignee, grade, kind."""
    return [cb for cb in seed.callbacks.values() if cb["status"] is not CallbackStatus.CANCELLED
            and _in(cb["due_end"], tz, f.start, f.end) and _cb_matches(seed, cb, f)
            and (not f.staff_id or cb["assignee_id"] == f.staff_id)]


def _made(seed: Seed, f: KpiFilter, tz: str) -> list[dict]:
    """K-2's rows: attempts made in the range, narrowed by caller and by their callback's grade and kind."""
    return [a for a in seed.attempts if _in(a["attempted_at"], tz, f.start, f.end)
            and _cb_matches(seed, seed.callbacks[a["callback_id"]], f)
            and (not f.staff_id or a["caller_id"] == f.staff_id)]


def _done(cb: dict) -> bool:
    return cb["status"] is CallbackStatus.COMPLETED


def _on_time(cb: dict) -> bool:
    return _done(cb) and cb["completed_at"] <= cb["due_end"]


def _reached(a: dict) -> bool:
    return a["outcome"] is CallOutcome.REACHED


def _reason(text: str) -> str:
    """A reason as the chart groups it: lower case, blanks collapsed, trailing punctuation left out."""
    return " ".join(text.lower().split()).rstrip(PUNCTUATION).strip()


def _reasons(seed: Seed, f: KpiFilter, tz: str) -> Counter:
    return Counter(_reason(a["dissatisfaction_reason"]) for a in _made(seed, f, tz)
                   if _reached(a) and a["satisfaction"] is Satisfaction.DISSATISFIED and a["dissatisfaction_reason"]
                   and _reason(a["dissatisfaction_reason"]))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _filter(seed: Seed, name: str) -> KpiFilter:
    parts = {"none": {}, "staff": {"staff_id": seed.staff[0]},
             "grade": {"grades": (CustomerGrade.VIP, CustomerGrade.KEY)},
             "kind": {"callback_kinds": (CallbackKind.AFTER_REPAIR, CallbackKind.RECHECK)},
             "all": {"staff_id": seed.staff[1], "grades": (CustomerGrade.NORMAL, CustomerGrade.VIP),
                     "callback_kinds": (CallbackKind.COMPLAINT, CallbackKind.NEW_CUSTOMER, CallbackKind.RECHECK)}}
    return KpiFilter(*RANGE, **parts[name])


FILTERS = ("none", "staff", "grade", "kind", "all")
CASES = [pytest.param(tz, name, id=f"{tz.split('/')[1]}-{name}") for tz in ZONES for name in FILTERS]


@pytest.mark.parametrize(("tz", "name"), CASES)
def test_the_daily_aggregates_count_each_row_on_its_office_day(engine, seed, tz, name):
    """A1 and A2 (K-1, K-2): one row per office day and dims, exactly the counts of the rows they cover."""
    f = _filter(seed, name)
    a1 = defaultdict(lambda: [0, 0, 0])
    for cb in _owed(seed, f, tz):
        key = (_day(cb["due_end"], tz), cb["assignee_id"], cb["kind"].value, cb["level"].value)
        a1[key] = [x + y for x, y in zip(a1[key], (1, _done(cb), _on_time(cb)), strict=True)]
    frame = callback_days(engine, f, tz)
    assert list(frame.columns) == ["day", "assignee_id", "kind", "level", "due", "done", "on_time"]
    got = {tuple(r[:4]): list(r[4:]) for r in frame.itertuples(index=False)}
    assert (len(frame), got) == (len(a1), dict(a1))
    assert a1, "the seed leaves rows in every case"

    a2 = defaultdict(lambda: [0] * 10)
    for a in _made(seed, f, tz):
        cb, reached = seed.callbacks[a["callback_id"]], _reached(a)
        scored = reached and a["score"] is not None
        key = (_day(a["attempted_at"], tz), a["caller_id"], cb["technician_id"], cb["kind"].value, cb["level"].value)
        row = (1, reached, a["outcome"] is CallOutcome.WRONG_NUMBER, a["score"] if scored else 0, scored,
               *(reached and a["satisfaction"] is s for s in Satisfaction),
               a["qa_score"] or 0, a["qa_score"] is not None)
        a2[key] = [x + int(y) for x, y in zip(a2[key], row, strict=True)]
    frame = attempt_days(engine, f, tz)
    assert list(frame.columns[5:]) == ["attempts", "reached", "wrong_number", "score_sum", "scored", "satisfied",
                                       "neutral", "dissatisfied", "qa_sum", "qa_n"]
    got = {tuple(r[:5]): list(r[5:]) for r in frame.itertuples(index=False)}
    assert (len(frame), got) == (len(a2), dict(a2))


@pytest.mark.parametrize(("tz", "name"), CASES)
def test_the_callback_and_call_kpis_equal_a_count_of_the_rows(engine, seed, tz, name):
    """K-1 (CB-3) and K-2 (CB-6, CB-7, CB-9) from the frames, against the seed's rows."""
    f = _filter(seed, name)
    owed, made = _owed(seed, f, tz), _made(seed, f, tz)
    days = callback_days(engine, f, tz)
    weeks = callback_weeks(days, f)
    assert callback_completion_rate(weeks) == pytest.approx(sum(map(_done, owed)) / len(owed))
    assert callback_on_time_rate(weeks) == pytest.approx(sum(map(_on_time, owed)) / len(owed))
    per_week = callbacks_per_week(weeks)
    mondays = [RANGE[0] + timedelta(weeks=i) for i in range(4)]
    assert list(per_week["week"]) == mondays
    for column, counted in (("due", lambda cb: True), ("done", _done), ("on_time", _on_time)):
        assert list(per_week[column]) == [sum(1 for cb in owed if counted(cb) and _monday(_day(cb["due_end"], tz))
                                              == w) for w in mondays]

    rates = callback_rates_by_kind(days)
    groups = defaultdict(list)
    for cb in owed:
        groups[(cb["kind"].value, cb["level"].value)].append(cb)
    assert [tuple(r) for r in rates.itertuples(index=False)] == [
        (kind, level, len(cbs), sum(map(_done, cbs)), sum(map(_on_time, cbs)),
         sum(map(_done, cbs)) / len(cbs), sum(map(_on_time, cbs)) / len(cbs))
        for (kind, level), cbs in sorted(groups.items())]

    counts = attempt_counts(attempt_days(engine, f, tz))
    reached = [a for a in made if _reached(a)]
    scores = [a["score"] for a in reached if a["score"] is not None]
    assert reach_rate(counts) == pytest.approx(len(reached) / len(made))
    assert invalid_number_rate(counts) == pytest.approx(
        sum(a["outcome"] is CallOutcome.WRONG_NUMBER for a in made) / len(made))
    assert average_score(counts) == pytest.approx(sum(scores) / len(scores))
    dist = satisfaction_distribution(counts)
    assert dict(zip(dist["satisfaction"], dist["count"], strict=True)) == {
        s: sum(a["satisfaction"] is s for a in reached) for s in Satisfaction}

    qa = defaultdict(list)
    for a in made:
        if a["qa_score"] is not None:
            qa[a["caller_id"]].append(a["qa_score"])
    expected = sorted(((c, len(v), sum(v), sum(v) / len(v)) for c, v in qa.items()), key=lambda r: (-r[3], r[0]))
    assert [tuple(r) for r in qa_score_per_specialist(attempt_days(engine, f, tz)).itertuples(index=False)] == expected

    top = dissatisfaction_reasons(engine, f, tz)
    counter = _reasons(seed, f, tz)
    assert list(top["count"]) == sorted(counter.values(), reverse=True)[:10]
    assert all(counter[r] == n for r, n in zip(top["reason"], top["count"], strict=True))


def test_reasons_are_grouped_regardless_of_case_spacing_and_trailing_punctuation(engine, seed):
    """K-2: "Too slow.", "too  slow" and " TOO SLOW!" are one reason; "..." is none."""
    top = dissatisfaction_reasons(engine, KpiFilter(*RANGE), ZONES[0])
    assert "too slow" in set(top["reason"]) and "" not in set(top["reason"])
    assert not any(r != _reason(r) for r in top["reason"])


def test_recheck_coverage_lists_the_samples_of_the_periods_the_range_touches(engine, seed):
    """K-1, CB-4: W45 (in the range) and 2026-11 are listed, July's W30 is not; an empty population has no
    coverage."""
    frame = recheck_coverage(engine, KpiFilter(*RANGE))
    with session_scope(engine) as s:
        ids = {(x.period, x.level.value): x.id for x in s.query(RecheckSample)}
    rows = []
    for period, level, population, rate in (("2026-11", "L3", 0, 5), ("2026-W45", "L2", 30, 10)):
        mine = [cb for cb in seed.callbacks.values() if cb["sample_id"] == ids[(period, level)]]
        done = sum(map(_done, mine))
        rows.append((period, level, population, len(mine), done, done / population if population else None, rate,
                     rate / 100))
    assert [tuple(r) for r in frame.itertuples(index=False)] == rows
    for r in frame.itertuples(index=False):  # its drill-down: the sample's callbacks, drawn or done
        mine = [cb for cb in seed.callbacks.values() if cb["sample_id"] == ids[(r.period, r.level)]]
        for series, count in (("drawn", r.drawn), ("done", r.done)):
            got, total = _pages(drill.recheck_coverage, engine, KpiFilter(*RANGE), ZONES[0],
                                {"period": r.period, "level": r.level, "series": series})
            assert (total, _as_tuples(got)) == (count, _callback_rows(seed, [cb for cb in mine
                                                                             if series == "drawn" or _done(cb)]))
    assert ("2026-W44", CallbackLevel.L3) not in {(p, CallbackLevel(lv)) for p, lv in ids}  # no such sample drawn:
    assert _pages(drill.recheck_coverage, engine, KpiFilter(*RANGE), ZONES[0],  # nothing listed, not the
                  {"period": "2026-W44", "level": "L3"}) == ([], 0)  # callbacks outside every sample


def test_every_figure_is_none_or_empty_without_data(engine):
    """No rows: rates None (not 0), frames empty, weeks counted 0, drill-downs empty."""
    f, tz = KpiFilter(*RANGE), ZONES[0]
    days, attempts = callback_days(engine, f, tz), attempt_days(engine, f, tz)
    assert days.empty and attempts.empty
    weeks, counts = callback_weeks(days, f), attempt_counts(attempts)
    assert [callback_completion_rate(weeks), callback_on_time_rate(weeks), reach_rate(counts),
            invalid_number_rate(counts), average_score(counts)] == [None] * 5
    assert weeks[["due", "done", "on_time"]].to_numpy().sum() == 0
    assert callback_rates_by_kind(days).empty and qa_score_per_specialist(attempts).empty
    assert dissatisfaction_reasons(engine, f, tz).empty and recheck_coverage(engine, f).empty
    assert DRILLS["callbacks_per_week"](engine, f, tz, NOW, {"week": "2026-11-16", "series": "due"}, 10, 0) == ([], 0)
    assert drill.qa_score_per_specialist(engine, f, tz, NOW, {"caller": "1"}, 10, 0) == ([], 0)


# --- drill-downs: exactly the rows a mark counts, latest first, page by page ---------------------------------

def _pages(fn, engine, f, tz, pick, size=7) -> tuple[list[dict], int]:
    whole, total = fn(engine, f, tz, NOW, pick, 1000, 0)
    paged, offset = [], 0
    while offset < total:
        rows, again = fn(engine, f, tz, NOW, pick, size, offset)
        assert again == total and len(rows) == min(size, total - offset)
        paged, offset = paged + rows, offset + size
    assert paged == whole
    return whole, total


def _callback_rows(seed: Seed, cbs: list[dict]) -> list[tuple]:
    ordered = sorted(cbs, key=lambda cb: (cb["due_end"], cb["id"]), reverse=True)
    return [("callback", cb["id"], str(cb["id"]), seed.customer_name[cb["customer_id"]], cb["due_end"],
             cb["status"].value, seed.names.get(cb["assignee_id"])) for cb in ordered]


def _attempt_rows(seed: Seed, attempts: list[dict], number: str = "id") -> list[tuple]:
    """Attempts as drill rows; `number` the field shown as the number (core.kpi.drill shows the callback's)."""
    ordered = sorted(attempts, key=lambda a: (a["attempted_at"], a["callback_id"], a["id"]), reverse=True)
    return [("attempt", a["callback_id"], str(a[number]),
             seed.customer_name[seed.callbacks[a["callback_id"]]["customer_id"]], a["attempted_at"],
             a["outcome"].value, seed.names[a["caller_id"]]) for a in ordered]


def _as_tuples(rows: list[dict]) -> list[tuple]:
    return [(r["kind"], r["id"], r["number"], r["customer"], r["at"], r["status"], r["staff"]) for r in rows]


@pytest.mark.parametrize(("tz", "name"), [CASES[0], CASES[4], CASES[5], CASES[7]])
def test_each_drill_down_returns_exactly_the_rows_its_mark_counts(engine, seed, tz, name):
    """The contract of issue 14: total == the figure's count, the same rows, `at` then id descending."""
    f = _filter(seed, name)
    owed, made = _owed(seed, f, tz), _made(seed, f, tz)
    days = callback_days(engine, f, tz)
    per_week = callbacks_per_week(callback_weeks(days, f))
    checks = 0
    for series, counted in (("due", lambda cb: True), ("done", _done)):  # the chart's two bars (core.kpi.drill)
        for week, count in zip(per_week["week"], per_week[series], strict=True):
            rows, total = _pages(DRILLS["callbacks_per_week"], engine, f, tz, {"week": week.isoformat(),
                                                                                 "series": series})
            mine = [cb for cb in owed if counted(cb) and _monday(_day(cb["due_end"], tz)) == week]
            assert (total, _as_tuples(rows)) == (count, _callback_rows(seed, mine))
            checks += count
    for r in callback_rates_by_kind(days).itertuples(index=False):
        rows, total = _pages(drill.callback_rates_by_kind, engine, f, tz, {"kind": r.kind, "level": r.level})
        mine = [cb for cb in owed if (cb["kind"].value, cb["level"].value) == (r.kind, r.level)]
        assert (total, _as_tuples(rows)) == (r.due, _callback_rows(seed, mine))
        _, done = _pages(drill.callback_rates_by_kind, engine, f, tz, {"kind": r.kind, "level": r.level,
                                                                        "series": "done"})
        assert done == r.done
    reached = [a for a in made if _reached(a)]
    for r in satisfaction_distribution(attempt_counts(attempt_days(engine, f, tz))).itertuples(index=False):
        rows, total = _pages(DRILLS["satisfaction_distribution"], engine, f, tz,
                             {"satisfaction": str(r.satisfaction)})
        mine = [a for a in reached if a["satisfaction"] == r.satisfaction]
        assert (total, _as_tuples(rows)) == (r.count, _attempt_rows(seed, mine, number="callback_id"))
    for r in dissatisfaction_reasons(engine, f, tz).itertuples(index=False):
        rows, total = _pages(drill.dissatisfaction_reasons, engine, f, tz, {"reason": r.reason})
        mine = [a for a in reached if a["satisfaction"] is Satisfaction.DISSATISFIED and a["dissatisfaction_reason"]
                and _reason(a["dissatisfaction_reason"]) == r.reason]
        assert (total, _as_tuples(rows)) == (r.count, _attempt_rows(seed, mine))
    for r in qa_score_per_specialist(attempt_days(engine, f, tz)).itertuples(index=False):
        rows, total = _pages(drill.qa_score_per_specialist, engine, f, tz, {"caller": str(r.caller_id)})
        mine = [a for a in made if a["caller_id"] == r.caller_id and a["qa_score"] is not None]
        assert (total, _as_tuples(rows)) == (r.calls, _attempt_rows(seed, mine))
    on_time = [cb for cb in owed if _on_time(cb)]
    rows, total = _pages(drill.callbacks_on_time, engine, f, tz, {"series": "on_time"})
    assert (total, _as_tuples(rows)) == (len(on_time), _callback_rows(seed, on_time))
    rows, total = _pages(drill.call_attempts, engine, f, tz, {"outcome": "reached"})
    assert (total, _as_tuples(rows)) == (len(reached), _attempt_rows(seed, reached))
    scored = [a for a in reached if a["score"] is not None]
    rows, total = _pages(drill.scored_calls, engine, f, tz, {"scored": "yes"})
    assert (total, _as_tuples(rows)) == (len(scored), _attempt_rows(seed, scored))
    assert checks > 0
