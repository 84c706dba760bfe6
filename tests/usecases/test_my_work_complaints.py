"""My work's complaints (CP-5): the manager's escalated and overdue complaints, the one waiting longest first;
the owner's own open complaints (a specialist or an engineer), what is due next first; (CP-2) the complaints
whose corrective action (CAPA) a person must carry out, the earliest CAPA due date first. NOW is Friday
2026-11-20 14:00 in Shanghai."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Forbidden
from core.my_work.agenda import complaints_needing_attention, my_complaints, my_corrective_actions
from db.engine import session_scope
from db.enums import ComplaintStatus, Role
from tests.factories import NOW, actor_of, make_complaint, make_customer, make_user

TZ = "Asia/Shanghai"
DAY = timedelta(days=1)


def office(engine) -> dict:
    """Complaints received over the last days: escalated, overdue (no first response, or no reply by the
    promise), on time, closed; owned by Ann (a specialist), Eli (an engineer) or nobody yet."""
    with session_scope(engine) as s:
        ann, eli = make_user(s), make_user(s, role=Role.ENGINEER)
        manager, finance = make_user(s, role=Role.MANAGER), make_user(s, role=Role.FINANCE)
        c = make_customer(s)

        def cp(days_ago: float, **kw) -> int:
            received = NOW - days_ago * DAY
            kw = {"reply_deadline": received + 3 * DAY, "first_response_due": received + DAY,
                  "first_response_at": received + DAY / 4} | kw
            return make_complaint(s, c, ann, received_at=received, **kw).id

        ids = {
            "escalated_new": cp(0.1, escalated=True, first_response_at=None),
            "no_first_response": cp(2, first_response_at=None, owner_id=ann.id),
            "reply_late": cp(5, status=ComplaintStatus.CAPA_REQUESTED, owner_id=ann.id),
            "on_time": cp(1, status=ComplaintStatus.VERIFYING, owner_id=ann.id),
            "replied": cp(6, status=ComplaintStatus.REPLIED, replied_at=NOW - 2 * DAY, owner_id=ann.id),
            "closed_escalated": cp(9, status=ComplaintStatus.CLOSED, escalated=True, owner_id=ann.id),
            "engineers": cp(0.5, status=ComplaintStatus.VERIFYING, owner_id=eli.id),
        }
        people = {"ann": actor_of(ann), "eli": actor_of(eli), "manager": actor_of(manager),
                  "finance": actor_of(finance)}
    return {"ids": ids, **people}


def test_the_managers_escalated_and_overdue_complaints_come_oldest_first_cp5(engine):
    o = office(engine)
    page = complaints_needing_attention(engine, o["manager"], TZ, NOW)
    ids = o["ids"]
    assert [r["id"] for r in page.rows] == [ids["reply_late"], ids["no_first_response"], ids["escalated_new"]]
    assert page.total == 3  # the closed one, though escalated, has left the list


def test_the_owner_sees_their_open_complaints_what_is_due_next_first_cp5(engine):
    o = office(engine)
    ids = o["ids"]
    page = my_complaints(engine, o["ann"], TZ, NOW)
    rows = [(r["id"], r["overdue"]) for r in page.rows]
    # the first response due a day ago, the reply promised two days ago (received 5 days back, answered
    # first), the reply promised in two days; the replied one has nothing due and comes last; closed: gone
    assert rows == [(ids["reply_late"], True), (ids["no_first_response"], True), (ids["on_time"], False),
                    (ids["replied"], False)]
    assert [r["next_due"] is None for r in page.rows] == [False, False, False, True]


def test_an_engineer_who_owns_a_complaint_sees_it_and_nothing_of_others_cp5(engine):
    o = office(engine)
    assert [r["id"] for r in my_complaints(engine, o["eli"], TZ, NOW).rows] == [o["ids"]["engineers"]]


def test_who_does_not_read_complaints_has_no_complaint_list(engine):
    o = office(engine)
    with pytest.raises(Forbidden):
        my_complaints(engine, o["finance"], TZ, NOW)


def capa_office(engine) -> dict:
    """Complaints found ours whose CAPA Ann (a specialist) or Eli (an engineer) must carry out: due later, due
    in two days, due exactly now, a day overdue; one of Ann's already solved; one Ann owns but whose CAPA is
    Eli's. Created in that order, so the order listed is not the order created."""
    with session_scope(engine) as s:
        ann, eli = make_user(s), make_user(s, role=Role.ENGINEER)
        finance = make_user(s, role=Role.FINANCE)
        c = make_customer(s)

        def capa(owner, due, status=ComplaintStatus.CAPA_REQUESTED, **kw) -> int:
            return make_complaint(s, c, ann, status=status, capa_owner_id=owner.id, capa_due=due,
                                  received_at=NOW - 4 * DAY, **kw).id

        ids = {"later": capa(ann, NOW + 5 * DAY), "soon": capa(ann, NOW + 2 * DAY), "now": capa(ann, NOW),
               "late": capa(ann, NOW - DAY), "solved": capa(ann, NOW - 2 * DAY, ComplaintStatus.SOLUTION),
               "elis": capa(eli, NOW + DAY, owner_id=ann.id)}
        return {"ids": ids, "ann": actor_of(ann), "eli": actor_of(eli), "finance": actor_of(finance)}


def test_the_capa_owner_sees_the_corrective_actions_they_must_carry_out_earliest_due_first_cp2(engine):
    """CP-2: a complaint found ours waits on its CAPA owner; My work lists it for them until the solution is
    recorded, the earliest due first, overdue once the due date has passed (not at it)."""
    o = capa_office(engine)
    ids = o["ids"]
    page = my_corrective_actions(engine, o["ann"], NOW)
    assert [(r["id"], r["overdue"]) for r in page.rows] == [(ids["late"], True), (ids["now"], False),
                                                            (ids["soon"], False), (ids["later"], False)]
    assert [r["next_due"] for r in page.rows] == [NOW - DAY, NOW, NOW + 2 * DAY, NOW + 5 * DAY]
    assert page.total == 4  # the solved one has left the list; the one Ann owns is Eli's to correct


def test_an_engineer_sees_the_corrective_action_given_to_them_not_the_complaint_owners_cp2(engine):
    o = capa_office(engine)
    assert [r["id"] for r in my_corrective_actions(engine, o["eli"], NOW).rows] == [o["ids"]["elis"]]
    assert my_complaints(engine, o["eli"], TZ, NOW).rows == []  # they own no complaint: only the CAPA is theirs


def test_who_does_not_read_complaints_has_no_corrective_action_list(engine):
    o = capa_office(engine)
    with pytest.raises(Forbidden):
        my_corrective_actions(engine, o["finance"], NOW)
