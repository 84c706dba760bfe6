"""Issue 12 review: an engineer reads only the work orders assigned to them (list, record, customer's copy,
signature images); the other roles that read work orders read the office's. Another engineer's order reads
as an unknown one."""

from __future__ import annotations

import pytest

from core.errors import Forbidden
from core.office.settings import load_office
from core.work_orders import queries, services
from core.work_orders.copy import customer_copy
from core.work_orders.queries import WorkOrderFilter
from db.engine import session_scope
from db.enums import Role, SignatureKind, WorkOrderStatus
from tests.factories import make_account
from tests.work_orders import office_people, order_at

TZ = "Asia/Shanghai"


@pytest.fixture
def p(engine):
    return office_people(engine)


@pytest.fixture
def accepted(engine, p) -> int:
    """An order dispatched to p["engineer"], signed by the technician and the customer, and accepted."""
    return order_at(engine, p, WorkOrderStatus.ACCEPTED)


def listed(engine, actor) -> tuple[list[int], int]:
    page = queries.list_work_orders(engine, actor, WorkOrderFilter(), TZ, page_size=100)
    return [r["id"] for r in page.rows], page.total


def test_another_engineers_order_is_not_listed_nor_counted(engine, p, accepted):
    assert listed(engine, p["other_engineer"]) == ([], 0)
    ids, total = listed(engine, p["engineer"])
    assert accepted in ids and total == len(ids)
    assert accepted in listed(engine, p["manager"])[0] and accepted in listed(engine, p["finance"])[0]


def test_another_engineers_order_does_not_open(engine, p, accepted):
    assert queries.work_order_detail(engine, p["other_engineer"], accepted) is None
    assert queries.work_order_detail(engine, p["engineer"], accepted)["order"]["id"] == accepted
    assert queries.work_order_detail(engine, p["specialist"], accepted)["order"]["id"] == accepted


def test_another_engineers_copy_is_not_served(engine, p, accepted):
    office = load_office(engine)
    assert customer_copy(engine, p["other_engineer"], accepted, "en", office) is None
    assert customer_copy(engine, p["engineer"], accepted, "en", office).number


@pytest.mark.parametrize("kind", list(SignatureKind))
def test_another_engineers_signatures_are_not_served(engine, p, accepted, kind):
    assert services.signature_png(engine, p["other_engineer"], accepted, kind) is None
    assert services.signature_png(engine, p["engineer"], accepted, kind).startswith(b"\x89PNG")
    assert services.signature_png(engine, p["manager"], accepted, kind).startswith(b"\x89PNG")


def test_a_role_that_does_not_read_work_orders_reads_none(engine, p, accepted):
    with session_scope(engine) as s:
        admin = make_account(s, Role.ADMIN)
    for read in (lambda: listed(engine, admin), lambda: queries.work_order_detail(engine, admin, accepted),
                 lambda: services.signature_png(engine, admin, accepted, SignatureKind.CUSTOMER),
                 lambda: customer_copy(engine, admin, accepted, "en", load_office(engine))):
        with pytest.raises(Forbidden):
            read()
