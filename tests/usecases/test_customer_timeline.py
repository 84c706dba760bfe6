"""C-4: the customer's one timeline, newest first, filtered by kind, paginated in SQL, and read by each
record's own read rules (re-check callbacks not for the specialist, only their own work orders for anyone
scoped so); C-5: a call recorded on a later office day is marked late."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.customers.timeline import TimelineFilter, TimelineKind, customer_timeline, readable_kinds
from core.errors import Forbidden
from db.engine import session_scope
from db.enums import CallbackLevel, IncomingCategory, Role
from db.models import IncomingCall
from tests.factories import (
    make_attempt,
    make_callback,
    make_complaint,
    make_customer,
    make_lead,
    make_user,
    make_work_order,
    reader,
    utc,
)

TZ = "Asia/Shanghai"
K = TimelineKind


def _history(engine) -> dict:
    """One customer with one of everything, each an hour apart (newest: the incoming call), and a stranger's
    work order that must never show."""
    t0 = utc(2026, 11, 1, 2)
    with session_scope(engine) as s:
        spec, tech = make_user(s, display_name="Li Na"), make_user(s, role=Role.ENGINEER, display_name="Wang Gong")
        c, other = make_customer(s), make_customer(s)
        cb = make_callback(s, c, assignee_id=spec.id, due_start=t0, due_end=t0 + timedelta(days=7))
        recheck = make_callback(s, c, level=CallbackLevel.L2, due_start=t0 + timedelta(hours=1),
                                due_end=t0 + timedelta(days=7))
        call = make_attempt(s, cb, spec, attempted_at=t0 + timedelta(hours=2),
                            recorded_at=t0 + timedelta(days=1, hours=2))  # recorded the next office day: late
        make_attempt(s, recheck, spec, attempted_at=t0 + timedelta(hours=2, minutes=30),
                     recorded_at=t0 + timedelta(hours=3))
        cp = make_complaint(s, c, spec, received_at=t0 + timedelta(hours=3))
        wo = make_work_order(s, c, spec, intake_at=t0 + timedelta(hours=4), technician_id=tech.id)
        make_work_order(s, c, spec, intake_at=t0 + timedelta(hours=4, minutes=30))  # nobody's yet
        make_work_order(s, other, spec, intake_at=t0 + timedelta(hours=5))
        lead = make_lead(s, customer_id=c.id, specialist_id=spec.id, created_at=t0 + timedelta(hours=5))
        s.add(IncomingCall(received_at=t0 + timedelta(hours=6), phone=c.phone, customer_id=c.id, need="Brakes",
                           category=IncomingCategory.EXISTING_PROBLEM, taken_by_id=spec.id))
        s.flush()
        return {"customer": c.id, "callback": cb.id, "recheck": recheck.id, "call": call.id, "complaint": cp.id,
                "work_order": wo.id, "lead": lead.id, "tech": tech.id, "spec": spec.id}


def test_the_timeline_lists_every_kind_newest_first_with_who_and_when(engine):
    h = _history(engine)
    page = customer_timeline(engine, reader(Role.MANAGER), h["customer"], TZ)
    assert [r["kind"] for r in page.rows] == [K.INCOMING, K.LEAD, K.WORK_ORDER, K.WORK_ORDER, K.COMPLAINT,
                                              K.CALL, K.CALL, K.CALLBACK, K.CALLBACK]
    assert page.total == 9
    assert [r["at"] for r in page.rows] == sorted((r["at"] for r in page.rows), reverse=True)
    complaint = next(r for r in page.rows if r["kind"] == K.COMPLAINT)
    assert (complaint["id"], complaint["who"]) == (h["complaint"], "Li Na")
    assert complaint["at"] == utc(2026, 11, 1, 5)


def test_a_call_opens_its_callback_and_one_recorded_the_next_day_is_marked_late(engine):
    """C-5: a call is recorded the same office day it is made."""
    h = _history(engine)
    calls = customer_timeline(engine, reader(), h["customer"], TZ, TimelineFilter((K.CALL,))).rows
    assert [(r["id"], r["on_time"]) for r in calls] == [(h["recheck"], True), (h["callback"], False)]


def test_the_kind_filter_keeps_only_the_kinds_chosen(engine):
    h = _history(engine)
    page = customer_timeline(engine, reader(), h["customer"], TZ, TimelineFilter((K.COMPLAINT, K.LEAD)))
    assert [(r["kind"], r["id"]) for r in page.rows] == [(K.LEAD, h["lead"]), (K.COMPLAINT, h["complaint"])]
    assert page.total == 2


def test_a_specialist_sees_no_recheck_callback_nor_its_calls(engine):
    """CB-4: a re-check's outcomes are the specialist's results; core.callbacks.flow.visible_levels."""
    h = _history(engine)
    rows = customer_timeline(engine, reader(Role.SPECIALIST), h["customer"], TZ).rows
    assert h["recheck"] not in {r["id"] for r in rows if r["kind"] in (K.CALLBACK, K.CALL)}
    assert len([r for r in rows if r["kind"] in (K.CALLBACK, K.CALL)]) == 2


def test_a_director_reads_no_incoming_call_register_and_so_no_incoming_entry(engine):
    """The kinds follow the record pages' read rules (KIND_READ): the register is the specialist's and manager's."""
    h = _history(engine)
    rows = customer_timeline(engine, reader(Role.DIRECTOR), h["customer"], TZ).rows
    assert K.INCOMING not in {r["kind"] for r in rows} and K.INCOMING not in readable_kinds(reader(Role.DIRECTOR))


def test_an_engineer_whose_work_orders_are_scoped_may_not_read_a_customers_timeline(engine):
    """The customers page is VIEW_CUSTOMERS (S, M, D); the work-order branch reads through
    core.work_orders.queries.readable, so a scoped reader would get only their own orders."""
    h = _history(engine)
    with pytest.raises(Forbidden):
        customer_timeline(engine, reader(Role.ENGINEER), h["customer"], TZ)


def test_pages_follow_one_another_without_overlap_or_gap(engine):
    h = _history(engine)
    whole = customer_timeline(engine, reader(), h["customer"], TZ, page_size=100).rows
    pages = [customer_timeline(engine, reader(), h["customer"], TZ, page=n, page_size=2) for n in range(1, 6)]
    assert [(r["kind"], r["id"]) for p in pages for r in p.rows] == [(r["kind"], r["id"]) for r in whole]
    past_the_end = customer_timeline(engine, reader(), h["customer"], TZ, page=99, page_size=2)
    assert pages[0].pages == 5 and past_the_end.page == 5


def test_a_customer_with_nothing_yet_has_an_empty_timeline(engine):
    with session_scope(engine) as s:
        cid = make_customer(s).id
    page = customer_timeline(engine, reader(), cid, TZ)
    assert (page.rows, page.total) == ([], 0)
