"""The Users page marks a quality inspector (CP-2): ticked on a user who works on complaints it is saved and
audited; on a role that cannot read complaints it is refused in the admin's language and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.demo import DEMO_ACCOUNTS
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import AuditEntry, User
from tests.helpers import as_read, open_by_url


def user_of(url: str, role: Role) -> tuple[int, bool, int]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            row = s.execute(select(User.id, User.quality, User.version)
                            .where(User.username == DEMO_ACCOUNTS[role])).one()
            return row.id, row.quality, row.version
    finally:
        engine.dispose()


def tick_and_save(open_page, user_id: int, lang: str):
    at = open_by_url(open_page("pages/users.py", lang, Role.ADMIN), user_id)
    at.checkbox(key=f"user_quality_{user_id}").check()
    at.button(key=f"FormSubmitter:user_edit-{t('users.save', lang)}").click().run()
    assert not at.exception
    return at


def test_an_admin_marks_an_engineer_as_quality_inspector(open_page, demo_url):
    user_id, quality, version = user_of(demo_url, Role.ENGINEER)
    assert quality is False
    at = tick_and_save(open_page, user_id, "en")
    assert not at.error
    assert user_of(demo_url, Role.ENGINEER) == (user_id, True, version + 1)
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        last = s.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id))
                         .order_by(AuditEntry.id.desc())).first()
        assert last.changes == {"quality": [False, True]}
    engine.dispose()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_finance_cannot_be_a_quality_inspector(open_page, demo_url, lang):
    user_id, _, version = user_of(demo_url, Role.FINANCE)
    at = tick_and_save(open_page, user_id, lang)
    assert [as_read(e.value) for e in at.error] == [as_read(t("users.quality_needs_complaints", lang))]
    assert user_of(demo_url, Role.FINANCE) == (user_id, False, version)
