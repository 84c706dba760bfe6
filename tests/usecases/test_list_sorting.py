"""Issue 10: every list sorts its whole filtered set in SQL, by an allowed column only, the id breaking ties."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.accounts import queries as accounts
from core.audit import queries as audit
from core.callbacks import queries as callbacks
from core.complaints import queries as complaints
from core.customers import queries as customers
from core.lists import sort_of
from core.work_orders import queries as work_orders
from db.engine import session_scope
from db.enums import WorkOrderStatus
from tests.factories import NOW, make_callback, make_complaint, make_customer, make_user, make_work_order, reader

TZ = "Asia/Shanghai"

LISTS = {
    "callbacks": (callbacks.SORTS, lambda e, n, size, sort: callbacks.list_callbacks(
        e, reader(), callbacks.CallbackFilter(), TZ, NOW, n, size, sort)),
    "work_orders": (work_orders.SORTS, lambda e, n, size, sort: work_orders.list_work_orders(
        e, reader(), work_orders.WorkOrderFilter(), TZ, n, size, sort)),
    "complaints": (complaints.SORTS, lambda e, n, size, sort: complaints.list_complaints(
        e, reader(), complaints.ComplaintFilter(), TZ, NOW, n, size, sort)),
    "customers": (customers.SORTS, lambda e, n, size, sort: customers.list_customers(
        e, reader(), customers.CustomerFilter(), TZ, n, size, sort)),
    "audit": (audit.SORTS, lambda e, n, size, sort: audit.list_audit(e, reader(), audit.AuditFilter(), TZ, n, size,
                                                                      sort)),
}


def _office(engine) -> None:
    with session_scope(engine) as s:
        clerk = make_user(s)
        for i, status in enumerate([WorkOrderStatus.COMPLETED, WorkOrderStatus.NEW, WorkOrderStatus.DISPATCHED] * 2):
            c = make_customer(s, name=f"Customer {'BCA'[i % 3]}{i}")
            make_work_order(s, c, clerk, status=status, intake_at=NOW - timedelta(hours=i))
            make_complaint(s, c, clerk, received_at=NOW - timedelta(hours=i))
            make_callback(s, c, due_end=NOW + timedelta(hours=i % 2))


def _all_pages(fetch, engine, size: int, sort: str | None) -> list[int]:
    pages = fetch(engine, 1, size, sort).pages
    return [r["id"] for n in range(1, pages + 1) for r in fetch(engine, n, size, sort).rows]


@pytest.mark.parametrize("name", list(LISTS))
def test_every_allowed_sort_pages_through_the_whole_list_in_one_order(engine, name):
    """Up and down, by every allowed column: small pages joined are the one sorted list, each row once."""
    _office(engine)
    sorts, fetch = LISTS[name]
    everything = sorted(_all_pages(fetch, engine, 100, None))
    for column in sorts:
        for sort in (column, f"-{column}"):
            whole = _all_pages(fetch, engine, 100, sort)
            assert sorted(whole) == everything, sort
            assert _all_pages(fetch, engine, 3, sort) == whole, sort


def test_work_orders_sort_by_status_in_the_flow_s_order_not_alphabetically(engine):
    _office(engine)
    rows = work_orders.list_work_orders(engine, reader(), work_orders.WorkOrderFilter(), TZ, 1, 25, "status").rows
    order = list(WorkOrderStatus)
    ranks = [order.index(WorkOrderStatus(r["status"])) for r in rows]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


def test_the_user_list_sorts_in_sql_and_opens_one_user(engine, admin):
    with session_scope(engine) as s:
        make_user(s, display_name="Zoe"), make_user(s, display_name="Amy")
    names = [r["display_name"] for r in accounts.users_page(engine, admin, 1, 25, "display_name").rows]
    assert names == sorted(names)
    first = accounts.users_page(engine, admin, 1, 25, "-display_name").rows[0]
    assert first["display_name"] == names[-1]
    assert accounts.user_detail(engine, admin, first["id"])["display_name"] == first["display_name"]
    assert accounts.user_detail(engine, admin, 999_999_999) is None
    assert "password_hash" not in first


@pytest.mark.parametrize(("sort", "expected"), [
    ("name", ("name", False)), ("-name", ("name", True)), ("", None), (None, None), ("-", None),
    ("--name", None), ("name desc", None), ("id; DROP TABLE users", None), ("secret", None),
])
def test_a_sort_key_is_an_allowed_column_name_up_or_down_or_nothing(sort, expected):
    assert sort_of(sort, {"name": object()}) == expected
