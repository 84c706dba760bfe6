"""Work orders: the filtered list and one order with its customer, product and history."""

import streamlit as st

from core.work_orders.queries import WorkOrderFilter, list_work_orders, technicians, work_order_detail
from db.enums import ServiceType, WorkOrderStatus
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.detail import audit_history, fields, history
from ui.text import plain
from ui.widgets import (
    date_range,
    enum_filter,
    paged_table,
    person_filter,
    record_picker,
)

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

actor = page_guard("work_orders")
st.title(tr("nav.work_orders"))

c1, c2, c3, c4 = st.columns(4)
with c1:
    statuses = enum_filter("wo.status", WorkOrderStatus, "wo_status")
with c2:
    types = enum_filter("wo.service_type", ServiceType, "wo_type")
techs = technicians(engine())
with c3:
    tech = person_filter("wo.technician", techs, "wo_tech")
with c4:
    start, end = date_range("wo.intake_range", "wo_dates")
search = st.text_input(tr("list.search"), key="wo_search", placeholder=tr("wo.search_hint"))

flt = WorkOrderFilter(statuses, types, tech, start, end, search)
page = paged_table("wo_list", flt, lambda n, size: list_work_orders(engine(), actor, flt, office().timezone, n, size), {
    "number": ("wo.number", "text"), "customer": ("wo.customer", "text"), "phone": ("wo.phone", "text"),
    "service_type": ("wo.service_type", "enum"), "status": ("wo.status", "enum"),
    "pending_reason": ("wo.pending_reason", "enum"), "technician": ("wo.technician", "text"),
    "intake_at": ("wo.intake_at", "datetime"), "completed_at": ("wo.completed_at", "datetime"),
    "fee_cents": ("wo.fee", "money"),
})

chosen = record_picker(page.rows, lambda r: f"{r['number']} · {r['customer']}", "wo_open")
if chosen:
    detail = work_order_detail(engine(), actor, chosen)
    if detail is None:
        st.warning(tr("list.not_found"))
    else:
        st.subheader(plain(f"{detail['order']['number']} · {detail['customer']['name']}"))
        fields(detail["order"], "wo", DETAIL_FIELDS)
        history(detail["events"], "wo")
        audit_history(actor, "work_order", chosen)
