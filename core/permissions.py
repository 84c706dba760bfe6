"""Who may do what: one table of actions and the roles allowed each, one gate. Every use case calls
`require` before it writes, and every read function that lists or opens records takes the actor and
requires its view action (or filters its rows by it, as the callbacks' levels) before it reads, whatever
the page showed or the URL asked for (the KPI figures, counts rather than records, are gated by their
page); navigation reads the same table (DOMAIN "Who uses it": specialists call and log, the manager
re-checks and dispatches, the director samples and reads KPIs, engineers repair, finance collects fees,
an admin manages users and settings)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import Forbidden
from db.enums import Role

S, M, D, E, F, A = Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR, Role.ENGINEER, Role.FINANCE, Role.ADMIN
EVERYONE = frozenset(Role)


class Action(StrEnum):
    VIEW_MY_WORK = "view_my_work"
    VIEW_CALLBACKS = "view_callbacks"
    VIEW_COMPLAINTS = "view_complaints"
    VIEW_WORK_ORDERS = "view_work_orders"
    VIEW_CUSTOMERS = "view_customers"
    VIEW_KPIS = "view_kpis"
    VIEW_SETTINGS = "view_settings"
    VIEW_AUDIT = "view_audit"
    VIEW_RECHECKS = "view_rechecks"
    VIEW_HISTORY = "view_history"
    EDIT_CUSTOMER = "edit_customer"
    WORK_CALLBACK = "work_callback"
    REASSIGN_CALLBACK = "reassign_callback"
    PLAN_CAMPAIGN = "plan_campaign"
    RECHECK_L2 = "recheck_l2"
    RECHECK_L3 = "recheck_l3"
    SEND_FINDING = "send_finding"
    REGISTER_INCOMING_CALL = "register_incoming_call"
    REGISTER_COMPLAINT = "register_complaint"
    HANDLE_COMPLAINT = "handle_complaint"
    CREATE_WORK_ORDER = "create_work_order"
    DISPATCH_WORK_ORDER = "dispatch_work_order"
    RECORD_REPAIR = "record_repair"
    COUNTERSIGN_WORK_ORDER = "countersign_work_order"
    ACCEPT_WORK_ORDER = "accept_work_order"
    SPECIAL_APPROVAL = "special_approval"
    SETTLE_FEE = "settle_fee"
    IMPORT_CUSTOMERS = "import_customers"
    BUILD_REPORT = "build_report"
    EDIT_SETTINGS = "edit_settings"
    MANAGE_USERS = "manage_users"
    CHANGE_OWN_PASSWORD = "change_own_password"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_MY_WORK: EVERYONE,
    Action.VIEW_CALLBACKS: frozenset({S, M, D}),
    Action.VIEW_COMPLAINTS: frozenset({S, M, D, E}),
    Action.VIEW_WORK_ORDERS: frozenset({S, M, D, E, F}),
    Action.VIEW_CUSTOMERS: frozenset({S, M, D}),
    Action.VIEW_KPIS: frozenset({M, D}),
    Action.VIEW_SETTINGS: frozenset({M, D, A}),
    Action.VIEW_AUDIT: frozenset({M, A}),  # the whole log: sign-ins, users, settings, every record
    # CB-1, CB-4: the L2 and L3 re-check callbacks, their calls (the results) and the sample coverage. The
    # re-checkers read both levels: the director oversees the manager's L2; the manager acts on what L3
    # finds and already reads the whole audit log, which records every re-check call, so hiding L3 from
    # them in one place would be pretence. A specialist reads only the findings sent to them (My work).
    Action.VIEW_RECHECKS: frozenset({M, D}),
    # One record's audit history (who changed what, when): those who answer for the records. The director
    # is refused the whole log (sign-ins, users) but not who changed the record in front of them.
    Action.VIEW_HISTORY: frozenset({M, D, A}),
    Action.EDIT_CUSTOMER: frozenset({S, M}),
    Action.WORK_CALLBACK: frozenset({S, M, D}),
    Action.REASSIGN_CALLBACK: frozenset({M}),
    Action.PLAN_CAMPAIGN: frozenset({M}),
    Action.RECHECK_L2: frozenset({M}),
    Action.RECHECK_L3: frozenset({D}),
    Action.SEND_FINDING: frozenset({M, D}),  # CB-4: the re-checkers send findings back
    Action.REGISTER_INCOMING_CALL: frozenset({S, M}),  # CB-11: whoever answers the office phone
    Action.REGISTER_COMPLAINT: frozenset({S, M}),
    Action.HANDLE_COMPLAINT: frozenset({M}),
    Action.CREATE_WORK_ORDER: frozenset({S, M}),
    Action.DISPATCH_WORK_ORDER: frozenset({M}),
    Action.RECORD_REPAIR: frozenset({E}),
    Action.COUNTERSIGN_WORK_ORDER: frozenset({M}),  # WO-6: the department manager countersigns
    Action.ACCEPT_WORK_ORDER: frozenset({S, M}),
    Action.SPECIAL_APPROVAL: frozenset({M}),
    Action.SETTLE_FEE: frozenset({F}),
    Action.IMPORT_CUSTOMERS: frozenset({M}),  # C-1: a bulk change to the archive, the manager's
    Action.BUILD_REPORT: frozenset({M}),  # issue 14: the weekly report built now rather than on Monday morning
    Action.EDIT_SETTINGS: frozenset({A}),
    Action.MANAGE_USERS: frozenset({A}),
    Action.CHANGE_OWN_PASSWORD: EVERYONE,
}

# Who may export which list (issue 13): every row the list's filters select, as a file that leaves the app, so
# narrower than reading it. Each role only among those who read the list (its page's action); the specialist
# reads but does not export the archive, the callbacks or the complaints; finance exports the finance week
# (WO-8) and no other list; the admin the users and the audit log they keep; the director everything they
# read but the incoming register, which is not theirs to read. core.export.services.require_export is the gate.
EXPORTS: dict[str, frozenset[Role]] = {
    "callbacks": frozenset({M, D}),
    "incoming": frozenset({M}),
    "leads": frozenset({M, D}),
    "complaints": frozenset({M, D}),
    "complaint_log": frozenset({M, D}),  # CP-4
    "work_orders": frozenset({M, D}),
    "finance_week": frozenset({F}),  # WO-8
    "customers": frozenset({M, D}),
    "audit": frozenset({M, A}),
    "users": frozenset({A}),
    "kpis": frozenset({M, D}),  # each chart's data
}

# The page files and the action that opens each; the first is every role's default page.
PAGES: dict[str, Action] = {
    "my_work": Action.VIEW_MY_WORK,
    "callbacks": Action.VIEW_CALLBACKS,
    "call": Action.WORK_CALLBACK,
    "leads": Action.WORK_CALLBACK,
    "incoming": Action.REGISTER_INCOMING_CALL,
    "complaints": Action.VIEW_COMPLAINTS,
    "work_orders": Action.VIEW_WORK_ORDERS,
    "dispatch": Action.DISPATCH_WORK_ORDER,
    "finance": Action.SETTLE_FEE,
    "customers": Action.VIEW_CUSTOMERS,
    "imports": Action.IMPORT_CUSTOMERS,
    "kpis": Action.VIEW_KPIS,
    "reports": Action.VIEW_KPIS,  # issue 14: the weekly office reports
    "audit": Action.VIEW_AUDIT,
    "users": Action.MANAGE_USERS,
    "settings": Action.VIEW_SETTINGS,
    "account": Action.CHANGE_OWN_PASSWORD,
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user as use cases see them."""

    id: int
    username: str
    display_name: str
    role: Role
    quality: bool = False  # CP-2: acts for the quality department (verifies complaints)


def allowed(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def require(actor: Actor | None, action: Action) -> Actor:
    if actor is None or not allowed(actor.role, action):
        raise Forbidden(action=action.value)
    return actor


def may_export(role: Role, listing: str) -> bool:
    return role in EXPORTS.get(listing, frozenset())


def pages_for(role: Role) -> list[str]:
    return [page for page, action in PAGES.items() if allowed(role, action)]
