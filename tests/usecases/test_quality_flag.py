"""Marking a quality inspector (CP-2: quality verifies complaints and the effect of their corrective action;
while no active user is one, the manager acts for quality): an admin's change to a user, audited with
before and after, refused for a role that does not work on complaints, with nothing written."""

from __future__ import annotations

import pytest

from core.accounts.queries import user_detail
from core.accounts.services import update_user
from core.accounts.sessions import resolve_session, sign_in
from core.complaints.flow import Move, can
from core.complaints.services import context, load
from core.errors import Forbidden, Invalid
from db.engine import session_scope
from db.enums import ComplaintStatus, Responsibility, Role
from db.models import User
from tests.factories import NOW, PASSWORD, make_account, make_complaint, make_customer
from tests.helpers import audit_mark, audit_since

READERS = [Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR, Role.ENGINEER]  # Action.VIEW_COMPLAINTS


def account(engine, role: Role):
    with session_scope(engine) as s:
        return make_account(s, role)


def stored(engine, user_id: int) -> User:
    with session_scope(engine) as s:
        return s.get(User, user_id)


@pytest.mark.parametrize("role", READERS)
def test_an_admin_marks_a_user_who_works_on_complaints_as_quality_and_it_is_audited(engine, admin, role):
    """CP-2: the quality flag is saved, versioned and audited with before and after."""
    user = account(engine, role)
    mark = audit_mark(engine)
    update_user(engine, admin, user.id, 1, NOW, quality=True)
    row = stored(engine, user.id)
    assert (row.quality, row.version) == (True, 2)
    [audit] = audit_since(engine, mark)
    assert (audit["action"], audit["entity"], audit["entity_id"]) == ("update", "user", str(user.id))
    assert audit["changes"] == {"quality": [False, True]}
    assert user_detail(engine, admin, user.id)["quality"] is True
    update_user(engine, admin, user.id, 2, NOW, quality=False)
    assert stored(engine, user.id).quality is False


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_a_role_that_does_not_read_complaints_cannot_be_quality_and_nothing_is_written(engine, admin, role):
    """CP-2: a quality inspector verifies complaints; finance or an admin cannot read them: refused, by field."""
    user = account(engine, role)
    mark = audit_mark(engine)
    with pytest.raises(Invalid) as err:
        update_user(engine, admin, user.id, 1, NOW, quality=True)
    assert (err.value.key, err.value.field) == ("users.quality_needs_complaints", "quality")
    assert (stored(engine, user.id).quality, stored(engine, user.id).version) == (False, 1)
    assert audit_since(engine, mark) == []


def test_a_quality_inspector_moved_to_a_role_without_complaints_must_be_unmarked_first(engine, admin):
    """CP-2: the flag never stays on a role that cannot read complaints: the role change alone is refused;
    with the flag taken off in the same save it goes through."""
    user = account(engine, Role.ENGINEER)
    update_user(engine, admin, user.id, 1, NOW, quality=True)
    with pytest.raises(Invalid) as err:
        update_user(engine, admin, user.id, 2, NOW, role=Role.FINANCE)
    assert err.value.key == "users.quality_needs_complaints"
    assert (stored(engine, user.id).role, stored(engine, user.id).quality) == (Role.ENGINEER, True)
    update_user(engine, admin, user.id, 2, NOW, role=Role.FINANCE, quality=False)
    assert (stored(engine, user.id).role, stored(engine, user.id).quality) == (Role.FINANCE, False)


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR, Role.ENGINEER, Role.FINANCE])
def test_only_an_admin_marks_quality(engine, role):
    actor = account(engine, role)
    user = account(engine, Role.ENGINEER)
    with pytest.raises(Forbidden):
        update_user(engine, actor, user.id, 1, NOW, quality=True)
    assert stored(engine, user.id).quality is False


def test_once_a_quality_inspector_is_marked_they_verify_and_the_manager_no_longer_acts_for_quality(engine, admin):
    """CP-2: with no active quality user the manager verifies the effect; once one is marked, the inspector
    (signed in afresh, carrying the flag) verifies and the manager does not."""
    manager, inspector = account(engine, Role.MANAGER), account(engine, Role.ENGINEER)
    with session_scope(engine) as s:
        complaint_id = make_complaint(s, make_customer(s), s.get(User, manager.id),
                                      status=ComplaintStatus.FOLLOWED_UP, responsibility=Responsibility.OURS,
                                      capa_action="Jig replaced", preventive_action="Weekly jig check").id

    def may_verify(actor) -> bool:
        with session_scope(engine) as s:
            row, cp = load(s, complaint_id)
            return can(Move.VERIFY_EFFECT, cp, actor, context(s, row))

    assert may_verify(manager)
    update_user(engine, admin, inspector.id, 1, NOW, quality=True)
    token = sign_in(engine, stored(engine, inspector.id).username, PASSWORD, NOW)
    signed_in = resolve_session(engine, token, NOW)
    assert signed_in.quality is True
    assert may_verify(signed_in) and not may_verify(manager)
