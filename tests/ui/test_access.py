"""Access in the app itself: signed out shows only the sign-in prompt; each role's navigation holds the
pages the permission table allows; a forbidden page's URL lands on the default page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.permissions import PAGES, Actor, pages_for
from db.enums import Role
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


@pytest.mark.parametrize("role", list(Role))
def test_a_forbidden_page_is_not_in_the_roles_navigation(open_page, role):
    at = open_page("pages/my_work.py", "en", role)
    for name in sorted(set(PAGES) - set(pages_for(role))):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{name}.py")


@pytest.mark.parametrize(("page", "role"), [("kpis", Role.SPECIALIST), ("users", Role.MANAGER),
                                            ("customers", Role.ENGINEER), ("audit", Role.FINANCE)])
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
