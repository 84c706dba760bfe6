"""Returned goods (CP-3): how many came back, isolated and labelled, inspected in full (a small quantity) or
by sample (a batch, above the setting `complaint.full_inspection_max`), what the inspection found, and the
remedy offered and whether the customer accepted it. The complaint's responsibility is decided by the flow's
own move (CP-2), which the page shows beside this record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from core import inputs
from core.checks import choice, is_choice
from core.complaints import flow
from core.complaints.flow import Act
from core.complaints.rules import QUANTITY_MAX, TEXT_MAX
from core.complaints.services import context, load, write
from core.errors import Invalid, Refusals
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import Remedy


@dataclass(frozen=True)
class ReturnedGoods:
    return_quantity: int | None
    isolated_labelled: bool = False
    inspected_quantity: int | None = None
    defects_found: int | None = None
    inspection_result: str | None = None
    remedy: Remedy | str | None = None
    remedy_accepted: bool | None = None


def full_inspection(quantity: int, settings) -> bool:
    """CP-3: a small quantity (up to `complaint.full_inspection_max`) is inspected in full, a batch by sample."""
    return quantity <= int(settings.get("complaint.full_inspection_max"))


def _count(value: int | None, field: str, low: int, high: int, key: str = "cp.bad_quantity") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(key, field=field, high=high)
    return value


def _returned(value: int | None) -> int:
    if value is None:
        raise Invalid("cp.goods_quantity_required", field="return_quantity")
    return _count(value, "return_quantity", 1, QUANTITY_MAX)


def _inspection(g: ReturnedGoods, returned: int | None, full: bool | None) -> None:
    """Inspected only once isolated and labelled; a full inspection covers every unit returned, a sample
    fewer; defects never exceed what was inspected."""
    if g.inspected_quantity is None:
        return
    if not g.isolated_labelled:
        raise Invalid("cp.goods_isolate_first", field="isolated_labelled")
    if returned is not None and full and g.inspected_quantity != returned:
        raise Invalid("cp.goods_full_means_all", field="inspected_quantity", high=returned)


def check_goods(g: ReturnedGoods, settings) -> dict:
    """CP-3's columns, cleaned; every broken rule at once."""
    with Refusals() as check:
        returned = check(_returned, g.return_quantity)
        full = full_inspection(returned, settings) if returned else None
        inspected = check(_count, g.inspected_quantity, "inspected_quantity", 1, returned or QUANTITY_MAX,
                          "cp.goods_bad_inspected")
        check(_inspection, g, returned, full)
        if g.defects_found is not None and g.inspected_quantity is None:
            check(_refuse, "cp.goods_defects_need_inspection", "defects_found")
        check(_count, g.defects_found, "defects_found", 0, inspected or QUANTITY_MAX, "cp.goods_bad_defects")
        result = check(inputs.text, g.inspection_result, "inspection_result", TEXT_MAX, inputs.Kind.TEXT)
        if g.remedy is not None:
            check(choice, "remedy", g.remedy, Remedy, "cp.bad_choice")
        if g.remedy is None and g.remedy_accepted is not None:
            check(_refuse, "cp.goods_accept_needs_remedy", "remedy_accepted")
    return {"return_quantity": returned, "isolated_labelled": bool(g.isolated_labelled), "inspection_full": full,
            "inspected_quantity": inspected, "defects_found": g.defects_found, "inspection_result": result,
            "remedy": Remedy(g.remedy) if is_choice(g.remedy, Remedy) else None,
            "remedy_accepted": g.remedy_accepted}


def _refuse(key: str, field: str) -> None:
    raise Invalid(key, field=field)


def record_goods(engine: Engine, actor: Actor, complaint_id: int, version: int, goods: ReturnedGoods, settings,
                 now: datetime) -> int:
    """CP-3 on a complaint that came in as a return of goods: quality (or the manager acting for it) records
    the return and its inspection; compare-and-set, one event and one audit row. Returns the new version."""
    require(actor, Action.VIEW_COMPLAINTS)
    changes = check_goods(goods, settings)
    with session_scope(engine) as s:
        row, cp = load(s, complaint_id)
        flow.check_act(Act.GOODS, cp, actor, context(s, row))
        return write(s, actor, cp, version, changes, cp["status"], Act.GOODS.value, changes["inspection_result"],
                      now)
