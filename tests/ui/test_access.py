"""Access in the app itself: signed out shows only the sign-in prompt; each role's navigation holds the
pages the permission table allows; a forbidden page's URL lands on the default page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.permissions import PAGES, Actor, pages_for
from db.engine import make_engine, session_scope
from db.enums import CallbackLevel, Role
from db.models import Callback, Customer
from tests.ui.conftest import APP


def test_a_signed_out_visitor_sees_only_the_sign_in_prompt(sign_in_as):
    sign_in_as(None)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.info[0].value == t("auth.signed_out", "zh")
    assert len(at.dataframe) == 0 and len(at.metric) == 0


def test_an_unknown_cookie_is_treated_as_signed_out(sign_in_as, monkeypatch):
    import ui.auth

    sign_in_as(None)
    monkeypatch.setattr(ui.auth, "session_token", lambda: "forged-token")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.info[0].value == t("auth.signed_out", "en")


@pytest.mark.parametrize("role", list(Role))
def test_every_allowed_page_opens_for_its_role(open_page, role):
    for name in pages_for(role):
        at = open_page(f"pages/{name}.py", "en", role)
        assert not at.exception, name
        assert at.title[0].value == t(f"nav.{name}", "en"), name


@pytest.mark.parametrize(("refused", "lang", "told"), [
    ("kpis", "zh", t("nav.not_your_page", "zh", page=t("nav.kpis", "zh"))),  # one of the app's pages, not theirs
    ("kpis", "en", t("nav.not_your_page", "en", page=t("nav.kpis", "en"))),
    ("**bold**<b>x</b>", "en", t("nav.no_such_page", "en")),  # no page: what was typed is never shown
    ("my-work", "en", None),  # their own first page at its own address: nothing wrong
    ("x/kpis", "en", t("nav.no_such_page", "en")),  # a page's name under another path is no page
], ids=["zh", "en", "typed", "own", "nested"])
def test_a_link_the_sign_in_middleware_turned_away_is_explained_once(sign_in_as, refused, lang, told):
    """Restricted roles were sent to their first page without a word (ui.web_auth's `?refused=`)."""
    sign_in_as(Role.SPECIALIST)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.query_params["refused"] = refused
    at.run()
    assert not at.exception
    assert [w.value.replace("\\", "") for w in at.warning] == ([told] if told else [])
    assert "refused" not in at.query_params and at.title[0].value == t("nav.my_work", lang)
    at.run()
    assert not at.warning  # said once


def test_a_refused_parameter_typed_into_another_pages_link_is_dropped_unsaid(open_page):
    at = open_page("pages/account.py", "en", Role.SPECIALIST)
    at.query_params["refused"] = "kpis"
    at.run()
    assert not at.exception and not at.warning  # the page shown is not the first: nothing to explain
    assert at.title[0].value == t("nav.account", "en")


@pytest.mark.parametrize("role", list(Role))
def test_a_forbidden_page_is_not_in_the_roles_navigation(open_page, role):
    at = open_page("pages/my_work.py", "en", role)
    for name in sorted(set(PAGES) - set(pages_for(role))):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{name}.py")


@pytest.mark.parametrize(("page", "role"), [("kpis", Role.SPECIALIST), ("users", Role.MANAGER),
                                            ("customers", Role.ENGINEER), ("audit", Role.FINANCE),
                                            ("imports", Role.DIRECTOR)])  # C-1: the bulk change is the manager's
def test_a_page_script_run_around_the_navigation_stops_before_its_code(page, role, sign_in_as):
    sign_in_as(role)
    at = AppTest.from_file(str(Path(APP).parent / "pages" / f"{page}.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.error[0].value == t("error.forbidden", "en")
    assert len(at.title) == 0 and len(at.dataframe) == 0


def test_a_page_trusts_the_cookie_not_a_user_left_in_session_state(sign_in_as):
    sign_in_as(None)  # the session ended (signed out, idle, expired)
    at = AppTest.from_file(str(Path(APP).parent / "pages" / "customers.py"), default_timeout=60)
    at.session_state["_actor"] = Actor(1, "manager", "M", Role.MANAGER)
    at.run()
    assert at.error[0].value == t("error.forbidden", "en")
    assert len(at.dataframe) == 0


def _a_recheck(url: str, level: CallbackLevel) -> int:
    """A called re-check of this level in the demo office: its attempts are the re-check's results (CB-4)."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        found = s.scalar(select(Callback.id).where(Callback.level == level, Callback.attempts_count > 0)
                         .order_by(Callback.id).limit(1))
    engine.dispose()
    assert found is not None
    return found


def _open_by_url(sign_in_as, role: Role, page: str, record_id: int) -> AppTest:
    sign_in_as(role)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["id"] = str(record_id)  # a link, a bookmark or a typed URL: the record picker's ?id=
    return at.switch_page(f"pages/{page}.py").run()


@pytest.mark.parametrize("level", [CallbackLevel.L2, CallbackLevel.L3])
def test_a_specialist_opening_a_re_check_by_its_url_id_is_told_not_found_and_nothing_of_it(
        sign_in_as, demo_url, level):
    """Issue 9 "who sees what": ?id= of an L2/L3 re-check showed its calls (the results) to a specialist.
    Issue 10: an id the user may not see reads like one that does not exist: "not found", nothing else."""
    at = _open_by_url(sign_in_as, Role.SPECIALIST, "callbacks", _a_recheck(demo_url, level))
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [t("list.not_found", "en")]
    shown = [m.value for m in at.markdown]
    assert f"#### {t('cb.attempts', 'en')}" not in shown and f"#### {t('cb.customer_card', 'en')}" not in shown
    assert not at.subheader and not _history(at)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.DIRECTOR])
def test_the_re_checkers_open_a_re_check_by_its_url_id_with_its_calls_and_history(sign_in_as, demo_url, role):
    at = _open_by_url(sign_in_as, role, "callbacks", _a_recheck(demo_url, CallbackLevel.L2))
    assert not at.exception and not at.error
    assert f"#### {t('cb.attempts', 'en')}" in [m.value for m in at.markdown]
    assert len(_history(at)) == 1


def _history(at: AppTest) -> list:
    prefix = t("audit.history", "en", count=0).split("(")[0]
    return [e for e in at.expander if e.label.startswith(prefix)]


@pytest.mark.parametrize(("role", "shown"), [(Role.SPECIALIST, 0), (Role.MANAGER, 1), (Role.DIRECTOR, 1)])
def test_a_record_s_audit_history_is_drawn_only_for_the_roles_that_may_read_it(sign_in_as, demo_url, role, shown):
    """Issue 9: every record's audit history was open to a specialist (customers, complaints, work orders)."""
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        customer = s.scalar(select(Customer.id).order_by(Customer.id).limit(1))
    engine.dispose()
    at = _open_by_url(sign_in_as, role, "customers", customer)
    assert not at.exception and at.subheader
    assert len(_history(at)) == shown


@pytest.mark.parametrize(("role", "levels"), [(Role.SPECIALIST, ["L1"]), (Role.MANAGER, ["L1", "L2", "L3"])])
def test_the_level_filter_offers_only_the_levels_the_role_may_read(open_page, role, levels):
    """Issue 9, who sees what: a specialist is not offered L2/L3 re-checks to filter by (the list would be empty)."""
    at = open_page("pages/callbacks.py", "en", role)
    assert [str(o) for o in at.multiselect(key="level").options] == [
        t(f"enum.CallbackLevel.{lv}", "en") for lv in levels]
