"""Complaints: the complaint log with the escalated-or-overdue view (CP-5) and one complaint with its history."""

import streamlit as st

from core.complaints.queries import ComplaintFilter, complaint_detail, complaint_owners, list_complaints
from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus, Responsibility
from ui import clock
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.detail import audit_history, fields, history
from ui.text import heading, plain
from ui.widgets import (
    date_range,
    enum_filter,
    paged_table,
    person_filter,
    record_picker,
)

INTAKE_FIELDS = {
    "customer": "text", "customer_phone": "text", "channel": "enum", "order_no": "text", "product": "text",
    "description": "text", "defect_quantity": "text", "defect_rate_pct": "text", "received_by": "text",
    "received_at": "datetime",
}
HANDLING_FIELDS = {
    "status": "enum", "overdue": "bool", "escalated": "bool", "responsibility": "enum", "cause": "enum",
    "owner": "text", "responsible_department": "text", "capa_action": "text", "reply_deadline": "datetime",
    "first_response_at": "datetime", "replied_at": "datetime", "closed_at": "datetime",
    "capa_verified_at": "datetime", "capa_verified_by": "text", "reopen_count": "text",
}
RETURN_FIELDS = {"return_quantity": "text", "inspection_full": "bool", "inspection_result": "text", "remedy": "enum"}


def marker(row: dict) -> str:
    """The CP-5 marker of a row: escalated, overdue, or both."""
    flags = ((row["escalated"], "cp.escalated"), (row["overdue"], "cp.overdue"))
    return " · ".join(tr(key) for flag, key in flags if flag)


actor = page_guard("complaints")
st.title(tr("nav.complaints"))
now = clock.now()

c1, c2, c3, c4 = st.columns(4)
with c1:
    statuses = enum_filter("cp.status", ComplaintStatus, "cp_status")
with c2:
    channels = enum_filter("cp.channel", ComplaintChannel, "cp_channel")
with c3:
    duties = enum_filter("cp.responsibility", Responsibility, "cp_resp")
with c4:
    causes = enum_filter("cp.cause", ComplaintCause, "cp_cause")
owners = complaint_owners(engine())
c5, c6, c7 = st.columns([1, 1, 2])
with c5:
    owner = person_filter("cp.owner", owners, "cp_owner")
with c6:
    start, end = date_range("cp.received_range", "cp_dates")
with c7:
    search = st.text_input(tr("list.search"), key="cp_search", placeholder=tr("cp.search_hint"))
attention = st.toggle(tr("cp.only_attention"), key="cp_attention", help=tr("cp.only_attention_help"))

flt = ComplaintFilter(statuses, channels, duties, causes, owner, start, end, search, attention)
fetch = lambda n, size: list_complaints(engine(), actor, flt, office().timezone, now, n, size)  # noqa: E731
page = paged_table("cp_list", flt, fetch, {
    "number": ("cp.number", "text"), "customer": ("cp.customer", "text"), "channel": ("cp.channel", "enum"),
    "product": ("cp.product", "text"), "status": ("cp.status", "enum"),
    "responsibility": ("cp.responsibility", "enum"), "received_at": ("cp.received_at", "datetime"),
    "reply_deadline": ("cp.reply_deadline", "datetime"), "marker": ("cp.attention", "text"),
    "owner": ("cp.owner", "text"),
}, lambda rows: [r | {"marker": marker(r)} for r in rows])

chosen = record_picker(page.rows, lambda r: f"{r['number']} · {r['customer']}", "cp_open")
if chosen:
    detail = complaint_detail(engine(), actor, chosen, now)
    if detail is None:
        st.warning(tr("list.not_found"))
    else:
        record = detail["complaint"]
        st.subheader(plain(f"{record['number']} · {record['customer']}"))
        heading("cp.intake")
        fields(record, "cp", INTAKE_FIELDS)
        heading("cp.handling")
        fields(record, "cp", HANDLING_FIELDS)
        if detail["returned"] is not None:
            heading("cp.returned_goods")
            fields(detail["returned"], "cp", RETURN_FIELDS)
        history(detail["events"], "cp")
        audit_history(actor, "complaint", chosen)
