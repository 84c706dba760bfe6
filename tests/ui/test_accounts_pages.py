"""The pages of issue 3 as their users meet them: admins manage users and settings, everybody changes
their own password, managers read the audit log, two people correcting one customer never lose a save."""

from __future__ import annotations

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.accounts.sessions import resolve_session, sign_in
from core.customers.queries import CustomerFilter, list_customers
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import AuditEntry, Customer, User
from tests.factories import reader
from tests.helpers import open_by_url
from tests.ui.conftest import APP


def _first_listed_customer(demo_url) -> int:
    """The customer at the top of the Customers list, so the record picker offers it."""
    engine = make_engine(demo_url)
    page = list_customers(engine, reader(), CustomerFilter(), "Asia/Shanghai")
    engine.dispose()
    return page.rows[0]["id"]


def test_an_admin_creates_a_user_who_then_exists(open_page, demo_url):
    at = open_page("pages/users.py", "en", Role.ADMIN)
    at.text_input(key="new_username").input("wang.fang")
    at.text_input(key="new_display").input("王小芳")
    at.text_input(key="new_password").input("a-long-enough-password")
    at.button[-1].click().run()
    assert not at.exception
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        assert s.scalar(select(User.display_name).where(User.username == "wang.fang")) == "王小芳"
    engine.dispose()


def test_a_too_short_password_is_refused_in_the_users_language(open_page):
    at = open_page("pages/users.py", "zh", Role.ADMIN)
    at.text_input(key="new_username").input("li.lei")
    at.text_input(key="new_display").input("李雷")
    at.text_input(key="new_password").input("short")
    at.button[-1].click().run()
    assert at.error[0].value == t("auth.password_too_short", "zh", min=10)


def test_changing_my_password_needs_the_current_one(open_page):
    at = open_page("pages/account.py", "en", Role.FINANCE)
    at.text_input(key="pw_current").input("not-my-password")
    at.text_input(key="pw_new").input("a-brand-new-password")
    at.text_input(key="pw_again").input("a-brand-new-password")
    at.button[0].click().run()
    assert at.error[0].value == t("users.wrong_current_password", "en")


def test_changing_my_password_keeps_me_signed_in_here_and_ends_my_other_sessions(open_page, demo_url, now):
    """Issue 9: the account page hands core the session it runs in, so only the others end."""
    engine = make_engine(demo_url)
    elsewhere = sign_in(engine, DEMO_ACCOUNTS[Role.FINANCE], DEMO_PASSWORD, now)
    at = open_page("pages/account.py", "en", Role.FINANCE)
    at.text_input(key="pw_current").input(DEMO_PASSWORD)
    at.text_input(key="pw_new").input("a-brand-new-password")
    at.text_input(key="pw_again").input("a-brand-new-password")
    at.button[0].click().run()
    assert not at.error and at.success[0].value == t("account.password_changed", "en")
    assert resolve_session(engine, elsewhere, now) is None
    at.run()
    assert not at.exception and at.title[0].value == t("nav.account", "en")
    engine.dispose()


def test_the_audit_page_lists_sign_ins_for_a_manager(open_page):
    at = open_page("pages/audit.py", "zh", Role.MANAGER)
    assert not at.exception
    assert at.title[0].value == t("nav.audit", "zh")
    assert len(at.dataframe[0].value) > 0


def test_two_people_correcting_one_customer_exactly_one_wins_and_the_other_keeps_their_input(
        sign_in_as, demo_url, now):
    cid = _first_listed_customer(demo_url)

    def open_customer(role: Role) -> AppTest:
        sign_in_as(role)
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page("pages/customers.py").run()
        open_by_url(at, cid)
        return at

    first, second = open_customer(Role.SPECIALIST), open_customer(Role.MANAGER)
    sign_in_as(Role.SPECIALIST)
    first.text_input(key=f"cu_edit_{cid}_city").input("杭州")
    first.button(key=f"FormSubmitter:cu_edit_{cid}-{t('cu.save', 'en')}").click().run()
    assert not first.exception and not first.error

    sign_in_as(Role.MANAGER)
    second.text_input(key=f"cu_edit_{cid}_city").input("苏州")
    second.button(key=f"FormSubmitter:cu_edit_{cid}-{t('cu.save', 'en')}").click().run()
    assert second.error, "the stale save must be refused"
    assert "specialist1" in second.error[0].value
    assert second.text_input(key=f"cu_edit_{cid}_city").value == "苏州"

    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        assert s.scalar(select(Customer.city).where(Customer.id == cid)) == "杭州"
        last = s.execute(select(AuditEntry).where(AuditEntry.entity == "customer", AuditEntry.entity_id == str(cid))
                         .order_by(AuditEntry.id.desc())).scalars().first()
        assert last.username == "specialist1" and last.changes["city"][1] == "杭州"
        assert last.at <= now
    engine.dispose()


def test_saving_a_user_unchanged_says_nothing_changed_neutrally_and_writes_nothing_issue_9(open_page, demo_url):
    """Issue 9: a save that changes nothing is neither a green success nor a new version and audit row."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        user_id, version = s.execute(select(User.id, User.version).where(User.username == "specialist1")).one()
        audit_rows = s.scalar(select(func.count()).where(AuditEntry.entity == "user",
                                                         AuditEntry.entity_id == str(user_id)))
    at = open_page("pages/users.py", "zh", Role.ADMIN)
    open_by_url(at, user_id)
    at.button(key=f"FormSubmitter:user_edit-{t('users.save', 'zh')}").click().run()
    assert not at.exception
    assert [i.value for i in at.info] == [t("error.unchanged", "zh")] and not at.success and not at.toast
    with session_scope(engine) as s:
        assert s.scalar(select(User.version).where(User.id == user_id)) == version
        assert s.scalar(select(func.count()).where(AuditEntry.entity == "user",
                                                   AuditEntry.entity_id == str(user_id))) == audit_rows
    engine.dispose()


def test_an_admin_renames_a_user_and_the_change_is_audited(open_page, demo_url):
    """Issue 10: admins can edit a user's display name."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        user_id = s.scalar(select(User.id).where(User.username == "specialist1"))
    at = open_page("pages/users.py", "zh", Role.ADMIN)
    open_by_url(at, user_id)
    at.text_input(key=f"user_name_{user_id}").input("王  小明 ")
    at.button(key=f"FormSubmitter:user_edit-{t('users.save', 'zh')}").click().run()
    assert not at.exception and not at.error
    with session_scope(engine) as s:
        assert s.scalar(select(User.display_name).where(User.id == user_id)) == "王  小明"
        last = s.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id))
                         .order_by(AuditEntry.id.desc())).first()
        assert last.changes["display_name"][1] == "王  小明"
    engine.dispose()


def test_the_audit_page_names_roles_and_records_in_the_users_language(open_page):
    """Issue 10: the Chinese audit table showed raw `specialist`, `callback`, `session`, `sweep`."""
    at = open_page("pages/audit.py", "zh", Role.MANAGER)
    shown = at.dataframe[0].value
    roles, entities = set(shown[t("audit.role", "zh")]), set(shown[t("audit.entity", "zh")])
    assert roles and not roles & {r.value for r in Role}
    assert entities and not entities & {"callback", "session", "sweep", "customer", "user", "setting"}
    assert t("audit.entity_session", "zh") in entities
