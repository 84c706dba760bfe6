"""L-1 lead contacts against a real database: a contact is stored (the L-2 weekly table counts it), the lead
is re-classed and falls due again after its class interval, a sale wins it with its amount and a loss
loses it, refused contacts write nothing, every change is audited, and a specialist's due list holds their
open leads due by tonight, overdue first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import FieldErrors, Forbidden, Invalid, NotFound
from core.leads.queries import due_leads
from core.leads.rules import LeadContactInput
from core.leads.services import record_lead_contact
from core.my_work.queries import weekly_activity
from db.engine import session_scope
from db.enums import Channel, LeadClass, LeadResult, LeadStatus, Role
from db.models import Lead, LeadContact
from tests.factories import NOW, actor_of, make_lead, make_user, reader
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"


def setup(engine, **lead) -> tuple:
    with session_scope(engine) as s:
        ann = make_user(s, role=Role.SPECIALIST, display_name="Ann")
        lead = make_lead(s, specialist_id=ann.id, **({"lead_class": LeadClass.C} | lead))
        return actor_of(ann), lead.id


def lead_row(engine, lead_id: int) -> dict:
    with session_scope(engine) as s:
        lead = s.get(Lead, lead_id)
        return {"class": lead.lead_class, "status": lead.status, "next": lead.next_follow_up, "version": lead.version}


def contacts(engine) -> list[tuple]:
    with session_scope(engine) as s:
        return [tuple(r) for r in s.execute(select(
            LeadContact.user_id, LeadContact.contacted_at, LeadContact.channel, LeadContact.result,
            LeadContact.sale_amount_cents, LeadContact.new_class, LeadContact.notes).order_by(LeadContact.id))]


def test_a_contact_that_re_classes_a_lead_sets_its_next_follow_up_from_the_new_class(engine):
    ann, lead_id = setup(engine)
    mark = audit_mark(engine)
    done = record_lead_contact(engine, ann, lead_id, LeadContactInput(Channel.PHONE, LeadResult.APPOINTMENT,
                                                                      new_class=LeadClass.A, notes="Visit Friday"), NOW)
    assert (done.lead_class, done.status, done.next_follow_up) == \
        (LeadClass.A, LeadStatus.OPEN, NOW + timedelta(days=2))
    assert lead_row(engine, lead_id) == {"class": LeadClass.A, "status": LeadStatus.OPEN,
                                         "next": NOW + timedelta(days=2), "version": 2}
    assert contacts(engine) == [(ann.id, NOW, Channel.PHONE, LeadResult.APPOINTMENT, None, LeadClass.A, "Visit Friday")]
    [row] = audit_since(engine, mark)
    assert (row["entity"], row["entity_id"], row["action"], row["user_id"]) == ("lead", str(lead_id), "update", ann.id)
    assert row["changes"] == {"lead_class": ["C", "A"], "next_follow_up": [NOW.isoformat(), (NOW + timedelta(days=2))
                                                                          .isoformat()],
                              "_": {"contact_id": done.contact_id, "result": "appointment"}}


def test_a_contact_without_a_class_change_keeps_the_class_interval(engine):
    ann, lead_id = setup(engine, lead_class=LeadClass.B)
    later = NOW + timedelta(hours=3)
    record_lead_contact(engine, ann, lead_id, LeadContactInput(Channel.WECHAT, LeadResult.NO_ANSWER), later)
    assert lead_row(engine, lead_id)["next"] == later + timedelta(days=7)


def test_a_sale_wins_the_lead_with_its_amount_and_ends_the_follow_ups(engine):
    ann, lead_id = setup(engine)
    mark = audit_mark(engine)
    record_lead_contact(engine, ann, lead_id, LeadContactInput(Channel.VISIT, LeadResult.SALE, 1_880_000), NOW)
    assert lead_row(engine, lead_id) == {"class": LeadClass.C, "status": LeadStatus.WON, "next": None, "version": 2}
    [row] = audit_since(engine, mark)
    assert row["action"] == "transition"
    assert row["changes"]["status"] == ["open", "won"] and row["changes"]["next_follow_up"][1] is None
    week = weekly_activity(engine, NOW, TZ, ann.id)  # L-2 counts the sale from the contact row
    assert week.to_dict("records") == [{"specialist": "Ann", "dialed": 1, "completed": 1, "appointments": 0,
                                        "recommendations": 0, "sales": 1, "sales_amount_cents": 1_880_000}]


def test_a_lost_result_loses_the_lead_and_it_takes_no_more_contacts(engine):
    ann, lead_id = setup(engine)
    record_lead_contact(engine, ann, lead_id, LeadContactInput(Channel.PHONE, LeadResult.LOST), NOW)
    assert lead_row(engine, lead_id)["status"] == LeadStatus.LOST and lead_row(engine, lead_id)["next"] is None
    with pytest.raises(Invalid) as refused:
        record_lead_contact(engine, ann, lead_id, LeadContactInput(Channel.PHONE, LeadResult.TALKED), NOW)
    assert refused.value.key == "leads.closed"
    assert len(contacts(engine)) == 1


@pytest.mark.parametrize(("contact", "key"), [
    (LeadContactInput(Channel.PHONE, LeadResult.SALE), "leads.sale_amount_required"),
    (LeadContactInput(Channel.PHONE, LeadResult.SALE, -100), "leads.sale_amount_required"),
    (LeadContactInput(Channel.PHONE, LeadResult.TALKED, 100), "leads.amount_only_for_sale"),
])
def test_a_refused_contact_writes_nothing(engine, contact, key):
    ann, lead_id = setup(engine)
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as refused:
        record_lead_contact(engine, ann, lead_id, contact, NOW)
    assert refused.value.key == key
    assert contacts(engine) == [] and audit_since(engine, mark) == []
    assert lead_row(engine, lead_id)["version"] == 1


def test_every_refused_field_of_a_contact_is_named_at_once_and_nothing_is_written(engine):
    """Issue 10: a sale without an amount and notes with a control character, both refused together."""
    ann, lead_id = setup(engine)
    mark = audit_mark(engine)
    with pytest.raises(FieldErrors) as refused:
        record_lead_contact(engine, ann, lead_id, LeadContactInput(Channel.PHONE, LeadResult.SALE, notes="\x07"), NOW)
    assert {f: e.key for f, e in refused.value.errors.items()} == {
        "sale_amount_cents": "leads.sale_amount_required", "notes": "input.control_chars"}
    assert contacts(engine) == [] and audit_since(engine, mark) == []


def test_an_engineer_may_not_record_a_lead_contact(engine):
    _, lead_id = setup(engine)
    with session_scope(engine) as s:
        engineer = actor_of(make_user(s, role=Role.ENGINEER))
    with pytest.raises(Forbidden):
        record_lead_contact(engine, engineer, lead_id, LeadContactInput(Channel.PHONE, LeadResult.TALKED), NOW)


def test_a_contact_with_an_unknown_lead_is_refused(engine):
    ann, lead_id = setup(engine)
    with pytest.raises(NotFound):
        record_lead_contact(engine, ann, lead_id + 1000, LeadContactInput(Channel.PHONE, LeadResult.TALKED), NOW)


def test_due_leads_are_the_specialist_s_open_leads_due_by_tonight_overdue_first(engine):
    ann, _ = setup(engine, next_follow_up=NOW - timedelta(days=1), name="Overdue")  # 14:00 office time
    with session_scope(engine) as s:
        bob = make_user(s)
        mine = {"specialist_id": ann.id}
        make_lead(s, **mine, name="Tonight", next_follow_up=NOW + timedelta(hours=9, minutes=59))
        make_lead(s, **mine, name="This morning", next_follow_up=NOW - timedelta(hours=5))
        make_lead(s, **mine, name="Tomorrow", next_follow_up=NOW + timedelta(hours=10))  # 00:00 office time
        make_lead(s, **mine, name="Won", next_follow_up=NOW - timedelta(days=2), status=LeadStatus.WON)
        make_lead(s, **mine, name="Unplanned", next_follow_up=None)
        make_lead(s, specialist_id=bob.id, name="Bob's", next_follow_up=NOW - timedelta(days=3))
    page = due_leads(engine, reader(), ann.id, NOW, TZ)
    assert page.total == 3
    assert [(r["name"], r["overdue"]) for r in page.rows] == [("Overdue", True), ("This morning", True),
                                                              ("Tonight", False)]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 7
