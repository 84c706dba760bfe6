"""Who sees what (issue 9, Security "who sees what"; CB-1, CB-4): every read function of core takes the actor
and, like the write use cases, refuses a role the permission table refuses (Forbidden) or returns only the
rows that role may read. The table below is every role × every read function that a role could otherwise
reach around its pages (a record's id in the URL): a specialist never reads an L2/L3 re-check or its calls
(the re-check's results), only the findings sent back to them; a record's audit history is for the manager,
the director and the admin; engineers, finance and admins read no callbacks or customers at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.audit import log as audit
from core.audit.queries import AuditFilter, list_audit, record_history
from core.callbacks.queries import CallbackFilter, callback_detail, list_callbacks, queue_counts
from core.complaints.queries import ComplaintFilter, complaint_detail, list_complaints
from core.customers.queries import CustomerFilter, customer_detail, list_customers
from core.errors import Forbidden
from core.incoming.queries import IncomingFilter, find_callers, incoming_detail, list_incoming
from core.leads.queries import LeadFilter, due_leads, lead_detail, list_leads
from core.rechecks.findings import open_tasks_for, send_finding, sent_tasks
from core.rechecks.queries import coverage
from core.work_orders.queries import WorkOrderFilter, list_work_orders, work_order_detail
from db.engine import session_scope
from db.enums import AuditAction, CallbackKind, CallbackLevel, CallbackStatus, Role, WorkOrderStatus
from tests.factories import (
    NOW,
    actor_of,
    fresh_id,
    make_attempt,
    make_callback,
    make_complaint,
    make_customer,
    make_user,
    make_work_order,
)

TZ = "Asia/Shanghai"
S, M, D, E, F, A = Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR, Role.ENGINEER, Role.FINANCE, Role.ADMIN
ALL_LEVELS = ["L1", "L2", "L3"]


@pytest.fixture
def office(engine) -> dict:
    """One user per role; a customer with an L1 callback the specialist worked, and an L2 and an L3 re-check
    of it, each called; an audit row on the L2 re-check and on the customer; and the manager's finding from
    the L2 re-check sent back to the specialist."""
    with session_scope(engine) as s:
        users = {role: make_user(s, role=role, display_name=f"The {role.value}") for role in Role}
        customer = make_customer(s, id=fresh_id(), specialist_id=users[S].id)  # a history of its own
        ids = {"customer": customer.id, "phone": customer.phone, "complaint": make_complaint(s, customer, users[S]).id,
               "work_order": make_work_order(s, customer, users[S], technician_id=users[E].id,  # the engineer's own
                                             status=WorkOrderStatus.DISPATCHED).id}
        for level, caller in ((CallbackLevel.L1, S), (CallbackLevel.L2, M), (CallbackLevel.L3, D)):
            kind = CallbackKind.NEW_CUSTOMER if level == CallbackLevel.L1 else CallbackKind.RECHECK
            cb = make_callback(s, customer, id=fresh_id(), kind=kind, level=level, assignee_id=users[caller].id,
                               status=CallbackStatus.OPEN)
            make_attempt(s, cb, users[caller], attempted_at=NOW)
            ids[level.value] = cb.id
        actors = {role: actor_of(u) for role, u in users.items()}
        audit.record(s, actors[M], "callback", ids["L2"], AuditAction.UPDATE, {"notes": ""}, {"notes": "rude"}, at=NOW)
        audit.record(s, actors[M], "customer", customer.id, AuditAction.UPDATE, {"city": ""}, {"city": "Wuxi"}, at=NOW)
    send_finding(engine, actors[M], ids["L2"], "Did not tell the customer when the next service is due.", NOW)
    return ids | {"actors": actors}


def _levels(rows) -> list[str]:
    return sorted({r["level"].value if hasattr(r["level"], "value") else r["level"] for r in rows})


Read = Callable[[object, object, dict], object]
# name → (the read, what each role allowed it gets; a role left out gets Forbidden)
READS: dict[str, tuple[Read, dict[Role, object]]] = {
    "callbacks listed": (
        lambda e, a, o: _levels(list_callbacks(e, a, CallbackFilter(), TZ, NOW).rows),
        {S: ["L1"], M: ALL_LEVELS, D: ALL_LEVELS}),
    "callbacks counted": (
        lambda e, a, o: queue_counts(e, a, CallbackFilter(), TZ, NOW)["later"],
        {S: 1, M: 3, D: 3}),
    "L1 callback opened by id": (
        lambda e, a, o: callback_detail(e, a, o["L1"], NOW)["callback"]["level"].value,
        {S: "L1", M: "L1", D: "L1"}),
    "L2 re-check opened by id": (
        lambda e, a, o: len(callback_detail(e, a, o["L2"], NOW)["attempts"]),
        {M: 1, D: 1}),
    "L3 re-check opened by id": (
        lambda e, a, o: len(callback_detail(e, a, o["L3"], NOW)["attempts"]),
        {M: 1, D: 1}),
    "a specialist's due leads": (
        lambda e, a, o: due_leads(e, a, o["actors"][S].id, NOW, TZ).total,
        {S: 0, M: 0, D: 0}),
    "every lead listed": (
        lambda e, a, o: list_leads(e, a, LeadFilter(), NOW, TZ).total,
        {S: 0, M: 0, D: 0}),
    "a lead opened by id": (
        lambda e, a, o: lead_detail(e, a, 1),
        {S: None, M: None, D: None}),
    "customers listed": (
        lambda e, a, o: list_customers(e, a, CustomerFilter(), TZ).total,
        {S: 1, M: 1, D: 1}),
    "customer opened by id, its callbacks": (
        lambda e, a, o: (_levels(customer_detail(e, a, o["customer"])["callbacks"].rows),
                         customer_detail(e, a, o["customer"])["callbacks"].total),
        {S: (["L1"], 1), M: (ALL_LEVELS, 3), D: (ALL_LEVELS, 3)}),
    "re-check coverage": (
        lambda e, a, o: sorted(coverage(e, a, "2026-W47")),
        {M: ["complained", "customers", "delivered"], D: ["complained", "customers", "delivered"]}),
    "history of an L2 re-check": (
        lambda e, a, o: len(record_history(e, a, "callback", o["L2"], "en", TZ)),
        {M: 1, D: 1, A: 1}),
    "history of a customer": (
        lambda e, a, o: len(record_history(e, a, "customer", o["customer"], "en", TZ)),
        {M: 1, D: 1, A: 1}),
    "history of a user (only with the whole log)": (
        lambda e, a, o: isinstance(record_history(e, a, "user", o["actors"][S].id, "en", TZ), list),
        {M: True, A: True}),  # what it holds depends on the shared append-only log: only who may read it
    "history of a setting (only with the whole log)": (
        lambda e, a, o: isinstance(record_history(e, a, "setting", "office.timezone", "en", TZ), list),
        {M: True, A: True}),
    "the whole audit log": (
        lambda e, a, o: list_audit(e, a, AuditFilter(entity="callback"), TZ).total >= 1,
        {M: True, A: True}),
    "complaints listed": (
        lambda e, a, o: list_complaints(e, a, ComplaintFilter(), TZ, NOW).total,
        {S: 1, M: 1, D: 1, E: 1}),
    "complaint opened by id": (
        lambda e, a, o: complaint_detail(e, a, o["complaint"], NOW)["complaint"]["id"] == o["complaint"],
        {S: True, M: True, D: True, E: True}),
    "work orders listed": (
        lambda e, a, o: list_work_orders(e, a, WorkOrderFilter(), TZ).total,
        {S: 1, M: 1, D: 1, E: 1, F: 1}),
    "work order opened by id: who its customer is, not the archive": (
        lambda e, a, o: sorted(work_order_detail(e, a, o["work_order"])["customer"]),
        dict.fromkeys((S, M, D, E, F), ["code", "id", "name"])),
    "whose number a phone number is": (
        lambda e, a, o: len(find_callers(e, a, o["phone"])),
        {S: 1, M: 1}),
    "the incoming-call register": (
        lambda e, a, o: list_incoming(e, a, IncomingFilter(), TZ).total,
        {S: 0, M: 0}),
    "an incoming call opened by id": (
        lambda e, a, o: incoming_detail(e, a, 1),
        {S: None, M: None}),
    "findings sent to me": (
        lambda e, a, o: open_tasks_for(e, a, NOW).total,
        {S: 1, M: 0, D: 0, E: 0, F: 0, A: 0}),
    "findings I sent": (
        lambda e, a, o: sent_tasks(e, a, NOW).total,
        {M: 1, D: 0}),
}
CASES = [pytest.param(name, role, id=f"{name}-{role.value}") for name in READS for role in Role]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_each_role_reads_only_what_the_permission_table_allows(engine, office, name, role):
    read, allowed_to = READS[name]
    who = office["actors"][role]
    if role in allowed_to:
        assert read(engine, who, office) == allowed_to[role]
    else:
        with pytest.raises(Forbidden):
            read(engine, who, office)


def test_a_specialist_never_reads_a_re_check_by_its_id_even_as_a_customer_s_own_specialist(engine, office):
    """The hole of issue 9: the re-check's id (the callbacks page's ?id=) opened its calls, the results."""
    specialist = office["actors"][S]
    for level in ("L2", "L3"):
        with pytest.raises(Forbidden):
            callback_detail(engine, specialist, office[level], NOW)
        with pytest.raises(Forbidden):
            record_history(engine, specialist, "callback", office[level], "en", TZ)
    assert open_tasks_for(engine, specialist, NOW).rows[0]["finding"].startswith("Did not tell")
