"""A work order in a demo office, taken to a stage of WO-4 through the use cases by the demo's own people
(their accounts sign in with the demo password), for the record page's AppTests and browser tests."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from db.engine import make_engine, session_scope
from db.enums import Role, ServiceType
from db.models import User
from tests.factories import fresh_id, make_customer, make_product
from tests.work_orders import order_at

PARTIES = {"specialist": Role.SPECIALIST, "manager": Role.MANAGER, "engineer": Role.ENGINEER}


def demo_actor(engine, role: Role):
    """The demo office's account of `role`, as the use cases take it."""
    with session_scope(engine) as s:
        return actor_of(s.scalars(select(User).where(User.username == DEMO_ACCOUNTS[role])).one())


def demo_order_at(url: str, stage, service_type: ServiceType = ServiceType.WARRANTY) -> int:
    """A new customer's order taken in by the demo specialist, dispatched by the demo manager to the demo
    engineer and taken by them to `stage` (see tests.work_orders.order_at); returns its id."""
    engine = make_engine(url)
    people = {party: demo_actor(engine, role) for party, role in PARTIES.items()}
    with session_scope(engine) as s:
        customer = make_customer(s, id=fresh_id(), code=f"WO{fresh_id()}", name="Signature Pad Ltd")
        people |= {"customer": customer.id, "product": make_product(s, customer).id}
    order_id = order_at(engine, people, stage, service_type=service_type)
    engine.dispose()
    return order_id
