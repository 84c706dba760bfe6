"""K-4 work-order figures against plain Python: a seeded office (fixed seed, a few hundred orders in every
state, a pinned NOW), each figure recomputed here from the rows made, in Shanghai and in Berlin (daylight saving
ends 2026-10-25), unfiltered and under each filter; every drill-down returns exactly the orders its mark counts."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from core.kpi import (
    AGES,
    BACKLOG,
    DISPATCH_BUCKETS,
    KpiFilter,
    accepted_signed_share,
    accepted_special_share,
    average_dispatch_time,
    average_time_to_complete,
    awaiting_dispatch,
    dispatch_counts,
    dispatch_time_distribution,
    dispatch_within_target,
    order_done_days,
    order_intake_days,
    paid_service_revenue,
    pending_reasons,
    revenue_per_week,
    work_order_backlog,
    work_orders_per_week,
)
from core.kpi.drill import DRILLS
from core.kpi.order_days import DONE, INTAKE
from core.kpi.sql import monday, weeks
from db.engine import session_scope
from db.enums import CustomerGrade, PendingReason, Role, ServiceType, WorkOrderStatus
from tests.factories import NOW, make_customer, make_product, make_user, make_work_order, make_work_order_event

TARGET = 5  # minutes: the office's default dispatch target, which the dispatch drill reads
ZONES = ("Asia/Shanghai", "Europe/Berlin")
RANGE = (date(2026, 10, 5), date(2026, 11, 20))
DONE_STATUSES = (WorkOrderStatus.COMPLETED, WorkOrderStatus.RETURNED, WorkOrderStatus.ACCEPTED,
                 WorkOrderStatus.SETTLED, WorkOrderStatus.CLOSED)
ACCEPTED = {WorkOrderStatus.ACCEPTED, WorkOrderStatus.SETTLED, WorkOrderStatus.CLOSED}
DELAYS = (0, 299, 300, 301, 899, 900, 901, 3599, 3600, 3601, 7200, 86400)  # seconds: on and around 1×, 3×, 12×


@dataclass
class Order:
    id: int
    number: str
    customer: str
    grade: CustomerGrade
    model: str | None
    technician_id: int | None
    staff: str | None
    service_type: ServiceType
    status: WorkOrderStatus
    pending_reason: PendingReason | None
    intake_at: datetime
    dispatched_at: datetime | None
    completed_at: datetime | None
    accepted_at: datetime | None
    signed: bool
    special: bool
    fee_cents: int | None


def _timestamps(rnd: random.Random) -> tuple[datetime, datetime | None, datetime | None]:
    if rnd.random() < 0.05:  # taken in a moment ago: inside its dispatch target at NOW
        return NOW - timedelta(seconds=rnd.randrange(0, TARGET * 60)), None, None
    intake = datetime(2026, 9, 28, tzinfo=UTC) + timedelta(seconds=rnd.randrange(0, 53 * 86400))
    dispatched = intake + timedelta(seconds=rnd.choice(DELAYS)) if rnd.random() < 0.8 else None
    done = None
    if dispatched and rnd.random() < 0.6:
        done = min(dispatched + timedelta(seconds=rnd.randrange(600, 400 * 3600)), NOW - timedelta(minutes=1))
    return intake, min(dispatched, NOW) if dispatched else None, done


def seed(engine, n: int = 300) -> list[Order]:
    """n orders from a fixed seed, plus two on either side of an office midnight in Berlin on the night daylight
    saving ends (2026-10-25 00:30 CEST is 10-24 22:30 UTC, and 10-24 23:59 CEST is 21:59 UTC)."""
    rnd, made = random.Random(14), []
    with session_scope(engine) as s:
        desk = make_user(s)
        techs = [make_user(s, role=Role.ENGINEER, display_name=f"Tech {i}") for i in range(3)]
        customers = [make_customer(s, grade=g) for g in (*CustomerGrade, CustomerGrade.NORMAL)]
        products = [make_product(s, c, model=rnd.choice(("M1", "M2"))) for c in customers]
        edges = [datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 24, 21, 59, tzinfo=UTC)]
        for i in range(n + len(edges)):
            intake, dispatched, done = _timestamps(rnd) if i < n else (edges[i - n], edges[i - n], edges[i - n])
            k = rnd.randrange(len(customers))
            tech = rnd.choice([*techs, None])
            status = rnd.choice(DONE_STATUSES) if done else rnd.choice(BACKLOG)
            stype = rnd.choice(list(ServiceType))
            wo = make_work_order(
                s, customers[k], desk, intake_at=intake, dispatched_at=dispatched, completed_at=done, status=status,
                technician_id=tech and tech.id, service_type=stype, product_id=rnd.choice([products[k].id, None]),
                pending_reason=rnd.choice(list(PendingReason)) if status == WorkOrderStatus.PENDING else None,
                accepted_at=done + timedelta(hours=1) if status in ACCEPTED else None,
                fee_cents=rnd.randrange(100, 50000) if rnd.random() < 0.7 else None,
                **{c: done if done and rnd.random() < 0.8 else None for c in (
                    "technician_signed_at", "customer_signed_at", "manager_countersigned_at",)},
                special_approval_at=done if done and rnd.random() < 0.2 else None)
            made.append(Order(
                wo.id, wo.number, customers[k].name, customers[k].grade, products[k].model if wo.product_id else None,
                wo.technician_id, tech and tech.display_name, stype, status, wo.pending_reason, intake, dispatched,
                done, wo.accepted_at, bool(wo.technician_signed_at and wo.customer_signed_at
                                           and wo.manager_countersigned_at), bool(wo.special_approval_at),
                wo.fee_cents))
    return made


def filters(orders: list[Order]) -> list[KpiFilter]:
    tech = next(o.technician_id for o in orders if o.technician_id)
    return [KpiFilter(*RANGE), KpiFilter(*RANGE, staff_id=tech), KpiFilter(*RANGE, grades=(CustomerGrade.VIP,)),
            KpiFilter(*RANGE, service_types=(ServiceType.PAID, ServiceType.CONTRACT)),
            KpiFilter(*RANGE, models=("M1",))]


def day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def shown(o: Order, f: KpiFilter) -> bool:
    """The filter as the KPIs' docstrings state it, in Python."""
    return ((not f.staff_id or o.technician_id == f.staff_id) and (not f.grades or o.grade in f.grades)
            and (not f.service_types or o.service_type in f.service_types) and (not f.models or o.model in f.models))


def taken(orders, f, tz) -> list[Order]:
    return [o for o in orders if shown(o, f) and f.start <= day(o.intake_at, tz) <= f.end]


def completed(orders, f, tz) -> list[Order]:
    return [o for o in orders if shown(o, f) and o.completed_at and f.start <= day(o.completed_at, tz) <= f.end]


def seconds(o: Order, later: datetime) -> float:
    return (later - o.intake_at).total_seconds()


def is_paid(o: Order) -> bool:
    return o.service_type == ServiceType.PAID and o.fee_cents is not None


def expected_a4(orders, f, tz) -> dict:
    rows = defaultdict(Counter)
    for o in taken(orders, f, tz):
        row = rows[(day(o.intake_at, tz), o.technician_id, o.service_type.value)]
        row["opened"] += 1
        if o.dispatched_at is None:
            row["undispatched"] += 1
            continue
        row["dispatched"] += 1
        row["dispatch_s_sum"] += round(seconds(o, o.dispatched_at))
        for k in (1, 3, 12):
            row[f"within_{k}"] += seconds(o, o.dispatched_at) <= k * TARGET * 60
    return {key: tuple(int(c[m]) for m in INTAKE) for key, c in rows.items()}


def expected_a5(orders, f, tz) -> dict:
    rows = defaultdict(Counter)
    for o in completed(orders, f, tz):
        row = rows[(day(o.completed_at, tz), o.technician_id, o.service_type.value)]
        row["completed"] += 1
        row["complete_s_sum"] += round(seconds(o, o.completed_at))
        row["accepted"] += o.accepted_at is not None
        row["accepted_signed"] += o.accepted_at is not None and o.signed
        row["accepted_special"] += o.accepted_at is not None and o.special
        row["fee_sum"] += o.fee_cents if is_paid(o) else 0
        row["fee_n"] += is_paid(o)
    return {key: tuple(int(c[m]) for m in DONE) for key, c in rows.items()}


def as_dict(frame: pd.DataFrame, measures: list[str]) -> dict:
    return {(r.day, None if pd.isna(r.technician_id) else int(r.technician_id), r.service_type):
            tuple(int(getattr(r, m)) for m in measures) for r in frame.itertuples(index=False)}


def age(o: Order) -> str:
    return next((code for code, d in AGES.items() if d and o.intake_at >= NOW - timedelta(days=d)), "gt_7d")


def bucket(o: Order) -> str | None:
    """The dispatch group an order falls in (WO-3), None when it is not counted (its target has not passed)."""
    if o.dispatched_at is None:
        return "not_dispatched" if o.intake_at < NOW - timedelta(minutes=TARGET) else None
    s = seconds(o, o.dispatched_at)
    return next((b for b, k in list(DISPATCH_BUCKETS.items())[:3] if s <= k * TARGET * 60), "later")


@pytest.fixture
def office(engine):
    return seed(engine)


def test_the_daily_aggregates_equal_plain_python_in_both_zones_and_under_every_filter(engine, office):
    """Issue 14's A4 and A5, the reference the rollups must equal."""
    for tz in ZONES:
        for f in filters(office):
            intake, done = order_intake_days(engine, f, tz, TARGET), order_done_days(engine, f, tz)
            assert list(intake.columns) == ["day", "technician_id", "service_type", *INTAKE]
            assert list(done.columns) == ["day", "technician_id", "service_type", *DONE]
            assert as_dict(intake, INTAKE) == expected_a4(office, f, tz), (tz, f)
            assert as_dict(done, DONE) == expected_a5(office, f, tz), (tz, f)
            assert len(intake) == len(expected_a4(office, f, tz))


def test_the_berlin_midnight_the_night_daylight_saving_ends_splits_the_days(engine, office):
    intake = order_intake_days(engine, KpiFilter(date(2026, 10, 24), date(2026, 10, 25)), "Europe/Berlin", TARGET)
    edges = [o for o in office if o.intake_at.minute in (30, 59) and o.intake_at.date() == date(2026, 10, 24)
             and o.intake_at.hour in (21, 22) and o.intake_at == o.dispatched_at]
    assert {day(o.intake_at, "Europe/Berlin") for o in edges} == {date(2026, 10, 24), date(2026, 10, 25)}
    assert as_dict(intake, INTAKE) == expected_a4(office, KpiFilter(date(2026, 10, 24), date(2026, 10, 25)),
                                                  "Europe/Berlin")


def per_week_of(orders: list[Order], at, f: KpiFilter, tz: str, value=lambda o: 1) -> dict[date, int]:
    return {w: sum(value(o) for o in orders if monday(day(at(o), tz)) == w) for w in weeks(f.start, f.end)}


def check_range_figures(engine, office, f: KpiFilter, tz: str) -> None:
    """The figures over the date range, from the frames A4 and A5."""
    intake, done = order_intake_days(engine, f, tz, TARGET), order_done_days(engine, f, tz)
    ins, outs = taken(office, f, tz), completed(office, f, tz)
    per_week = work_orders_per_week(intake, done, f)
    assert per_week["week"].tolist() == weeks(f.start, f.end)
    assert per_week.set_index("week")["opened"].to_dict() == per_week_of(ins, lambda o: o.intake_at, f, tz)
    assert per_week.set_index("week")["completed"].to_dict() == per_week_of(outs, lambda o: o.completed_at, f, tz)
    counts = dispatch_counts(intake, awaiting_dispatch(engine, f, tz, NOW, TARGET))
    groups = Counter(bucket(o) for o in ins if bucket(o))
    assert counts == {b: groups[b] for b in DISPATCH_BUCKETS}
    assert dispatch_time_distribution(counts)["count"].tolist() == [groups[b] for b in DISPATCH_BUCKETS]
    assert dispatch_within_target(counts) == pytest.approx(groups["within"] / sum(groups.values()))
    sent = [o for o in ins if o.dispatched_at]
    assert average_dispatch_time(intake) == pytest.approx(
        sum(seconds(o, o.dispatched_at) for o in sent) / len(sent) / 60)
    assert average_time_to_complete(done) == pytest.approx(
        sum(seconds(o, o.completed_at) for o in outs) / len(outs) / 3600)
    accepted = [o for o in outs if o.accepted_at]
    assert accepted_signed_share(done) == pytest.approx(sum(o.signed for o in accepted) / len(outs))
    assert accepted_special_share(done) == pytest.approx(sum(o.special for o in accepted) / len(outs))
    paid = [o for o in outs if is_paid(o)]
    assert paid_service_revenue(done) == (sum(o.fee_cents for o in paid) if paid else None)
    revenue = revenue_per_week(done, f).set_index("week")
    assert revenue["revenue"].to_dict() == per_week_of(paid, lambda o: o.completed_at, f, tz, lambda o: o.fee_cents)
    assert revenue["orders"].to_dict() == per_week_of(paid, lambda o: o.completed_at, f, tz)


def check_live_figures(engine, office, f: KpiFilter) -> None:
    """The figures as of NOW (WO-7): the backlog and the pending reasons."""
    live = [o for o in office if shown(o, f)]
    backlog = work_order_backlog(engine, f, NOW)
    assert {(r.status, r.age): r.count for r in backlog.itertuples(index=False)} == Counter(
        (o.status, age(o)) for o in live if o.status in BACKLOG)
    pending = pending_reasons(engine, f)
    assert pending.set_index("reason")["count"].to_dict() == {
        r.value: sum(o.pending_reason == r for o in live if o.status == WorkOrderStatus.PENDING) for r in PendingReason}


def test_every_work_order_kpi_equals_plain_python(engine, office):
    """K-4, WO-3, WO-5, WO-7, WO-8: each figure against the same figure counted here, in both zones and under
    every filter (staff, grade, service type, product model)."""
    for f in filters(office):
        for tz in ZONES:
            check_range_figures(engine, office, f, tz)
        check_live_figures(engine, office, f)


def test_without_orders_every_rate_and_average_is_none_and_every_count_zero(engine):
    f = KpiFilter(*RANGE)
    intake, done = order_intake_days(engine, f, "Asia/Shanghai", TARGET), order_done_days(engine, f, "Asia/Shanghai")
    assert intake.empty and done.empty
    assert [average_dispatch_time(intake), average_time_to_complete(done), accepted_signed_share(done),
            accepted_special_share(done), paid_service_revenue(done)] == [None] * 5
    assert revenue_per_week(done, f)[["revenue", "orders"]].sum().tolist() == [0, 0]
    assert pending_reasons(engine, f)["count"].tolist() == [0] * len(PendingReason)
    assert dispatch_within_target(dispatch_counts(intake, awaiting_dispatch(engine, f, "Asia/Shanghai", NOW,
                                                                            TARGET))) is None


def drilled(engine, chart, f, tz, pick, limit=7) -> tuple[list[dict], int]:
    """Every page of a drill-down, checking each page's size and total."""
    rows, offset, total = [], 0, None
    while True:
        page, total = DRILLS[chart](engine, f, tz, NOW, pick, limit, offset)
        assert len(page) <= limit
        rows += page
        if len(page) < limit:
            return rows, total
        offset += limit


def newest_first(orders: list[Order], at) -> list[int]:
    return [o.id for o in sorted(orders, key=lambda o: (at(o), o.id), reverse=True)]


def check(engine, chart, f, tz, pick, expected: list[Order], at) -> None:
    rows, total = drilled(engine, chart, f, tz, pick)
    assert total == len(expected) == len(rows), (chart, pick)
    assert [r["id"] for r in rows] == newest_first(expected, at), (chart, pick)
    assert all(r["at"] == at(o) and r["at"].tzinfo is not None for r, o in
               zip(rows, sorted(expected, key=lambda o: (at(o), o.id), reverse=True), strict=True))


@pytest.mark.parametrize("tz", ZONES)
def test_each_drill_down_returns_exactly_the_orders_its_mark_counts_newest_first(engine, office, tz):
    for f in filters(office)[:3]:
        ins, outs = taken(office, f, tz), completed(office, f, tz)
        for w in weeks(f.start, f.end):
            pick = {"week": w.isoformat()}
            check(engine, "work_orders_per_week", f, tz, pick | {"series": "opened"},
                  [o for o in ins if monday(day(o.intake_at, tz)) == w], lambda o: o.intake_at)
            check(engine, "work_orders_per_week", f, tz, pick | {"series": "completed"},
                  [o for o in outs if monday(day(o.completed_at, tz)) == w], lambda o: o.completed_at)
            check(engine, "revenue_per_week", f, tz, pick,
                  [o for o in outs if is_paid(o) and monday(day(o.completed_at, tz)) == w], lambda o: o.completed_at)
        for b in DISPATCH_BUCKETS:
            check(engine, "dispatch_time_distribution", f, tz, {"bucket": b}, [o for o in ins if bucket(o) == b],
                  lambda o: o.intake_at)  # the intake time selects them for the chart
        live = [o for o in office if shown(o, f)]
        for status in BACKLOG:
            for a in AGES:
                check(engine, "work_order_backlog", f, tz, {"status": status.value, "age": a},
                      [o for o in live if o.status == status and age(o) == a], lambda o: o.intake_at)
        for r in PendingReason:
            check(engine, "pending_reasons", f, tz, {"reason": r.value},
                  [o for o in live if o.status == WorkOrderStatus.PENDING and o.pending_reason == r],
                  lambda o: o.intake_at)  # no history was written: the intake time stands in


def test_a_drilled_row_names_the_order_its_customer_status_and_technician(engine, office):
    f, tz = KpiFilter(*RANGE), "Asia/Shanghai"
    rows, _ = DRILLS["work_order_backlog"](engine, f, tz, NOW, {"status": "pending"}, 500, 0)
    by_id = {o.id: o for o in office}
    assert rows and all(r == {"kind": "work_order", "id": o.id, "number": o.number, "customer": o.customer,
                              "at": o.intake_at, "status": o.status.value, "staff": o.staff}
                        for r in rows for o in [by_id[r["id"]]])


@pytest.mark.parametrize("pick", [{"week": "2026-11-17", "series": "opened"},
                                  {"week": "2020-01-06", "series": "opened"}, {"week": "2026-11-16"},
                                  {"week": "not a day", "series": "opened"}],
                         ids=["not-a-monday", "outside-the-range", "no-series", "garbage"])
def test_a_pick_the_weekly_chart_has_not_is_refused(engine, office, pick):
    """The registry's drills refuse a pick no mark holds (the page shows a notice, core.kpi.drill)."""
    with pytest.raises(ValueError):
        DRILLS["work_orders_per_week"](engine, KpiFilter(*RANGE), "Asia/Shanghai", NOW, pick, 10, 0)


@pytest.mark.parametrize("tz", ZONES)
def test_a_weekly_pick_without_a_week_lists_the_whole_period(engine, office, tz):
    """A headline's "show records" (no week): the orders completed in the whole range, those of the revenue,
    and those the average dispatch time averages over (K-4)."""
    f = KpiFilter(*RANGE)
    outs = completed(office, f, tz)
    check(engine, "work_orders_per_week", f, tz, {"series": "completed"}, outs, lambda o: o.completed_at)
    check(engine, "revenue_per_week", f, tz, {"period": "all"}, [o for o in outs if is_paid(o)],
          lambda o: o.completed_at)
    check(engine, "average_dispatch_time", f, tz, {"part": "denominator"},
          [o for o in taken(office, f, tz) if o.dispatched_at is not None], lambda o: o.intake_at)


def test_a_pending_order_drills_at_the_moment_it_last_went_pending(engine):
    """WO-4: the pending reasons' records are dated by the order's history, not by its intake."""
    went = NOW - timedelta(days=2)
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        wo = make_work_order(s, c, desk, intake_at=NOW - timedelta(days=9), status=WorkOrderStatus.PENDING,
                             pending_reason=PendingReason.PARTS)
        for at in (went - timedelta(days=3), went):
            make_work_order_event(s, wo, desk, at=at, to_status=WorkOrderStatus.PENDING,
                                  pending_reason=PendingReason.PARTS)
    rows, total = DRILLS["pending_reasons"](engine, KpiFilter(*RANGE), "Asia/Shanghai", NOW,
                                                  {"reason": "parts"}, 10, 0)
    assert (total, [r["at"] for r in rows]) == (1, [went])


def test_the_pending_orders_of_a_reason_page_by_when_they_went_pending_with_the_filters_kept(engine):
    """WO-4, K-4: pages of the pending orders of one reason, newest went-pending first (the intake time where the
    history has no such step), ties by the order, no order twice or missed across pages; another reason's
    order and a finished one left out; a grade filter narrows the list (issue 14's drill-down contract)."""
    with session_scope(engine) as s:
        desk, normal, vip = make_user(s), make_customer(s), make_customer(s, grade=CustomerGrade.VIP)
        expected = []
        for i, (customer, went) in enumerate([(normal, 1), (vip, 5), (normal, None), (vip, 3), (normal, 3)]):
            wo = make_work_order(s, customer, desk, intake_at=NOW - timedelta(days=20 + i),
                                 status=WorkOrderStatus.PENDING, pending_reason=PendingReason.PARTS)
            at = wo.intake_at if went is None else NOW - timedelta(days=went)
            if went is not None:
                make_work_order_event(s, wo, desk, at=at, to_status=WorkOrderStatus.PENDING,
                                      pending_reason=PendingReason.PARTS)
            expected.append((at, wo.id, customer.grade))
        make_work_order(s, normal, desk, status=WorkOrderStatus.PENDING, pending_reason=PendingReason.APPROVAL)
        make_work_order(s, normal, desk, status=WorkOrderStatus.IN_REPAIR)
    expected.sort(key=lambda e: (e[0], e[1]), reverse=True)
    for f, want in [(KpiFilter(*RANGE), expected),
                    (KpiFilter(*RANGE, grades=(CustomerGrade.VIP,)), [e for e in expected
                                                                       if e[2] == CustomerGrade.VIP])]:
        listed = []
        for offset in range(0, 6, 2):
            rows, total = DRILLS["pending_reasons"](engine, f, "Asia/Shanghai", NOW, {"reason": "parts"}, 2, offset)
            assert total == len(want)
            listed += [(r["at"], r["id"]) for r in rows]
        assert listed == [(at, wo_id) for at, wo_id, _ in want]
