"""The Leads page's read and write side against a real database (issue 10): every lead, searched by name,
phone or interest, filtered by class, status, owner and "due now" (the same leads as My work's due list),
sorted over the whole list in SQL with empty follow-ups last, for who works leads only; one lead with its
contacts, newest first; and a new lead typed on the page: due after its class interval, linked to the
customer its number belongs to, audited, and refused (nothing written) when broken or already open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Forbidden, Invalid
from core.leads.queries import LeadFilter, due_leads, lead_detail, list_leads
from core.leads.rules import NewLeadInput
from core.leads.services import create_lead
from db.engine import session_scope
from db.enums import LeadClass, LeadResult, LeadStatus, Role
from db.models import Lead
from tests.factories import NOW, actor_of, make_customer, make_lead, make_lead_contact, make_user, reader
from tests.helpers import audit_mark, audit_since

TZ = "Asia/Shanghai"


def office(engine) -> dict:
    """Ann's four leads and Bo's one, with what a search or a filter can tell apart."""
    with session_scope(engine) as s:
        ann = make_user(s, role=Role.SPECIALIST, display_name="Ann")
        bo = make_user(s, role=Role.SPECIALIST, display_name="Bo")
        mine = {"specialist_id": ann.id}
        ids = {
            "zhao": make_lead(s, **mine, name="Zhao Wei", phone="13900000001", interest="water purifier",
                              lead_class=LeadClass.A, next_follow_up=NOW - timedelta(days=1)).id,
            "amy": make_lead(s, **mine, name="amy 100% sure", phone="13900000002", lead_class=LeadClass.C,
                             next_follow_up=NOW + timedelta(days=3)).id,
            "won": make_lead(s, **mine, name="Won Ltd", phone="13900000003", status=LeadStatus.WON,
                             next_follow_up=None).id,
            "tonight": make_lead(s, **mine, name="Tonight", phone="13900000004", lead_class=LeadClass.A,
                                 next_follow_up=NOW + timedelta(hours=9)).id,
            "bos": make_lead(s, specialist_id=bo.id, name="Bo's lead", phone="13900000005", interest="Softener",
                            next_follow_up=NOW - timedelta(days=2)).id,
        }
        return ids | {"ann": actor_of(ann), "bo": actor_of(bo)}


def names(f: LeadFilter, engine, o, **page) -> list[str]:
    rows = list_leads(engine, reader(), f, NOW, TZ, **page).rows
    by_id = {v: k for k, v in o.items() if isinstance(v, int)}
    return [by_id[r["id"]] for r in rows]


@pytest.mark.parametrize(("search", "found"), [
    ("zhao", ["zhao"]),  # a name, whatever the case
    ("PURIFIER", ["zhao"]),  # the interest
    ("139 0000 0002", ["amy"]),  # a number typed with spaces, stored without
    ("1390000000", ["zhao", "tonight", "amy", "bos", "won"]),  # the start of a number
    ("100%", ["amy"]),  # LIKE's wildcards are literal
    ("_", []),
    ("a\x00b", []),  # a term no stored value can hold finds nothing, and no error
    ("x" * 500, []),
], ids=["name", "interest", "spelled-phone", "phone-prefix", "percent", "underscore", "control", "too-long"])
def test_the_search_looks_in_name_phone_and_interest(engine, search, found):
    o = office(engine)
    assert sorted(names(LeadFilter(search=search), engine, o)) == sorted(found)


def test_filters_keep_the_class_status_owner_and_those_due_now(engine):
    o = office(engine)
    assert sorted(names(LeadFilter(classes=(LeadClass.A,)), engine, o)) == ["tonight", "zhao"]
    assert names(LeadFilter(statuses=(LeadStatus.WON,)), engine, o) == ["won"]
    assert names(LeadFilter(specialist_id=o["bo"].id), engine, o) == ["bos"]
    due = LeadFilter(specialist_id=o["ann"].id, due_now=True)
    assert names(due, engine, o) == ["zhao", "tonight"]
    assert [r["id"] for r in due_leads(engine, reader(), o["ann"].id, NOW, TZ).rows] == [o["zhao"], o["tonight"]]


def test_the_list_says_which_open_leads_are_overdue_and_whose_they_are(engine):
    o = office(engine)
    rows = {r["id"]: r for r in list_leads(engine, reader(), LeadFilter(), NOW, TZ).rows}
    assert [rows[o[k]]["overdue"] for k in ("zhao", "tonight", "won")] == [True, False, False]
    assert rows[o["bos"]]["specialist"] == "Bo"


@pytest.mark.parametrize(("sort", "order"), [
    ("", ["bos", "zhao", "tonight", "amy", "won"]),  # the default: next follow-up first, none (won) last
    ("-next_follow_up", ["bos", "zhao", "tonight", "amy", "won"]),  # the default's own column is not offered again
    ("name", ["amy", "bos", "tonight", "won", "zhao"]),
    ("-name", ["zhao", "won", "tonight", "bos", "amy"]),
    ("-lead_class", ["amy", "bos", "won", "tonight", "zhao"]),  # C, B, A; the newer id first on a tie
    ("id; DROP TABLE leads", ["bos", "zhao", "tonight", "amy", "won"]),  # not on the allow-list: the default
])
def test_the_whole_list_is_sorted_in_sql_and_paged_after_sorting(engine, sort, order):
    o = office(engine)
    assert names(LeadFilter(sort=sort), engine, o, page=1, page_size=2) == order[:2]
    assert names(LeadFilter(sort=sort), engine, o, page=2, page_size=2) == order[2:4]
    assert list_leads(engine, reader(), LeadFilter(sort=sort), NOW, TZ, page=3, page_size=2).total == 5


def test_status_sorts_in_its_declared_order_open_won_lost_not_by_its_stored_text(engine):
    """Issue 10: leads sort through core.lists.ordered like every list, enums by enum_rank (text: lost < open)."""
    with session_scope(engine) as s:
        ids = {status: make_lead(s, status=status).id for status in (LeadStatus.LOST, LeadStatus.WON, LeadStatus.OPEN)}
    rows = list_leads(engine, reader(), LeadFilter(sort="status"), NOW, TZ).rows
    assert [r["id"] for r in rows] == [ids[LeadStatus.OPEN], ids[LeadStatus.WON], ids[LeadStatus.LOST]]
    rows = list_leads(engine, reader(), LeadFilter(sort="-status"), NOW, TZ).rows
    assert [r["id"] for r in rows] == [ids[LeadStatus.LOST], ids[LeadStatus.WON], ids[LeadStatus.OPEN]]


def test_a_lead_opens_with_its_contacts_newest_first_and_who_made_them(engine):
    o = office(engine)
    with session_scope(engine) as s:
        lead, ann = s.get(Lead, o["zhao"]), make_user(s, display_name="Ann Two")
        make_lead_contact(s, lead, ann, contacted_at=NOW - timedelta(days=5), result=LeadResult.NO_ANSWER)
        make_lead_contact(s, lead, ann, contacted_at=NOW - timedelta(days=1), result=LeadResult.APPOINTMENT)
    detail = lead_detail(engine, reader(), o["zhao"])
    assert (detail["lead"]["name"], detail["lead"]["specialist"], detail["contacts_total"]) == ("Zhao Wei", "Ann", 2)
    assert [(c["result"], c["user"]) for c in detail["contacts"]] == [(LeadResult.APPOINTMENT, "Ann Two"),
                                                                      (LeadResult.NO_ANSWER, "Ann Two")]
    assert lead_detail(engine, reader(), o["zhao"] + 1000) is None


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.FINANCE, Role.ADMIN])
def test_only_who_works_leads_reads_them(engine, role):
    o = office(engine)
    with pytest.raises(Forbidden):
        list_leads(engine, reader(role), LeadFilter(), NOW, TZ)
    with pytest.raises(Forbidden):
        lead_detail(engine, reader(role), o["zhao"])


def test_a_new_lead_is_the_typist_s_due_after_its_class_interval_linked_to_its_customer_and_audited(engine):
    o = office(engine)
    with session_scope(engine) as s:
        wang = make_customer(s, name="Wang", phone="13811112222")
    mark = audit_mark(engine)
    lead_id = create_lead(engine, o["ann"], NewLeadInput("  Mrs Wang ", "138 1111 2222", LeadClass.A, "RO unit",
                                                         "Fair"), NOW)
    with session_scope(engine) as s:
        lead = s.get(Lead, lead_id)
        assert (lead.name, lead.phone, lead.status, lead.specialist_id, lead.customer_id, lead.source) == (
            "Mrs Wang", "138 1111 2222", LeadStatus.OPEN, o["ann"].id, wang.id, "Fair")
        assert lead.next_follow_up == NOW + timedelta(days=2)  # class A: lead.a_interval_days
    [row] = audit_since(engine, mark)
    assert (row["entity"], row["entity_id"], row["action"]) == ("lead", str(lead_id), "create")


def test_a_manager_gives_a_new_lead_to_a_specialist_and_a_specialist_may_not(engine):
    o = office(engine)
    with session_scope(engine) as s:
        mia = actor_of(make_user(s, role=Role.MANAGER))
    lead_id = create_lead(engine, mia, NewLeadInput("Li", "13977770000", LeadClass.B, specialist_id=o["bo"].id), NOW)
    with session_scope(engine) as s:
        assert s.get(Lead, lead_id).specialist_id == o["bo"].id
    with pytest.raises(Forbidden):
        create_lead(engine, o["ann"], NewLeadInput("Li", "13977770001", LeadClass.B, specialist_id=o["bo"].id), NOW)


def test_a_manager_may_not_give_a_new_lead_to_the_director_but_the_director_owns_their_own(engine):
    """Review finding 6: the owner box offers only specialists and managers, and core refuses anyone else
    with the owner's own message; a director who types a lead still owns it."""
    office(engine)
    with session_scope(engine) as s:
        mia, dan = actor_of(make_user(s, role=Role.MANAGER)), actor_of(make_user(s, role=Role.DIRECTOR))
    with pytest.raises(Invalid) as refused:
        create_lead(engine, mia, NewLeadInput("Li", "13977770000", LeadClass.B, specialist_id=dan.id), NOW)
    assert refused.value.key == "leads.bad_owner"
    lead_id = create_lead(engine, dan, NewLeadInput("Li", "13977770000", LeadClass.B), NOW)
    with session_scope(engine) as s:
        assert s.get(Lead, lead_id).specialist_id == dan.id


@pytest.mark.parametrize(("data", "key"), [
    (NewLeadInput("", "13977770000", LeadClass.B), "leads.name_required"),
    (NewLeadInput("Li", "", LeadClass.B), "leads.phone_required"),
    (NewLeadInput("Li", "call me", LeadClass.B), "leads.bad_phone"),
    (NewLeadInput("Li", "13977770000", None), "leads.class_required"),
    (NewLeadInput("Li", "13977770000", "Z"), "leads.bad_choice"),
    (NewLeadInput("Li", "139 0000 0001", LeadClass.B), "leads.already_open"),  # Zhao's open lead
    (NewLeadInput("Li", "13977770000", LeadClass.B, specialist_id=10**6), "leads.bad_owner"),
], ids=["no-name", "no-phone", "bad-phone", "no-class", "bad-class", "already-open", "unknown-owner"])
def test_a_refused_new_lead_writes_nothing(engine, data, key):
    o = office(engine)
    with session_scope(engine) as s:
        mia = actor_of(make_user(s, role=Role.MANAGER))
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as refused:
        create_lead(engine, mia, data, NOW)
    assert refused.value.key == key
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == len([v for v in o.values() if isinstance(v, int)])
    assert audit_since(engine, mark) == []


def test_an_engineer_may_not_create_a_lead(engine):
    with session_scope(engine) as s:
        eli = actor_of(make_user(s, role=Role.ENGINEER))
    with pytest.raises(Forbidden):
        create_lead(engine, eli, NewLeadInput("Li", "13977770000", LeadClass.B), NOW)
