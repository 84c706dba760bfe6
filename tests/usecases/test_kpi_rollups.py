"""Issue 14 "Fast at scale": the KPI rollups stay EXACT. After a seeded random sequence of writes (core's own
services and raw SQL on every table a rollup counts), every rollup reader (A1, A2, A4, A5) equals a plain
Python recount of the rows, and the complaint (K-3) and lead (K-5) area readers equal their base-table
reference functions (complaints moved between days, customers and products, grade and model changes, lead
contacts written, moved and removed, leads relinked); a changed time zone or dispatch target rebuilds;
rebuild equals refresh; a refresh after a refresh changes nothing. Office days are bucketed exactly across
daylight saving."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text, update

from core.callbacks.rules import CallInput
from core.callbacks.services import claim, record_call
from core.kpi import call_days, order_days
from core.kpi import complaints as complaint_reference
from core.kpi import leads as lead_reference
from core.kpi.call_quality import PUNCTUATION, dissatisfaction_reasons, dissatisfaction_reasons_from_attempts
from core.kpi.rollups import ROLLUPS, areas, day_case, rebuild, refresh, runs
from core.kpi.rollups.read import attempt_days, callback_days, order_done_days, order_intake_days
from core.kpi.sql import KpiFilter
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CallOutcome,
    Channel,
    ComplaintCause,
    ComplaintChannel,
    ComplaintStatus,
    CustomerGrade,
    LeadClass,
    LeadResult,
    Responsibility,
    Role,
    Satisfaction,
    ServiceType,
)
from db.models import CallAttempt, Callback, Complaint, Customer, KpiMark, Lead, LeadContact, Product, User, WorkOrder
from tests.factories import (
    NOW,
    make_account,
    make_attempt,
    make_callback,
    make_complaint,
    make_customer,
    make_lead,
    make_lead_contact,
    make_product,
    make_user,
    make_work_order,
    utc,
)

FIRST, LAST = date(2025, 1, 1), date(2026, 12, 31)
INTERVALS = {"lead.a_interval_days": 2, "lead.b_interval_days": 7, "lead.c_interval_days": 30}  # L-1 (defaults)
TARGET = 5
KINDS = (CallbackKind.FIRST, CallbackKind.AFTER_REPAIR, CallbackKind.MAINTENANCE)
# Reasons as typed (CB-7): the same few keys in other letter case, spacing and trailing punctuation, and blanks.
REASONS = ("Too slow", "too  slow.", " TOO SLOW!!", "rude\tstaff", "Rude staff。", "price", "Price ?", "", "  ...")


def _moment(rng: Random) -> datetime:
    """Whole seconds over the two years and a little beyond; many near an office midnight."""
    base = utc(2024, 12, 25) + timedelta(days=rng.randrange(0, 745))
    return base + timedelta(hours=rng.choice((15, 16, 17, 22, 23, 0, 3, 10)), minutes=rng.randrange(0, 60),
                            seconds=rng.randrange(0, 60))


def _maybe(rng: Random, value, p: float = 0.5):
    return value if rng.random() < p else None


class Office:
    """The staff, customers and products the writes pick from."""

    def __init__(self, engine, rng: Random) -> None:
        with session_scope(engine) as s:
            self.staff = [make_user(s, role=Role.SPECIALIST).id for _ in range(3)]
            self.actor = make_account(s, Role.SPECIALIST)
            self.staff.append(self.actor.id)
            self.customers = [make_customer(s, grade=rng.choice(list(CustomerGrade))).id for _ in range(5)]
            self.products = [make_product(s, s.get(Customer, self.customers[i % 5]), model=f"X{i % 3}").id
                             for i in range(4)]
            self.leads = [make_lead(s, customer_id=self.customers[i] if i < 3 else None).id for i in range(4)]


def _new_callback(s, o: Office, rng: Random, orders: list[int]) -> None:
    due = _moment(rng)
    status = rng.choice(list(CallbackStatus))
    done = due + timedelta(hours=rng.choice((-30, -1, 0, 2, 40))) if status == CallbackStatus.COMPLETED else None
    make_callback(s, s.get(Customer, rng.choice(o.customers)), kind=rng.choice(KINDS), status=status,
                  level=rng.choice(list(CallbackLevel)), due_start=due - timedelta(days=3), due_end=due,
                  completed_at=done, assignee_id=_maybe(rng, rng.choice(o.staff), 0.7),
                  work_order_id=_maybe(rng, rng.choice(orders) if orders else None))


def _new_attempt(s, o: Office, rng: Random, callbacks: list[int]) -> None:
    outcome = rng.choice(list(CallOutcome))
    reached = outcome == CallOutcome.REACHED
    make_attempt(s, s.get(Callback, rng.choice(callbacks)), s.get(User, rng.choice(o.staff)),
                 attempted_at=_moment(rng), outcome=outcome, score=_maybe(rng, rng.randrange(1, 6)),
                 satisfaction=rng.choice(list(Satisfaction)) if reached and rng.random() < 0.8 else None,
                 qa_score=_maybe(rng, rng.randrange(0, 6)), dissatisfaction_reason=_maybe(rng, rng.choice(REASONS)))


def _new_order(s, o: Office, rng: Random) -> None:
    intake = _moment(rng)
    sent = _maybe(rng, intake + timedelta(seconds=rng.choice((30, 299, 300, 301, 900, 3600, 5000))), 0.8)
    done = _maybe(rng, intake + timedelta(hours=rng.randrange(1, 300)), 0.6)
    accepted = _maybe(rng, done + timedelta(hours=5), 0.6) if done else None
    signed = accepted and rng.random() < 0.6
    make_work_order(s, s.get(Customer, rng.choice(o.customers)), s.get(User, o.staff[0]), intake_at=intake,
                    dispatched_at=sent, technician_id=_maybe(rng, rng.choice(o.staff), 0.7),
                    product_id=_maybe(rng, rng.choice(o.products), 0.7), service_type=rng.choice(list(ServiceType)),
                    completed_at=done, accepted_at=accepted, technician_signed_at=done if signed else None,
                    customer_signed_at=done if signed else None, manager_countersigned_at=accepted if signed else None,
                    special_approval_at=_maybe(rng, accepted, 0.3) if accepted else None,
                    fee_cents=_maybe(rng, rng.randrange(0, 90_000)))


def _ids(s, model) -> list[int]:
    return list(s.scalars(select(model.id).order_by(model.id)))


def _write(engine, o: Office, rng: Random, tz: str) -> None:
    """One random write: an insert, update or delete on a counted table, through core or raw SQL."""
    with session_scope(engine) as s:
        cbs, atts, wos = _ids(s, Callback), _ids(s, CallAttempt), _ids(s, WorkOrder)
        pick = rng.randrange(22)
        if pick >= 16:
            _write_area(s, o, rng, pick - 16)
        elif pick < 2 or not cbs:
            _new_callback(s, o, rng, wos)
        elif pick < 4 or not atts:
            _new_attempt(s, o, rng, cbs)
        elif pick < 6 or not wos:
            _new_order(s, o, rng)
        elif pick == 6:
            due = _moment(rng)
            status = rng.choice(list(CallbackStatus))
            s.execute(update(Callback).where(Callback.id == rng.choice(cbs)).values(
                status=status, due_end=due, completed_at=due - timedelta(hours=1) if rng.random() < 0.5 else None))
        elif pick == 7:
            s.execute(update(Callback).where(Callback.id == rng.choice(cbs)).values(
                kind=rng.choice(KINDS), level=rng.choice(list(CallbackLevel)), customer_id=rng.choice(o.customers),
                assignee_id=_maybe(rng, rng.choice(o.staff)), work_order_id=_maybe(rng, rng.choice(wos))))
        elif pick == 8:
            s.execute(delete(Callback).where(Callback.id == rng.choice(cbs)))  # its attempts cascade
        elif pick == 9:
            s.execute(update(CallAttempt).where(CallAttempt.id == rng.choice(atts)).values(
                attempted_at=_moment(rng), outcome=rng.choice(list(CallOutcome)), score=_maybe(rng, 3),
                qa_score=_maybe(rng, 3), caller_id=rng.choice(o.staff),
                satisfaction=rng.choice([None, *Satisfaction]),
                dissatisfaction_reason=_maybe(rng, rng.choice(REASONS))))
        elif pick == 10:
            s.execute(text("DELETE FROM call_attempts WHERE id = :id"), {"id": rng.choice(atts)})
        elif pick == 11:
            wo = s.get(WorkOrder, rng.choice(wos))
            wo.technician_id = _maybe(rng, rng.choice(o.staff), 0.8)
            wo.dispatched_at = _maybe(rng, wo.intake_at + timedelta(seconds=rng.randrange(10, 9000)), 0.8)
            wo.completed_at = _maybe(rng, wo.intake_at + timedelta(days=rng.randrange(0, 4)), 0.7)
            wo.accepted_at = wo.completed_at and _maybe(rng, wo.completed_at, 0.6)
            wo.service_type = rng.choice(list(ServiceType))
            wo.product_id = _maybe(rng, rng.choice(o.products), 0.7)
        elif pick == 12:
            wo = rng.choice(wos)
            s.execute(update(Callback).where(Callback.work_order_id == wo).values(work_order_id=None))
            s.execute(delete(WorkOrder).where(WorkOrder.id == wo))
        elif pick == 13:
            s.execute(text("UPDATE customers SET grade = :g WHERE id = :id"),
                      {"g": rng.choice(list(CustomerGrade)).value, "id": rng.choice(o.customers)})
        elif pick == 14:
            s.execute(text("UPDATE products SET model = :m WHERE id = :id"),
                      {"m": rng.choice(("X0", "X1", "X2")), "id": rng.choice(o.products)})
        else:
            s.execute(update(WorkOrder).where(WorkOrder.id == rng.choice(wos)).values(
                technician_id=_maybe(rng, rng.choice(o.staff)), intake_at=_moment(rng)))


def _new_complaint(s, o: Office, rng: Random) -> None:
    at = _moment(rng)
    closed = _maybe(rng, at + timedelta(hours=rng.choice((2, 30, 100))), 0.6)
    make_complaint(s, s.get(Customer, rng.choice(o.customers)), s.get(User, rng.choice(o.staff)), received_at=at,
                   product_id=_maybe(rng, rng.choice(o.products), 0.8), owner_id=_maybe(rng, rng.choice(o.staff)),
                   channel=rng.choice(list(ComplaintChannel)), status=rng.choice(list(ComplaintStatus)),
                   cause=_maybe(rng, rng.choice(list(ComplaintCause))),
                   responsibility=rng.choice(list(Responsibility)), closed_at=closed,
                   first_response_at=_maybe(rng, at + timedelta(minutes=rng.randrange(1, 3000))),
                   reply_deadline=_maybe(rng, at + timedelta(days=rng.choice((1, 3))), 0.8),
                   capa_verified_at=_maybe(rng, at + timedelta(days=5), 0.3), reopen_count=rng.choice((0, 0, 1)))


def _write_area(s, o: Office, rng: Random, pick: int) -> None:
    """A write on the complaint and lead tables (K-3, K-5)."""
    cps, contacts = _ids(s, Complaint), _ids(s, LeadContact)
    if pick == 0 or not cps:
        _new_complaint(s, o, rng)
    elif pick == 1:  # a complaint moved: another day, customer or product (its and its siblings' repeats)
        s.execute(update(Complaint).where(Complaint.id == rng.choice(cps)).values(
            received_at=_moment(rng), customer_id=rng.choice(o.customers),
            product_id=_maybe(rng, rng.choice(o.products), 0.8)))
    elif pick == 2 and rng.random() < 0.3:
        s.execute(delete(Complaint).where(Complaint.id == rng.choice(cps)))
    elif pick == 2:
        cp = s.get(Complaint, rng.choice(cps))
        cp.closed_at = _maybe(rng, cp.received_at + timedelta(days=2))
        cp.status = rng.choice(list(ComplaintStatus))
        cp.cause = _maybe(rng, rng.choice(list(ComplaintCause)))
        cp.responsibility = rng.choice(list(Responsibility))
        cp.owner_id = _maybe(rng, rng.choice(o.staff))
    elif pick == 3 or not contacts:
        result = rng.choice(list(LeadResult))
        make_lead_contact(s, s.get(Lead, rng.choice(o.leads)), s.get(User, rng.choice(o.staff)),
                          contacted_at=_moment(rng), result=result, new_class=_maybe(rng, rng.choice(list(LeadClass))),
                          sale_amount_cents=rng.randrange(100, 9000) if result == LeadResult.SALE else None)
    elif pick == 4 and rng.random() < 0.3:
        s.execute(delete(LeadContact).where(LeadContact.id == rng.choice(contacts)))
    elif pick == 4:
        s.execute(update(LeadContact).where(LeadContact.id == rng.choice(contacts)).values(
            contacted_at=_moment(rng), user_id=rng.choice(o.staff), lead_id=rng.choice(o.leads),
            result=rng.choice(list(LeadResult)), sale_amount_cents=_maybe(rng, 500),
            new_class=_maybe(rng, rng.choice(list(LeadClass)))))
    else:  # a lead relinked, reassigned or reclassed (the class its first follow-ups were due in)
        s.execute(update(Lead).where(Lead.id == rng.choice(o.leads)).values(
            customer_id=_maybe(rng, rng.choice(o.customers), 0.7), specialist_id=_maybe(rng, rng.choice(o.staff)),
            lead_class=rng.choice(list(LeadClass))))


def _through_core(engine, o: Office, rng: Random) -> None:
    """A call recorded the way a specialist records it (claim, then record_call: CB-6)."""
    with session_scope(engine) as s:
        cb = make_callback(s, s.get(Customer, rng.choice(o.customers)), kind=CallbackKind.FIRST,
                           assignee_id=o.actor.id, due_start=utc(2026, 3, 1), due_end=utc(2026, 3, 28, 16, 30))
    now = utc(2026, 3, 28, 15, 59)
    claim(engine, o.actor, cb.id, now)
    record_call(engine, o.actor, cb.id, CallInput(channel=Channel.PHONE, outcome=CallOutcome.REACHED,
                                                  satisfaction=Satisfaction.SATISFIED, score=4), now)


# ---- the plain-Python recount (the reference) ----------------------------------------------------------

def _day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def _secs(a: datetime, b: datetime) -> int:
    return round((b - a).total_seconds())  # whole seconds in these tests: no tie to round


def _expected(engine, tz: str, f: KpiFilter) -> dict[str, dict]:
    out: dict[str, dict] = {n: defaultdict(lambda: defaultdict(int)) for n in ROLLUPS}
    with session_scope(engine) as s:
        grade = {c.id: c.grade for c in s.scalars(select(Customer))}
        model = {p.id: p.model for p in s.scalars(select(Product))}
        orders = {w.id: w for w in s.scalars(select(WorkOrder))}
        cbs = {c.id: c for c in s.scalars(select(Callback))}
        atts = list(s.scalars(select(CallAttempt)))

    def keep(at, staff, customer, kind=None, stype=None, product=None, kinds=False, orders_=False) -> bool:
        ok = at is not None and f.start <= _day(at, tz) <= f.end
        ok = ok and (not f.staff_id or staff == f.staff_id) and (not f.grades or grade[customer] in f.grades)
        if kinds:
            ok = ok and (not f.callback_kinds or kind in f.callback_kinds)
        if orders_:
            ok = ok and (not f.service_types or stype in f.service_types)
            ok = ok and (not f.models or (product is not None and model[product] in f.models))
        return ok

    for c in cbs.values():
        if c.status != CallbackStatus.CANCELLED and keep(c.due_end, c.assignee_id, c.customer_id, c.kind, kinds=True):
            m = out["callback_days"][(_day(c.due_end, tz), c.assignee_id, str(c.kind), str(c.level))]
            done = c.status == CallbackStatus.COMPLETED
            m["due"] += 1
            m["done"] += done
            m["on_time"] += done and c.completed_at is not None and c.completed_at <= c.due_end
    for a in atts:
        c = cbs[a.callback_id]
        if not keep(a.attempted_at, a.caller_id, c.customer_id, c.kind, kinds=True):
            continue
        tech = orders[c.work_order_id].technician_id if c.work_order_id else None
        m = out["attempt_days"][(_day(a.attempted_at, tz), a.caller_id, tech, str(c.kind), str(c.level))]
        reached = a.outcome == CallOutcome.REACHED
        m["attempts"] += 1
        m["reached"] += reached
        m["wrong_number"] += a.outcome == CallOutcome.WRONG_NUMBER
        m["score_sum"] += a.score if reached and a.score is not None else 0
        m["scored"] += reached and a.score is not None
        for sat in Satisfaction:
            m[str(sat)] += reached and a.satisfaction == sat
        m["qa_sum"] += a.qa_score or 0
        m["qa_n"] += a.qa_score is not None
    for w in orders.values():
        common = (w.technician_id, w.customer_id, None, w.service_type, w.product_id)
        if keep(w.intake_at, *common, orders_=True):
            m = out["order_intake_days"][(_day(w.intake_at, tz), w.technician_id, str(w.service_type))]
            m["opened"] += 1
            if w.dispatched_at is None:
                m["undispatched"] += 1
            else:
                secs = _secs(w.intake_at, w.dispatched_at)
                m["dispatched"] += 1
                m["dispatch_s_sum"] += secs
                for k in (1, 3, 12):
                    m[f"within_{k}"] += secs <= k * TARGET * 60
        if w.completed_at is not None and keep(w.completed_at, *common, orders_=True):
            m = out["order_done_days"][(_day(w.completed_at, tz), w.technician_id, str(w.service_type))]
            accepted = w.accepted_at is not None
            m["completed"] += 1
            m["complete_s_sum"] += _secs(w.intake_at, w.completed_at)
            m["accepted"] += accepted
            m["accepted_signed"] += accepted and None not in (
                w.technician_signed_at, w.customer_signed_at, w.manager_countersigned_at)
            m["accepted_special"] += accepted and w.special_approval_at is not None
            fee = w.service_type == ServiceType.PAID and w.fee_cents is not None
            m["fee_sum"] += w.fee_cents if fee else 0
            m["fee_n"] += fee
    return out


READERS = {
    "callback_days": (lambda e, f, tz: callback_days(e, f, tz), 4),
    "attempt_days": (lambda e, f, tz: attempt_days(e, f, tz), 5),
    "order_intake_days": (lambda e, f, tz: order_intake_days(e, f, tz, TARGET), 3),
    "order_done_days": (lambda e, f, tz: order_done_days(e, f, tz), 3),
}
# The same frames computed from the base tables (the benchmark's SQL baseline) must give the same rows.
REFERENCE = {
    "callback_days": (lambda e, f, tz: call_days.callback_days(e, f, tz), 4),
    "attempt_days": (lambda e, f, tz: call_days.attempt_days(e, f, tz), 5),
    "order_intake_days": (lambda e, f, tz: order_days.order_intake_days(e, f, tz, TARGET), 3),
    "order_done_days": (lambda e, f, tz: order_days.order_done_days(e, f, tz), 3),
}


# The readers asked for fewer columns (`by`, summed in SQL: issue 14, a headline reads one row) equal the whole
# frame summed by those columns in Python.
GROUPED = {
    "callback_days": (lambda e, f, tz, by: callback_days(e, f, tz, by), [(), ("day",), ("kind", "level"),
                                                                          ("assignee_id",)]),
    "attempt_days": (lambda e, f, tz, by: attempt_days(e, f, tz, by), [(), ("day",), ("caller_id",),
                                                                        ("caller_id", "technician_id", "kind")]),
    "order_intake_days": (lambda e, f, tz, by: order_intake_days(e, f, tz, TARGET, by), [(), ("day",),
                                                                                          ("technician_id",)]),
    "order_done_days": (lambda e, f, tz, by: order_done_days(e, f, tz, by), [(), ("day",), ("service_type",),
                                                                              ("day", "technician_id")]),
}


def _check_grouped(engine, tz: str, f: KpiFilter) -> None:
    for name, (read, choices) in GROUPED.items():
        whole = read(engine, f, tz, None)
        keys = READERS[name][1]
        measures = list(whole.columns[keys:])
        for by in choices:
            want: dict = defaultdict(lambda measures=measures: dict.fromkeys(measures, 0))
            for row in whole.to_dict("records"):
                for m in measures:
                    want[tuple(row[c] for c in by)][m] += int(row[m])
            got = read(engine, f, tz, by)
            assert list(got.columns) == [*by, *measures], (name, by)
            rows = {tuple(r[c] for c in by): {m: int(r[m]) for m in measures} for r in got.to_dict("records")}
            if not by and not len(whole):
                want[()] = dict.fromkeys(measures, 0)  # totals of nothing: one row of zeros
            assert rows == dict(want), (name, by)
    with pytest.raises(ValueError):
        callback_days(engine, f, tz, ("caller_id",))  # not a column of that rollup


def _as_dict(frame, keys: int) -> dict:
    """A reader's frame as {(day, dims...): {measure: value}}, zero measures left out (as the recount does)."""
    cols = list(frame.columns)
    return {tuple(None if v is None else (str(v) if isinstance(v, str) else v) for v in row[:keys]):
            {c: int(v) for c, v in zip(cols[keys:], row[keys:], strict=True) if int(v)}
            for row in frame.itertuples(index=False)}


# ---- dissatisfaction reasons (issue 14 "Fast at scale", K-2 CB-7) ----------------------------------------

def _key(reason: str) -> str:
    """call_quality.reason_key in Python (ASCII and the CJK stop of these tests)."""
    text = reason.lower()
    for blank in ("\t", "\n", "\r", "\u3000"):
        text = text.replace(blank, " ")
    for _ in range(4):
        text = text.replace("  ", " ")
    return text.rstrip(" " + PUNCTUATION).lstrip(" ")


def _expected_reasons(engine, tz: str, f: KpiFilter) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    with session_scope(engine) as s:
        grade = {c.id: c.grade for c in s.scalars(select(Customer))}
        cbs = {c.id: c for c in s.scalars(select(Callback))}
        for a in s.scalars(select(CallAttempt)):
            c = cbs[a.callback_id]
            if (a.outcome != CallOutcome.REACHED or a.satisfaction != Satisfaction.DISSATISFIED
                    or a.dissatisfaction_reason is None or not f.start <= _day(a.attempted_at, tz) <= f.end
                    or (f.staff_id and a.caller_id != f.staff_id) or (f.grades and grade[c.customer_id] not in f.grades)
                    or (f.callback_kinds and c.kind not in f.callback_kinds)):
                continue
            if key := _key(a.dissatisfaction_reason):
                out[key] += 1
    return dict(out)


def _check_reasons(engine, tz: str, f: KpiFilter) -> None:
    """The rollup's top reasons equal the base-table reference and a Python recount (fewer than 10 keys:
    no cut-off, so no tie order to agree on)."""
    fast = dissatisfaction_reasons(engine, f, tz)
    assert list(fast.columns) == ["reason", "count"]
    assert fast.equals(dissatisfaction_reasons_from_attempts(engine, f, tz))
    assert dict(zip(fast["reason"], fast["count"], strict=True)) == _expected_reasons(engine, tz, f)
    assert list(fast["count"]) == sorted(fast["count"], reverse=True)


def _check_areas(engine, tz: str, f: KpiFilter) -> None:
    """The complaint and lead readers over the rollups equal the reference functions over the base tables."""
    got, ref = areas.complaint_counts(engine, f, tz, NOW), complaint_reference.complaint_counts(engine, f, tz, NOW)
    assert got.totals == pytest.approx(ref.totals) and (got.by_model, got.by_cause) == (ref.by_model, ref.by_cause)
    by_channel = [areas.complaints_by_channel(engine, f, tz), complaint_reference.complaints_by_channel(engine, f, tz)]
    assert [sorted(map(tuple, frame.to_numpy().tolist())) for frame in by_channel] == [
        sorted(map(tuple, by_channel[1].to_numpy().tolist()))] * 2
    assert areas.complaints_closed_by_deadline(engine, f, tz, NOW) == pytest.approx(
        complaint_reference.complaints_closed_by_deadline(engine, f, tz, NOW))
    days = [areas.lead_contact_days(engine, f, tz), lead_reference.lead_contact_days(engine, f, tz)]
    assert days[0].to_dict("records") == days[1].to_dict("records")
    follow = [fn(engine, f, tz, INTERVALS).to_dict("records") for fn in (areas.lead_follow_ups,
                                                                          lead_reference.lead_follow_ups)]
    assert follow[0] == follow[1]


def _check(engine, tz: str, f: KpiFilter) -> None:
    _check_reasons(engine, tz, f)
    _check_grouped(engine, tz, f)
    _check_areas(engine, tz, f)
    want = _expected(engine, tz, f)
    for name, (read, keys) in [*READERS.items(), *REFERENCE.items()]:
        frame = read(engine, f, tz)
        assert list(frame.columns)[0] == "day" and all(isinstance(d, date) for d in frame["day"])
        expected = {k: {m: v for m, v in ms.items() if v} for k, ms in want[name].items()}
        assert _as_dict(frame, keys) == expected, name


def _filters(o: Office) -> list[KpiFilter]:
    return [KpiFilter(FIRST, LAST), KpiFilter(FIRST, LAST, staff_id=o.staff[1]),
            KpiFilter(FIRST, LAST, grades=(CustomerGrade.VIP,)),
            KpiFilter(FIRST, LAST, callback_kinds=(CallbackKind.AFTER_REPAIR,)),
            KpiFilter(FIRST, LAST, service_types=(ServiceType.PAID, ServiceType.CONTRACT)),
            KpiFilter(FIRST, LAST, models=("X1",)),
            KpiFilter(FIRST, LAST, complaint_channels=(ComplaintChannel.PHONE, ComplaintChannel.LETTER)),
            KpiFilter(date(2025, 6, 1), date(2025, 9, 30), grades=(CustomerGrade.KEY,), models=("X0", "X2")),
            KpiFilter(date(2026, 3, 28), date(2026, 3, 29))]


def _marks(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(KpiMark)).scalar_one()


def _snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {n: sorted(tuple(r)[1:] for r in conn.execute(select(r.table))) for n, r in ROLLUPS.items()}


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin"])
def test_rollups_stay_exact_through_random_writes_K1_K2_K4(engine, tz):
    rng = Random(14)
    o = Office(engine, rng)
    _check(engine, tz, KpiFilter(FIRST, LAST))  # built (empty) under this basis: from now on refreshed by marks
    for step in range(150):
        _write(engine, o, rng, tz)
        if step % 17 == 0:
            _check(engine, tz, KpiFilter(FIRST, LAST))  # a refresh in the middle of the writes
    _through_core(engine, o, rng)
    assert _marks(engine) > 0
    for f in _filters(o):
        _check(engine, tz, f)
    assert _marks(engine) == 0
    # (4) a refresh with nothing marked leaves no marks and changes nothing
    before = _snapshot(engine)
    assert refresh(engine, tz, TARGET) == {}
    assert _snapshot(engine) == before and _marks(engine) == 0
    # (3) a rebuild counts the same rows the refreshes kept
    rebuild(engine, tz, TARGET)
    assert _snapshot(engine) == before


def test_a_changed_time_zone_or_dispatch_target_rebuilds(engine):
    rng = Random(7)
    o = Office(engine, rng)
    for _ in range(25):
        _write(engine, o, rng, "Asia/Shanghai")
    _check(engine, "Asia/Shanghai", KpiFilter(FIRST, LAST))
    assert refresh(engine, "Europe/Berlin", TARGET) == {n: "rebuilt" for n in ROLLUPS}
    _check(engine, "Europe/Berlin", KpiFilter(FIRST, LAST))
    assert refresh(engine, "Europe/Berlin", TARGET + 1) == {"order_intake_days": "rebuilt"}
    frame = order_intake_days(engine, KpiFilter(FIRST, LAST), "Europe/Berlin", TARGET)  # back to 5: rebuilt
    assert int(frame["opened"].sum()) == sum(m["opened"] for m in _expected(
        engine, "Europe/Berlin", KpiFilter(FIRST, LAST))["order_intake_days"].values())


def test_many_marks_rebuild_instead(engine, monkeypatch):
    rng = Random(3)
    o = Office(engine, rng)
    refresh(engine, "Asia/Shanghai", TARGET)
    for _ in range(12):
        _write(engine, o, rng, "Asia/Shanghai")
    monkeypatch.setattr("core.kpi.rollups.MARKS_TO_REBUILD", 1)
    done = refresh(engine, "Asia/Shanghai", TARGET)
    assert "rebuilt" in done.values()
    _check(engine, "Asia/Shanghai", KpiFilter(FIRST, LAST))
    monkeypatch.setattr("core.kpi.rollups.MARKS_TO_REBUILD", 10_000)
    monkeypatch.setattr("core.kpi.rollups.DAYS_TO_REBUILD", 1)  # marks on several days: rebuilt too
    for _ in range(12):
        _write(engine, o, rng, "Asia/Shanghai")
    assert "rebuilt" in refresh(engine, "Asia/Shanghai", TARGET).values()
    _check(engine, "Asia/Shanghai", KpiFilter(FIRST, LAST))


def _ends(days: list[date], tz: str) -> list[datetime]:
    """The UTC instants at which each day's CASE branch stops (the next office midnight)."""
    return [w.right.value.astimezone(ZoneInfo("UTC")) for w, _ in day_case(Callback.due_end, days, tz)[0].whens]


def test_office_days_are_bucketed_exactly_across_daylight_saving():
    # Berlin springs forward on 2026-03-29 (a 23-hour day) and falls back on 2026-10-25 (a 25-hour day)
    spring = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert _ends(spring, "Europe/Berlin") == [utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), utc(2026, 3, 30, 22)]
    autumn = [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
    assert _ends(autumn, "Europe/Berlin") == [utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), utc(2026, 10, 26, 23)]
    _, lo, hi = day_case(Callback.due_end, spring, "Europe/Berlin")
    assert (lo, hi) == (utc(2026, 3, 27, 23), utc(2026, 3, 30, 22))
    shanghai = [date(2026, 11, 19), date(2026, 11, 20)]
    assert _ends(shanghai, "Asia/Shanghai") == [utc(2026, 11, 19, 16), utc(2026, 11, 20, 16)]
    assert day_case(Callback.due_end, shanghai, "Asia/Shanghai")[1] == utc(2026, 11, 18, 16)


def test_rows_on_both_sides_of_a_daylight_saving_midnight_count_on_their_office_day(engine):
    with session_scope(engine) as s:
        c, u = make_customer(s), make_user(s)
        for at in (utc(2026, 3, 29, 21, 59, 59), utc(2026, 3, 29, 22), utc(2026, 10, 25, 22, 59, 59),
                   utc(2026, 10, 25, 23)):
            make_attempt(s, make_callback(s, c, due_end=at), u, attempted_at=at)
    frame = attempt_days(engine, KpiFilter(FIRST, LAST), "Europe/Berlin")
    assert dict(zip(frame["day"], frame["attempts"], strict=True)) == {
        date(2026, 3, 29): 1, date(2026, 3, 30): 1, date(2026, 10, 25): 1, date(2026, 10, 26): 1}
    frame = callback_days(engine, KpiFilter(FIRST, LAST), "Asia/Shanghai")
    assert dict(zip(frame["day"], frame["due"], strict=True)) == {date(2026, 3, 30): 2, date(2026, 10, 26): 2}


def test_days_are_recounted_in_runs_of_consecutive_days():
    d = date(2026, 1, 1)
    assert runs([d, d + timedelta(days=1), d + timedelta(days=3)]) == [[d, d + timedelta(days=1)],
                                                                       [d + timedelta(days=3)]]
    assert [len(r) for r in runs([d + timedelta(days=i) for i in range(40)], 31)] == [31, 9]


def test_an_upgraded_office_gets_its_rollups_when_it_starts_and_the_command_rebuilds(engine, db_url, monkeypatch,
                                                                                     capsys):
    """`make run` (cli.setup) counts the rollups once for an office with records and none built (migration 0011);
    `python -m cli.kpi --rebuild` recounts them under the office's time zone and dispatch target."""
    from cli import kpi as kpi_cli
    from cli.setup import prepare
    from core.kpi.rollups import needs_rebuild

    rng = Random(5)
    o = Office(engine, rng)
    for _ in range(10):
        _write(engine, o, rng, "Asia/Shanghai")
    assert needs_rebuild(engine) and _marks(engine) > 0
    monkeypatch.setenv("DATABASE_URL", db_url)
    said = prepare(with_demo=False).split("; ")
    assert said[0] == "database ready" and said[-1].startswith("KPI rollups built: ")
    assert not needs_rebuild(engine) and _marks(engine) == 0
    assert prepare(with_demo=False) == "database ready"
    before = _snapshot(engine)
    assert kpi_cli.main(["--rebuild"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:len(ROLLUPS)]] == list(ROLLUPS)
    assert out[-1].startswith("KPI rollups rebuilt in")
    assert _snapshot(engine) == before
    _check(engine, "Asia/Shanghai", KpiFilter(FIRST, LAST))  # the office's zone (the default setting)


def test_the_rebuild_command_migrates_a_database_not_migrated_yet(tmp_path, monkeypatch, capsys):
    """`python -m cli.kpi --rebuild` on a database with no tables yet runs the migrations first (as cli.report
    does), then counts the (empty) rollups instead of failing on a missing table."""
    from cli import kpi as kpi_cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert kpi_cli.main(["--rebuild"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:len(ROLLUPS)]] == list(ROLLUPS)
    assert out[-1].startswith("KPI rollups rebuilt in")


def test_two_refreshers_at_once_serialize_and_stay_exact(engine):
    """PostgreSQL: an advisory lock; SQLite: the write lock taken before the marks are read."""
    from concurrent.futures import ThreadPoolExecutor

    rng = Random(21)
    o = Office(engine, rng)
    refresh(engine, "Asia/Shanghai", TARGET)
    for _ in range(30):
        _write(engine, o, rng, "Asia/Shanghai")
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda _: refresh(engine, "Asia/Shanghai", TARGET), range(2)))
    assert _marks(engine) == 0 and any(done)
    _check(engine, "Asia/Shanghai", KpiFilter(FIRST, LAST))
