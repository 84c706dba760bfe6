"""What the complaint record page reads beyond the log: whom a complaint or its corrective action may be given
to (CP-2), and what is due next on the complaint and when (CP-5), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from core.complaints.queries import complaint_detail, complaint_people
from db.engine import session_scope
from db.enums import ComplaintStatus, Role
from tests.factories import NOW, make_complaint, make_customer, make_user, reader


def test_people_are_the_active_users_who_read_complaints_cp2(engine):
    with session_scope(engine) as s:
        spec = make_user(s, role=Role.SPECIALIST, display_name="Sam Spec")
        eng = make_user(s, role=Role.ENGINEER, display_name="Eli Engineer")
        gone = make_user(s, role=Role.SPECIALIST, display_name="Gone", active=False)
        fin = make_user(s, role=Role.FINANCE, display_name="Fay Finance")
        admin = make_user(s, role=Role.ADMIN, display_name="Ada Admin")
        ids = {u: u.id for u in (spec, eng, gone, fin, admin)}
    people = complaint_people(engine)
    assert people[ids[spec]] == "Sam Spec" and people[ids[eng]] == "Eli Engineer"
    assert not {ids[gone], ids[fin], ids[admin]} & set(people)


def _detail(engine, **kw) -> dict:
    with session_scope(engine) as s:
        customer = make_customer(s)
        cid = make_complaint(s, customer, make_user(s), first_response_due=NOW + timedelta(days=1), **kw).id
    return complaint_detail(engine, reader(), cid, NOW)["complaint"]


def test_the_first_response_is_due_next_until_given_cp5(engine):
    record = _detail(engine)
    assert (record["next_step"], record["next_due"]) == ("first_response", NOW + timedelta(days=1))


def test_then_the_promised_reply_is_due_until_given_cp5(engine):
    record = _detail(engine, first_response_at=NOW, status=ComplaintStatus.VERIFYING)
    assert (record["next_step"], record["next_due"]) == ("reply", NOW + timedelta(days=3))


def test_nothing_is_due_once_replied_or_closed_cp5(engine):
    assert _detail(engine, first_response_at=NOW, replied_at=NOW, status=ComplaintStatus.REPLIED)["next_due"] is None
    assert _detail(engine, status=ComplaintStatus.CLOSED)["next_step"] is None
