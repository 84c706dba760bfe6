"""Who may do what (DOMAIN "Who uses it"): specialists call and log, the manager re-checks and dispatches,
the director samples and reads KPIs, engineers repair, finance collects fees, an admin manages users and
settings. The expected matrix is written out here by hand, so an accidental edit of the table in
core/permissions.py fails a test instead of silently opening or closing a door."""

from __future__ import annotations

import pytest

from core.errors import Forbidden
from core.permissions import Action, Actor, allowed, pages_for, require
from db.enums import Role

EXPECTED_ACTIONS: dict[Role, set[str]] = {
    Role.SPECIALIST: {
        "view_my_work", "view_callbacks", "view_complaints", "view_work_orders", "view_customers",
        "edit_customer", "work_callback", "register_complaint", "create_work_order", "accept_work_order",
        "register_incoming_call", "change_own_password",
    },
    Role.MANAGER: {
        "view_my_work", "view_callbacks", "view_complaints", "view_work_orders", "view_customers", "view_kpis",
        "view_settings", "view_audit", "edit_customer", "work_callback", "reassign_callback", "plan_campaign",
        "recheck_l2", "view_rechecks", "view_history",
        "register_complaint", "handle_complaint", "create_work_order", "dispatch_work_order",
        "countersign_work_order", "accept_work_order", "special_approval", "send_finding",
        "register_incoming_call", "import_customers", "build_report",
        "change_own_password",
    },
    Role.DIRECTOR: {
        "view_my_work", "view_callbacks", "view_complaints", "view_work_orders", "view_customers", "view_kpis",
        "view_settings", "work_callback", "recheck_l3", "send_finding", "change_own_password",
        "view_rechecks", "view_history",
    },
    Role.ENGINEER: {"view_my_work", "view_complaints", "view_work_orders", "record_repair", "change_own_password"},
    Role.FINANCE: {"view_my_work", "view_work_orders", "settle_fee", "change_own_password"},
    Role.ADMIN: {
        "view_my_work", "view_settings", "view_audit", "edit_settings", "manage_users",
        "change_own_password", "view_history",
    },
}

EXPECTED_PAGES: dict[Role, list[str]] = {
    Role.SPECIALIST: ["my_work", "callbacks", "call", "leads", "incoming", "complaints", "work_orders", "customers",
                      "account"],
    Role.MANAGER: ["my_work", "callbacks", "call", "leads", "incoming", "complaints", "work_orders", "dispatch",
                   "customers", "imports", "kpis", "reports", "audit", "settings", "account"],
    Role.DIRECTOR: ["my_work", "callbacks", "call", "leads", "complaints", "work_orders", "customers", "kpis",
                    "reports", "settings", "account"],
    Role.ENGINEER: ["my_work", "complaints", "work_orders", "account"],
    Role.FINANCE: ["my_work", "work_orders", "finance", "account"],
    Role.ADMIN: ["my_work", "audit", "users", "settings", "account"],
}

ALL_ACTIONS = {
    "view_my_work", "view_callbacks", "view_complaints", "view_work_orders", "view_customers", "view_kpis",
    "view_settings", "view_audit", "edit_customer", "work_callback", "reassign_callback", "plan_campaign", "recheck_l2",
    "recheck_l3", "register_complaint", "handle_complaint", "create_work_order", "dispatch_work_order",
    "record_repair", "countersign_work_order", "accept_work_order", "special_approval", "settle_fee",
    "edit_settings",
    "manage_users", "change_own_password", "send_finding", "register_incoming_call", "view_rechecks", "view_history",
    "import_customers", "build_report",
}


def actor(role: Role) -> Actor:
    return Actor(1, "someone", "Some One", role)


def test_the_expected_matrix_covers_every_role_and_every_action():
    assert set(EXPECTED_ACTIONS) == set(Role) == set(EXPECTED_PAGES)
    assert {a.value for a in Action} == ALL_ACTIONS


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_allowed_exactly_the_actions_of_its_job(role):
    assert {a.value for a in Action if allowed(role, a)} == EXPECTED_ACTIONS[role]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_the_pages_of_its_job_in_menu_order(role):
    assert pages_for(role) == EXPECTED_PAGES[role]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_starts_on_my_work_and_can_change_its_own_password(role):
    assert pages_for(role)[0] == "my_work"
    assert "account" in pages_for(role)


def test_only_the_admin_manages_users_and_edits_settings():
    for action in (Action.MANAGE_USERS, Action.EDIT_SETTINGS):
        assert {r for r in Role if allowed(r, action)} == {Role.ADMIN}


def test_each_rechecks_level_belongs_to_its_own_role_and_repairs_and_fees_to_theirs():
    assert {r for r in Role if allowed(r, Action.RECHECK_L2)} == {Role.MANAGER}
    assert {r for r in Role if allowed(r, Action.RECHECK_L3)} == {Role.DIRECTOR}
    assert {r for r in Role if allowed(r, Action.RECORD_REPAIR)} == {Role.ENGINEER}
    assert {r for r in Role if allowed(r, Action.SETTLE_FEE)} == {Role.FINANCE}
    assert {r for r in Role if allowed(r, Action.DISPATCH_WORK_ORDER)} == {Role.MANAGER}


def test_only_the_manager_imports_customers_a_bulk_change_to_the_archive():
    """C-1: an import writes thousands of records at once; the manager answers for the archive."""
    assert {r for r in Role if allowed(r, Action.IMPORT_CUSTOMERS)} == {Role.MANAGER}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_require_returns_the_actor_when_allowed_and_raises_forbidden_otherwise(role, action):
    who = actor(role)
    if action.value in EXPECTED_ACTIONS[role]:
        assert require(who, action) is who
    else:
        with pytest.raises(Forbidden) as err:
            require(who, action)
        assert err.value.key == "error.forbidden"
        assert err.value.params == {"action": action.value}


@pytest.mark.parametrize("action", list(Action))
def test_require_refuses_nobody_signed_in_even_for_what_everyone_may_do(action):
    with pytest.raises(Forbidden):
        require(None, action)


def test_re_check_results_and_record_histories_are_read_by_whom_the_table_says_not_by_specialists():
    """Issue 9 "who sees what": the re-checkers read L2 and L3 (CB-1, CB-4), a specialist only the findings
    sent to them; a record's audit history is for the manager, the director and the admin."""
    assert {r for r in Role if allowed(r, Action.VIEW_RECHECKS)} == {Role.MANAGER, Role.DIRECTOR}
    assert {r for r in Role if allowed(r, Action.VIEW_HISTORY)} == {Role.MANAGER, Role.DIRECTOR, Role.ADMIN}
    assert {r for r in Role if allowed(r, Action.VIEW_AUDIT)} <= {r for r in Role if allowed(r, Action.VIEW_HISTORY)}


def test_require_refuses_a_specialist_who_tries_to_manage_users():
    with pytest.raises(Forbidden):
        require(actor(Role.SPECIALIST), Action.MANAGE_USERS)
