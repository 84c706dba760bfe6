"""Returned goods (CP-3) through the use case, on SQLite and PostgreSQL: a small return is inspected in full
and a batch by sample (the setting `complaint.full_inspection_max`), goods are isolated and labelled before
inspection, defects never exceed what was inspected, an accepted remedy names the remedy, only a return
complaint records goods, a stale version is refused, and a refusal writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.complaints import services
from core.complaints.goods import ReturnedGoods, full_inspection, record_goods
from core.complaints.rules import NewComplaint
from core.errors import DomainError, FieldErrors, Forbidden, Invalid, StaleEdit
from core.lists import as_dict
from core.office.settings import load_office
from db.engine import session_scope
from db.enums import ComplaintChannel, Remedy, Role
from db.models import AuditEntry, Complaint, ComplaintEvent
from tests.factories import NOW, make_account, make_customer, make_product


@pytest.fixture
def office(engine):
    with session_scope(engine) as s:
        customer = make_customer(s)
        product = make_product(s, customer)
        people = {"specialist": make_account(s, Role.SPECIALIST), "manager": make_account(s, Role.MANAGER)}
    return {"customer": customer.id, "product": product.id, "settings": load_office(engine), **people}


def take_in(engine, o, channel=ComplaintChannel.RETURN) -> int:
    data = NewComplaint(customer_id=o["customer"], product_id=o["product"], channel=channel,
                        description="Twelve units returned with cracked housings")
    return services.take_in(engine, o["specialist"], data, o["settings"], NOW)["id"]


def state(engine, cid: int) -> dict:
    with session_scope(engine) as s:
        events = s.scalar(select(func.count()).select_from(ComplaintEvent).where(ComplaintEvent.complaint_id == cid))
        audits = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "complaint",
                                                                            AuditEntry.entity_id == str(cid)))
        return {"cp": as_dict(s.get(Complaint, cid)), "events": events, "audits": audits}


def record(engine, o, cid, goods: ReturnedGoods, version: int | None = None) -> int:
    version = state(engine, cid)["cp"]["version"] if version is None else version
    return record_goods(engine, o["manager"], cid, version, goods, o["settings"], NOW)


def refused(engine, o, cid, goods: ReturnedGoods, error=Invalid, version: int | None = None) -> DomainError:
    """The refusal, after checking it changed nothing (row, events, audit rows)."""
    before = state(engine, cid)
    with pytest.raises(error) as err:
        record(engine, o, cid, goods, version)
    assert state(engine, cid) == before
    return err.value


def keys(err: DomainError) -> set[str]:
    return {e.key for e in err.errors.values()} if isinstance(err, FieldErrors) else {err.key}


def test_the_setting_decides_full_or_sample_inspection_cp3(engine, office):
    limit = int(office["settings"].get("complaint.full_inspection_max"))
    assert full_inspection(limit, office["settings"]) and not full_inspection(limit + 1, office["settings"])


def test_a_small_return_is_inspected_in_full_with_one_event_and_audit_row_cp3(engine, office):
    cid = take_in(engine, office)
    before = state(engine, cid)
    version = record(engine, office, cid, ReturnedGoods(return_quantity=12, isolated_labelled=True,
                                                        inspected_quantity=12, defects_found=3,
                                                        inspection_result="Cracks from the mould",
                                                        remedy=Remedy.REPLACEMENT, remedy_accepted=True))
    after = state(engine, cid)
    assert version == before["cp"]["version"] + 1 == after["cp"]["version"]
    assert (after["events"], after["audits"]) == (before["events"] + 1, before["audits"] + 1)
    cp = after["cp"]
    assert (cp["return_quantity"], cp["inspection_full"], cp["inspected_quantity"], cp["defects_found"]) == (
        12, True, 12, 3)
    assert cp["remedy"] == Remedy.REPLACEMENT and cp["remedy_accepted"] is True and cp["isolated_labelled"]


def test_a_full_inspection_covers_every_unit_a_batch_is_sampled_cp3(engine, office):
    cid = take_in(engine, office)
    err = refused(engine, office, cid, ReturnedGoods(return_quantity=12, isolated_labelled=True,
                                                     inspected_quantity=5))
    assert keys(err) == {"cp.goods_full_means_all"}
    batch = int(office["settings"].get("complaint.full_inspection_max")) + 30
    record(engine, office, cid, ReturnedGoods(return_quantity=batch, isolated_labelled=True, inspected_quantity=5,
                                              defects_found=0))
    cp = state(engine, cid)["cp"]
    assert cp["inspection_full"] is False and cp["inspected_quantity"] == 5


def test_goods_are_isolated_and_labelled_before_inspection_cp3(engine, office):
    cid = take_in(engine, office)
    err = refused(engine, office, cid, ReturnedGoods(return_quantity=3, inspected_quantity=3))
    assert keys(err) == {"cp.goods_isolate_first"}
    record(engine, office, cid, ReturnedGoods(return_quantity=3))  # received, not yet inspected: allowed


@pytest.mark.parametrize("goods, key", [
    pytest.param(ReturnedGoods(return_quantity=4, isolated_labelled=True, inspected_quantity=4, defects_found=5),
                 "cp.goods_bad_defects", id="defects-over-inspected"),
    pytest.param(ReturnedGoods(return_quantity=4, isolated_labelled=True, inspected_quantity=9),
                 "cp.goods_bad_inspected", id="inspected-over-returned"),
    pytest.param(ReturnedGoods(return_quantity=4, remedy_accepted=True), "cp.goods_accept_needs_remedy",
                 id="accepted-without-remedy"),
    pytest.param(ReturnedGoods(return_quantity=None), "cp.goods_quantity_required", id="no-quantity"),
    pytest.param(ReturnedGoods(return_quantity=5, defects_found=50), "cp.goods_defects_need_inspection",
                 id="defects-without-inspection"),
    pytest.param(ReturnedGoods(return_quantity=4, remedy="voucher"), "cp.bad_choice", id="unknown-remedy"),
])
def test_broken_inspection_figures_are_refused_and_write_nothing_cp3(engine, office, goods, key):
    cid = take_in(engine, office)
    assert key in keys(refused(engine, office, cid, goods))


def test_only_a_return_complaint_records_goods_cp3(engine, office):
    cid = take_in(engine, office, ComplaintChannel.PHONE)
    err = refused(engine, office, cid, ReturnedGoods(return_quantity=2), DomainError)
    assert err.key == "cp.goods_only_returns"


def test_a_specialist_may_not_record_goods_cp3(engine, office):
    cid = take_in(engine, office)
    before = state(engine, cid)
    with pytest.raises(Forbidden):
        record_goods(engine, office["specialist"], cid, before["cp"]["version"], ReturnedGoods(return_quantity=2),
                     office["settings"], NOW)
    assert state(engine, cid) == before


def test_a_stale_version_is_refused_cp3(engine, office):
    cid = take_in(engine, office)
    version = state(engine, cid)["cp"]["version"]
    record(engine, office, cid, ReturnedGoods(return_quantity=2), version)
    err = refused(engine, office, cid, ReturnedGoods(return_quantity=5), StaleEdit, version)
    assert err.params["who"] == office["manager"].username
    assert state(engine, cid)["cp"]["return_quantity"] == 2
