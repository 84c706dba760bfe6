"""Small factories for tests: each makes one valid row with sensible defaults; pass overrides."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.accounts.passwords import hash_password
from core.accounts.sessions import actor_of
from core.customers.search import reindex
from core.permissions import Actor
from db.engine import session_scope
from db.enums import (
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CallOutcome,
    Channel,
    ComplaintChannel,
    ComplaintStatus,
    CustomerGrade,
    LeadClass,
    LeadResult,
    Role,
    ServiceType,
    WorkOrderStatus,
)
from db.models import (
    CallAttempt,
    Callback,
    Complaint,
    ComplaintEvent,
    Contact,
    Customer,
    Lead,
    LeadContact,
    Product,
    User,
    WorkOrder,
    WorkOrderEvent,
)

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
_seq = itertools.count(1)


def _add(session: Session, obj):
    session.add(obj)
    session.flush()
    return obj


def make_user(session: Session, **kw) -> User:
    n = next(_seq)
    return _add(session, User(**{"username": f"user{n}", "display_name": f"User {n}", "role": Role.SPECIALIST} | kw))


def make_customer(session: Session, **kw) -> Customer:
    n = next(_seq)
    defaults = {"code": f"C{n:07d}", "name": f"Customer {n}", "phone": f"138{n:08d}", "grade": CustomerGrade.NORMAL}
    return _indexed(session, _add(session, Customer(**defaults | kw)))


def make_contact(session: Session, customer: Customer, **kw) -> Contact:
    n = next(_seq)
    return _indexed(session, _add(session, Contact(**{"customer_id": customer.id, "name": f"Contact {n}"} | kw)))


def _indexed(session: Session, obj):
    """The search terms follow every write of a customer, contact or product (C-1), as core's writes do."""
    reindex(session, [obj.id if isinstance(obj, Customer) else obj.customer_id])
    return obj


def make_product(session: Session, customer: Customer, **kw) -> Product:
    n = next(_seq)
    defaults = {"customer_id": customer.id, "order_no": f"SO{n:08d}", "model": "X1", "purchase_date": date(2026, 6, 1),
                "effective_date": date(2026, 6, 2), "delivery_date": date(2026, 6, 10)}
    return _indexed(session, _add(session, Product(**defaults | kw)))


def make_work_order(session: Session, customer: Customer, intake_by: User, **kw) -> WorkOrder:
    n = next(_seq)
    defaults = {"number": f"WO{n:09d}", "customer_id": customer.id, "contact_name": customer.name,
                "phone": customer.phone, "address": "1 Road", "request": "Fix the pump", "intake_by_id": intake_by.id,
                "intake_at": NOW, "service_type": ServiceType.WARRANTY, "status": WorkOrderStatus.NEW}
    return _add(session, WorkOrder(**defaults | kw))


def make_work_order_event(session: Session, wo: WorkOrder, user: User, **kw) -> WorkOrderEvent:
    defaults = {"work_order_id": wo.id, "user_id": user.id, "at": NOW, "to_status": wo.status}
    return _add(session, WorkOrderEvent(**defaults | kw))


def make_complaint(session: Session, customer: Customer, received_by: User, **kw) -> Complaint:
    n = next(_seq)
    defaults = {"number": f"CP{n:09d}", "customer_id": customer.id, "channel": ComplaintChannel.PHONE,
                "description": "Noisy", "received_by_id": received_by.id, "received_at": NOW,
                "status": ComplaintStatus.RECEIVED, "reply_deadline": NOW + timedelta(days=3)}
    return _add(session, Complaint(**defaults | kw))


def make_complaint_event(session: Session, complaint: Complaint, user: User, **kw) -> ComplaintEvent:
    defaults = {"complaint_id": complaint.id, "user_id": user.id, "at": NOW, "to_status": complaint.status}
    return _add(session, ComplaintEvent(**defaults | kw))


def make_callback(session: Session, customer: Customer, **kw) -> Callback:
    defaults = {"customer_id": customer.id, "kind": CallbackKind.NEW_CUSTOMER, "level": CallbackLevel.L1,
                "status": CallbackStatus.OPEN, "due_start": NOW, "due_end": NOW + timedelta(days=7)}
    return _add(session, Callback(**defaults | kw))


def make_attempt(session: Session, callback: Callback, caller: User, **kw) -> CallAttempt:
    defaults = {"callback_id": callback.id, "caller_id": caller.id, "attempted_at": NOW, "channel": Channel.PHONE,
                "outcome": CallOutcome.REACHED}
    return _add(session, CallAttempt(**defaults | kw))


def make_lead(session: Session, **kw) -> Lead:
    n = next(_seq)
    defaults = {"name": f"Lead {n}", "phone": f"139{n:08d}", "lead_class": LeadClass.B, "next_follow_up": NOW}
    return _add(session, Lead(**defaults | kw))


def make_lead_contact(session: Session, lead: Lead, user: User, **kw) -> LeadContact:
    defaults = {"lead_id": lead.id, "user_id": user.id, "contacted_at": NOW, "channel": Channel.PHONE,
                "result": LeadResult.TALKED}
    return _add(session, LeadContact(**defaults | kw))


def utc(*args) -> datetime:
    """A UTC instant, e.g. utc(2026, 11, 20, 6): the tests' pinned clocks are written with it."""
    return datetime(*args, tzinfo=UTC)


# Accounts with a known password (hashed once per run), and record ids no other test uses (SQLite reuses
# ids after the per-test cleanup, the append-only audit log does not forget them).
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)  # ~50-150 ms: once per test run
_ids = itertools.count(700_000_001)


def fresh_id() -> int:
    """A primary key never used before in this run, so a record's audit history is only this test's."""
    return next(_ids)


def make_account(session, role: Role = Role.SPECIALIST, **kw) -> Actor:
    """A user who can sign in with PASSWORD, returned as the Actor the use cases take."""
    return actor_of(make_user(session, role=role, password_hash=PASSWORD_HASH, **kw))


def make_fresh_customer(engine: Engine, **kw) -> tuple[int, int]:
    """A customer with an id of its own; returns (id, version)."""
    with session_scope(engine) as s:
        c = make_customer(s, id=fresh_id(), **kw)
        return c.id, c.version


def reader(role: Role = Role.MANAGER) -> Actor:
    """Someone on the read side, where only the role counts: by default the manager, who reads every record."""
    return Actor(0, "reader", "Reader", role)
