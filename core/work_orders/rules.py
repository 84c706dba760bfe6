"""The work order's pure rules: what intake needs (WO-1, WO-2, WO-6 sender's side), the order number, when
a delay reason is due (WO-6), the acceptance gate's checklist (WO-5, WO-6 receiver's side) and finance's
week (WO-8). Time and settings are arguments; every refused field is named at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from core import inputs
from core.checks import choice
from core.clock import office_day
from core.complaints.rules import is_specific
from core.errors import Invalid, Refusals, refuse
from core.phones import typed_phone
from core.work_orders.flow import is_paid
from db.enums import ServiceType
from db.models import WorkOrder

REQUEST_MAX = inputs.limit_of(WorkOrder.request)
CONTACT_MAX = inputs.limit_of(WorkOrder.contact_name)
PHONE_MAX = inputs.limit_of(WorkOrder.phone)
ADDRESS_MAX = inputs.limit_of(WorkOrder.address)
TEXT_MAX = inputs.limit_of(WorkOrder.work_done)
INVOICE_MAX = inputs.limit_of(WorkOrder.invoice_no)


@dataclass(frozen=True)
class NewWorkOrder:
    """WO-1 intake as typed: the customer and product chosen from the archive, the contact, phone and
    address for this order (prefilled from the archive, editable), what to repair, the service type
    (WO-2: paid or not follows from it) and whether the specialist read the order back to the customer."""

    customer_id: int | None
    product_id: int | None
    contact_name: str | None
    phone: str | None
    address: str | None
    request: str | None
    service_type: ServiceType | str | None
    read_back: bool = False


def _request(text: str | None) -> str:
    """WO-1: what to repair, specific (the complaint's rule: more than one word, at least 8 characters)."""
    clean = inputs.required(text, "request", REQUEST_MAX, inputs.Kind.TEXT, missing="wo.request_required")
    if not is_specific(clean):
        raise Invalid("wo.request_vague", field="request")
    return clean


def _read_back(confirmed: bool) -> None:
    """WO-1: nothing is sent to engineering before the order was read back to the customer."""
    if confirmed is not True:
        raise Invalid("wo.read_back_required", field="read_back")


def check_intake(data: NewWorkOrder) -> dict:
    """WO-1/WO-2/WO-6: the order's intake columns, cleaned; every broken rule at once (FieldErrors)."""
    with Refusals() as check:
        if data.customer_id is None:
            check(refuse, "wo.customer_required", "customer_id")
        contact = check(inputs.required, data.contact_name, "contact_name", CONTACT_MAX, inputs.Kind.NAME,
                        missing="wo.contact_required")
        phone = check(typed_phone, data.phone, "wo.phone_required", "wo.phone_bad")  # as the archive's phones
        address = check(inputs.required, data.address, "address", ADDRESS_MAX, inputs.Kind.LINE,
                        missing="wo.address_required")
        request = check(_request, data.request)
        check(choice, "service_type", data.service_type, ServiceType, "wo.service_type_required")
        check(_read_back, data.read_back)
    return {"customer_id": data.customer_id, "product_id": data.product_id, "contact_name": contact,
            "phone": phone, "address": address, "request": request, "service_type": ServiceType(data.service_type),
            "read_back_confirmed": True}


def number_prefix(at: datetime, tz: str) -> str:
    """The office's pattern `WO{yyyymm}-{nnnnnn}`: numbers count per month of intake (office time)."""
    return f"WO{office_day(at, tz):%Y%m}-"


def order_number(prefix: str, n: int) -> str:
    return f"{prefix}{n:06d}"


def delay_due(wo: dict, settings) -> bool:
    """WO-6: a delay reason is due when the order was completed later than `work_order.repair_target_hours`
    after intake."""
    done = wo.get("completed_at")
    hours = int(settings.get("work_order.repair_target_hours"))
    return done is not None and done - wo["intake_at"] > timedelta(hours=hours)


# The acceptance checklist (WO-5 the three signatures and completion, which a special approval stands in for,
# and the delay reason, which a later, shorter repair target may ask of an order completed under a longer one;
# WO-6's other receiver's checks it does not: the service time, the fee and the return are facts of the order).
WAIVABLE = ("technician_signature", "countersign", "customer_signature", "completion", "delay_reason")


def missing(wo: dict, technician_signed: bool, customer_signed: bool, settings) -> list[str]:
    """WO-5/WO-6: what a returned order lacks to be accepted, as catalog keys `wo.missing.<item>`, in the
    order the desk checks them. A manager's special approval (special_approval_at) waives WAIVABLE."""
    lacks = {
        "technician_signature": not technician_signed,
        "countersign": not wo.get("manager_countersigned_at"),
        "customer_signature": not customer_signed,
        "completion": not (wo.get("work_done") or wo.get("incomplete_reason")),
        "service_time": not (wo.get("service_started_at") and wo.get("service_ended_at")),
        "delay_reason": delay_due(wo, settings) and not wo.get("delay_reason"),
        "fee": is_paid(wo) and not wo.get("fee_cents"),
        "return": not (wo.get("returned_at") and wo.get("return_signed_by_id")),
    }
    approved = bool(wo.get("special_approval_at"))
    return [item for item, lack in lacks.items() if lack and not (approved and item in WAIVABLE)]


def week_start(day: date) -> date:
    """WO-8: finance's week runs Monday to Sunday (office days)."""
    return day - timedelta(days=day.weekday())


def finance_week(accepted_at: datetime, tz: str) -> date:
    """WO-8: a paid order reaches finance in the week it was accepted (office time)."""
    return week_start(office_day(accepted_at.astimezone(UTC), tz))
