"""Work orders: the filtered list and one order with its customer, product and history."""

import streamlit as st

from core.work_orders.queries import WorkOrderFilter, list_work_orders, technicians, work_order_detail
from db.enums import Role, ServiceType, WorkOrderStatus
from ui import listing
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.detail import audit_history, fields, history
from ui.text import plain
from ui.wo_signatures import signature_section

DETAIL_FIELDS = {
    "status": "enum", "pending_reason": "enum", "service_type": "enum", "contact_name": "text", "phone": "text",
    "address": "text", "request": "text", "intake_by": "text", "intake_at": "datetime",
    "dispatched_at": "datetime", "technician": "text", "received_at": "datetime", "survey_at": "datetime",
    "service_started_at": "datetime", "service_ended_at": "datetime", "completed_at": "datetime",
    "work_done": "text", "delay_reason": "text", "incomplete_reason": "text",
    "technician_signed_at": "datetime", "manager_countersigned_at": "datetime", "customer_signed_name": "text",
    "customer_signed_at": "datetime", "special_approval_note": "text", "returned_at": "datetime",
    "accepted_at": "datetime", "fee_cents": "money", "fee_collected_on_site": "bool", "invoice_no": "text",
    "settled_at": "datetime", "closed_at": "datetime",
}

COLUMNS = {  # what a phone shows without scrolling first: which order, whose, where it stands
    "number": ("wo.number", "text"), "customer": ("wo.customer", "text"), "status": ("wo.status", "enum"),
    "technician": ("wo.technician", "text"), "intake_at": ("wo.intake_at", "datetime"),
    "service_type": ("wo.service_type", "enum"), "pending_reason": ("wo.pending_reason", "enum"),
    "phone": ("wo.phone", "text"), "completed_at": ("wo.completed_at", "datetime"), "fee_cents": ("wo.fee", "money"),
}
SORTS = {name: COLUMNS[name][0] for name in ("number", "customer", "status", "technician", "intake_at",
                                             "service_type", "completed_at", "fee_cents")}


def order_list(actor) -> None:
    techs = technicians(engine())
    mine = actor.id if actor.role == Role.ENGINEER and actor.id in techs else None  # an engineer's own orders
    with listing.filters("status", "type", "who", "intake", "fee"):
        c1, c2 = st.columns(2)
        with c1:
            statuses = listing.enum_filter("wo.status", WorkOrderStatus, "status")
            tech = listing.person_filter("wo.technician", techs, "who", mine)
        with c2:
            types = listing.enum_filter("wo.service_type", ServiceType, "type")
            start, end = listing.date_range("wo.intake_range", "intake")
        on_change, args = listing.bind(listing.choice("fee", (False, True), False))
        fee_open = st.toggle(tr("wo.only_fee_open"), key="fee", help=tr("wo.only_fee_open_help"),
                             on_change=on_change, args=args)
    search, sort = listing.search_and_sort("wo.search_hint", SORTS, "wo.sort_default")
    flt = WorkOrderFilter(statuses, types, tech, start, end, search, fee_open)
    listing.listed(lambda n, size: list_work_orders(engine(), actor, flt, office().timezone, n, size, sort), COLUMNS)


def show_order(actor, order_id: int) -> None:
    detail = work_order_detail(engine(), actor, order_id)
    if detail is None:
        listing.not_found()
        return
    st.subheader(plain(f"{detail['order']['number']} · {detail['customer']['name']}"))
    fields(detail["order"], "wo", DETAIL_FIELDS)
    signature_section(actor, detail)
    history(detail["events"], "wo")
    audit_history(actor, "work_order", order_id)


actor = page_guard("work_orders")
st.title(tr("nav.work_orders"))
listing.list_or_record(lambda: order_list(actor), lambda chosen: show_order(actor, chosen))
