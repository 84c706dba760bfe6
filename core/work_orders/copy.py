"""WO-9: the customer's copy of a completed order, as plain data in one language: the office's name, the
order, the customer, the work done, the service times, the technician, the fee, both signatures (their PNGs),
the manager's countersign and the acceptance. Values are as typed; the HTML page and the PDF (ui.wo_copy_*)
escape or draw them. The office has no language of its own yet: the copy is in the language asked for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.fmt import fmt_datetime, fmt_money
from core.i18n import enum_label, t
from core.office.settings import Office
from core.permissions import Actor
from core.work_orders.flow import is_paid
from core.work_orders.queries import in_scope
from db.engine import session_scope
from db.enums import SignatureKind, WorkOrderStatus
from db.models import Customer, Product, User, WorkOrder, WorkOrderSignature

W = WorkOrderStatus
PRINTABLE = frozenset({W.COMPLETED, W.RETURNED, W.ACCEPTED, W.SETTLED, W.CLOSED})  # WO-9: completed or later


@dataclass(frozen=True)
class Signature:
    """One signature box: its caption, who signed (empty: not signed yet), when, and the drawn PNG."""

    label: str
    signer: str
    signed_at: str
    png: bytes | None


@dataclass(frozen=True)
class CustomerCopy:
    lang: str
    office: str
    title: str
    number: str
    rows: tuple[tuple[str, str], ...]  # (label, value) in print order; values as typed
    signatures: tuple[Signature, ...]
    footer: str


def printable(status: WorkOrderStatus | str | None) -> bool:
    """WO-9: the customer keeps a copy of a completed order: completed, returned, accepted, settled, closed."""
    return status in PRINTABLE


def customer_copy(engine: Engine, actor: Actor, order_id: int, lang: str, office: Office) -> CustomerCopy | None:
    """The copy of order `order_id` in `lang`; None when there is no such order, DomainError
    "wo.copy.not_ready" before it is completed. VIEW_WORK_ORDERS only; None too for an order the actor may
    not read (queries.readable: an engineer's own orders)."""
    with session_scope(engine) as s:
        wo = in_scope(s, actor, order_id)
        if wo is None:
            return None
        if not printable(wo.status):
            raise DomainError("wo.copy.not_ready")
        return _copy(s, wo, lang, office)


def _copy(s: Session, wo: WorkOrder, lang: str, office: Office) -> CustomerCopy:
    names = _names(s, wo)
    signs = {sig.kind: sig for sig in s.scalars(select(WorkOrderSignature)
                                                .where(WorkOrderSignature.work_order_id == wo.id))}
    return CustomerCopy(lang=lang, office=t("app.title", lang), title=t("wo.copy.title", lang), number=wo.number,
                        rows=tuple((t(key, lang), value) for key, value in _rows(s, wo, names, lang, office) if value),
                        signatures=tuple(_signature(signs.get(kind), kind, lang, office.timezone)
                                         for kind in (SignatureKind.TECHNICIAN, SignatureKind.CUSTOMER)),
                        footer=t("wo.copy.footer", lang))


def _names(s: Session, wo: WorkOrder) -> dict[int, str]:
    ids = {wo.technician_id, wo.manager_countersigned_by_id, wo.accepted_by_id, wo.special_approval_by_id} - {None}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


def _rows(s: Session, wo: WorkOrder, names: dict[int, str], lang: str, office: Office) -> list[tuple[str, str]]:
    def when(moment) -> str:
        return fmt_datetime(moment, lang, office.timezone)

    customer = s.execute(select(Customer.code, Customer.name).where(Customer.id == wo.customer_id)).one()
    return [
        ("wo.number", wo.number),
        ("wo.customer", f"{customer.name} ({customer.code})"),
        ("wo.contact_name", f"{wo.contact_name}  {wo.phone}"),
        ("wo.address", wo.address),
        ("wo.copy.product", _product(s, wo.product_id)),
        ("wo.service_type", enum_label(wo.service_type, lang)),
        ("wo.request", wo.request),
        ("wo.work_done", wo.work_done or ""),
        ("wo.incomplete_reason", wo.incomplete_reason or ""),
        ("wo.intake_at", when(wo.intake_at)),
        ("wo.service_started_at", when(wo.service_started_at)),
        ("wo.service_ended_at", when(wo.service_ended_at)),
        ("wo.completed_at", when(wo.completed_at)),
        ("wo.technician", names.get(wo.technician_id, "")),
        ("wo.fee", _fee(wo, lang, office.currency)),
        ("wo.copy.countersigned", _by(names.get(wo.manager_countersigned_by_id), when(wo.manager_countersigned_at))),
        ("wo.copy.special_approval", _by(names.get(wo.special_approval_by_id), when(wo.special_approval_at))),
        ("wo.copy.accepted", _by(names.get(wo.accepted_by_id), when(wo.accepted_at)) or t("wo.copy.not_yet", lang)),
    ]


def _product(s: Session, product_id: int | None) -> str:
    if product_id is None:
        return ""
    p = s.execute(select(Product.model, Product.serial_no, Product.order_no).where(Product.id == product_id)).one()
    return " · ".join(part for part in (p.model, p.serial_no, p.order_no) if part)


def _fee(wo: WorkOrder, lang: str, currency: str) -> str:
    """WO-8: a paid order's fee in money, and whether it was collected on site or is to be invoiced."""
    if not is_paid({"service_type": wo.service_type}) or wo.fee_cents is None:
        return ""
    how = t("wo.copy.collected_on_site" if wo.fee_collected_on_site else "wo.copy.to_invoice", lang)
    return f"{fmt_money(wo.fee_cents, lang, currency)} ({how})"


def _by(name: str | None, when: str) -> str:
    return f"{name or ''}  {when}".strip() if when else ""


def _signature(sig: WorkOrderSignature | None, kind: SignatureKind, lang: str, tz: str) -> Signature:
    label = t(f"wo.copy.signature_{kind.value}", lang)
    if sig is None:
        return Signature(label, "", t("wo.copy.not_signed", lang), None)
    return Signature(label, sig.signer_name, fmt_datetime(sig.signed_at, lang, tz), sig.png)
