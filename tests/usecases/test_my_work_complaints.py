"""My work's complaints (CP-5): the manager's escalated and overdue complaints, the one waiting longest first;
the owner's own open complaints (a specialist or an engineer), what is due next first. NOW is Friday
2026-11-20 14:00 in Shanghai."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Forbidden
from core.my_work.agenda import complaints_needing_attention, my_complaints
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
