"""Finance's week (WO-8) on SQLite and PostgreSQL: signing a week off settles exactly that week's accepted
paid orders and is refused, with nothing written, when it was signed already (naming who), when an order
lacks its invoice number (naming it), for a week not begun or not starting on a Monday; a signed week
refuses invoice edits. The clock is pinned: the orders are accepted in the week of tests.factories.NOW (Friday 20
November 2026 in Shanghai), which is signed off on the Monday after (SIGN_AT)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import DomainError, Forbidden, Invalid
from core.office.settings import load_office
from core.work_orders import finance
from db.engine import session_scope
from db.enums import Role, ServiceType, WorkOrderStatus
from db.models import FinanceBatch, WorkOrder
from tests.factories import NOW, make_account, make_customer, make_work_order, utc

TZ = "Asia/Shanghai"
WEEK = date(2026, 11, 16)  # the Monday of NOW's office week
SIGN_AT = utc(2026, 11, 23, 2)  # Monday 10:00 in Shanghai, the week after
W = WorkOrderStatus


@pytest.fixture
def office(engine):
    with session_scope(engine) as s:
        customer = make_customer(s, name="Acme Pumps")
        desk = make_account(s, Role.SPECIALIST)
        people = {"finance": make_account(s, Role.FINANCE, display_name="Fay Finance"),
                  "other": make_account(s, Role.FINANCE, display_name="Otto Other"),
                  "manager": make_account(s, Role.MANAGER)}

        def order(**kw) -> int:
            defaults = {"service_type": ServiceType.PAID, "status": W.ACCEPTED, "accepted_at": utc(2026, 11, 17, 3),
                        "fee_cents": 12_000, "invoice_no": "INV-1"}
            return make_work_order(s, customer, desk, **defaults | kw).id

        ids = {"in_week": order(number="WO-A", fee_collected_on_site=True),
               "in_week_2": order(number="WO-B", accepted_at=utc(2026, 11, 19, 9), fee_cents=30_000),
               "last_week": order(number="WO-C", accepted_at=utc(2026, 11, 15, 15)),  # Sunday 23:00 in Shanghai
               "week_edge": order(number="WO-D", accepted_at=utc(2026, 11, 15, 16, 30)),  # Monday 00:30 there
               "free": order(number="WO-E", service_type=ServiceType.WARRANTY, fee_cents=None, invoice_no=None),
               "completed": order(number="WO-F", status=W.COMPLETED, accepted_at=None)}
    return people | {"ids": ids, "office": load_office(engine)}


def _statuses(engine) -> dict[str, W]:
    with session_scope(engine) as s:
        return dict(s.execute(select(WorkOrder.number, WorkOrder.status)).all())


def test_signing_a_week_off_settles_exactly_its_accepted_paid_orders(engine, office):
    assert finance.sign_week(engine, office["finance"], WEEK, office["office"], SIGN_AT) == 3
    statuses = _statuses(engine)
    assert statuses["WO-A"] == statuses["WO-B"] == statuses["WO-D"] == W.SETTLED
    assert [statuses[n] for n in ("WO-C", "WO-E", "WO-F")] == [W.ACCEPTED, W.ACCEPTED, W.COMPLETED]
    week = finance.week_orders(engine, office["finance"], WEEK, TZ)
    assert [r["number"] for r in week["rows"]] == ["WO-A", "WO-B", "WO-D"]
    assert (week["signed_by"], week["signed_at"]) == ("Fay Finance", SIGN_AT)
    assert (week["total_cents"], week["on_site_cents"], week["to_invoice_cents"]) == (54_000, 12_000, 42_000)
    with session_scope(engine) as s:
        batch_id = s.scalar(select(FinanceBatch.id).where(FinanceBatch.week_start == WEEK))
        assert s.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.finance_batch_id == batch_id)) == 3


def test_a_second_sign_off_is_refused_naming_who_signed(engine, office):
    finance.sign_week(engine, office["finance"], WEEK, office["office"], SIGN_AT)
    with pytest.raises(DomainError) as refused:
        finance.sign_week(engine, office["other"], WEEK, office["office"], SIGN_AT + timedelta(hours=1))
    assert refused.value.key == "wo.week.already_signed"
    assert refused.value.params == {"who": "Fay Finance", "when": SIGN_AT}


@pytest.mark.parametrize("batch_made", [False, True], ids=["first-batch-row", "batch-row-exists"])
def test_two_sign_offs_at_once_one_wins_and_the_other_is_told_who_signed(engine, office, batch_made):
    """Two finance users sign the same week off at the same moment, several weeks in a row: the batch row is
    taken by a write first, so the second waits, then is refused naming the first (never a lock error)."""
    signers = {"Fay Finance": office["finance"], "Otto Other": office["other"]}
    for r in range(1, 6):
        week = WEEK - timedelta(weeks=r + 1)
        with session_scope(engine) as s:
            desk = make_account(s, Role.SPECIALIST)
            make_work_order(s, make_customer(s), desk, number=f"WO-R{r}", service_type=ServiceType.PAID,
                            status=W.ACCEPTED, accepted_at=utc(week.year, week.month, week.day, 4),
                            fee_cents=100, invoice_no="INV-R")
            if batch_made:
                s.add(FinanceBatch(week_start=week))
        barrier, results = threading.Barrier(2, timeout=60), {}

        def sign(name, barrier=barrier, results=results, week=week) -> None:
            barrier.wait()
            try:
                results[name] = finance.sign_week(engine, signers[name], week, office["office"], SIGN_AT)
            except Exception as e:  # noqa: BLE001 - checked below
                results[name] = e

        threads = [threading.Thread(target=sign, args=(name,)) for name in signers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        winners = [name for name, res in results.items() if res == 1]
        assert len(winners) == 1, (r, results)
        loser = next(res for name, res in results.items() if name not in winners)
        assert isinstance(loser, DomainError) and loser.key == "wo.week.already_signed", (r, results)
        assert loser.params["who"] == winners[0]
        assert _statuses(engine)[f"WO-R{r}"] == W.SETTLED


def test_a_week_with_orders_lacking_an_invoice_is_refused_listing_them_and_nothing_is_settled(engine, office):
    with session_scope(engine) as s:
        s.execute(WorkOrder.__table__.update().where(WorkOrder.number.in_(["WO-A", "WO-D"])).values(invoice_no=None))
    with pytest.raises(DomainError) as refused:
        finance.sign_week(engine, office["finance"], WEEK, office["office"], SIGN_AT)
    assert (refused.value.key, refused.value.params) == ("wo.week.missing_invoice", {"numbers": "WO-A, WO-D"})
    assert _statuses(engine)["WO-A"] == W.ACCEPTED
    assert finance.week_orders(engine, office["finance"], WEEK, TZ)["signed_at"] is None


def test_a_signed_week_refuses_invoice_edits(engine, office):
    finance.sign_week(engine, office["finance"], WEEK, office["office"], SIGN_AT)
    order_id = office["ids"]["in_week"]
    with session_scope(engine) as s:
        version = s.get(WorkOrder, order_id).version
    with pytest.raises(DomainError) as refused:
        finance.set_invoice(engine, office["finance"], order_id, version, "INV-9", SIGN_AT)
    assert refused.value.key == "wo.week.signed"
    with session_scope(engine) as s:
        assert s.get(WorkOrder, order_id).invoice_no == "INV-1"


def test_an_open_week_takes_an_invoice_number_and_refuses_a_blank_one(engine, office):
    order_id = office["ids"]["last_week"]
    with session_scope(engine) as s:
        version = s.get(WorkOrder, order_id).version
    with pytest.raises(Invalid) as blank:
        finance.set_invoice(engine, office["finance"], order_id, version, "  ", NOW)
    assert blank.value.key == "wo.finance.invoice_required"
    assert finance.set_invoice(engine, office["finance"], order_id, version, "INV-77", NOW) == version + 1
    with session_scope(engine) as s:
        assert s.get(WorkOrder, order_id).invoice_no == "INV-77"


@pytest.mark.parametrize(("week", "key"), [
    pytest.param(WEEK + timedelta(days=14), "wo.week.not_over", id="future"),
    pytest.param(WEEK + timedelta(days=7), "wo.week.not_over", id="this-week"),
    pytest.param(WEEK + timedelta(days=1), "wo.week.not_monday", id="tuesday"),
    pytest.param(WEEK - timedelta(days=14), "wo.week.nothing_to_sign", id="empty"),
])
def test_a_week_not_to_sign_is_refused_and_nothing_is_written(engine, office, week, key):
    with pytest.raises(DomainError) as refused:
        finance.sign_week(engine, office["finance"], week, office["office"], SIGN_AT)
    assert refused.value.key == key
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(FinanceBatch).where(FinanceBatch.signed_at.is_not(None))) == 0


def test_only_finance_signs_a_week_off(engine, office):
    with pytest.raises(Forbidden):
        finance.sign_week(engine, office["manager"], WEEK, office["office"], SIGN_AT)


def test_the_week_select_offers_this_week_and_the_weeks_with_paid_orders(engine, office):
    weeks = finance.paid_weeks(engine, office["finance"], NOW, TZ)
    assert weeks == [WEEK, WEEK - timedelta(days=7)]
    assert finance.weeks_to_sign(engine, office["finance"], SIGN_AT, TZ) == [WEEK - timedelta(days=7), WEEK]


def test_the_weeks_to_sign_leave_out_the_running_week_which_cannot_be_signed_yet(engine, office):
    """Issue 12 review: finance's My work lists only weeks that are over; this week comes once it has ended."""
    assert finance.weeks_to_sign(engine, office["finance"], NOW, TZ) == [WEEK - timedelta(days=7)]


def test_a_week_signed_off_long_ago_is_still_offered(engine, office):
    """Issue 12 tour: only recent weeks were offered, so an old signed week could not be opened again."""
    old = WEEK - timedelta(weeks=finance.WEEKS_LISTED + 10)
    with session_scope(engine) as s:
        s.add(FinanceBatch(week_start=old, signed_by_id=office["finance"].id, signed_at=NOW - timedelta(weeks=30)))
    assert old in finance.paid_weeks(engine, office["finance"], NOW, TZ)
