"""Complaints: the complaint log with the escalated-or-overdue view (CP-5) and one complaint with its history."""

import streamlit as st

from core.complaints.queries import (
    ComplaintFilter,
    complaint_detail,
    complaint_owners,
    list_complaints,
    product_models,
)
from core.permissions import Action, allowed
from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus, Responsibility, Role
from ui import clock, listing
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.detail import audit_history, fields, history
from ui.new_complaint_form import new_complaint_form
from ui.text import heading, plain

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


COLUMNS = {  # what a phone shows without scrolling first: which complaint, whose, where it stands, by when
    "number": ("cp.number", "text"), "customer": ("cp.customer", "text"), "status": ("cp.status", "enum"),
    "reply_deadline": ("cp.reply_deadline", "datetime"), "next_due": ("cp.list.next_due", "datetime"),
    "marker": ("cp.attention", "text"), "channel": ("cp.channel", "enum"), "product": ("cp.product", "text"),
    "responsibility": ("cp.responsibility", "enum"), "received_at": ("cp.received_at", "datetime"),
    "owner": ("cp.owner", "text"),
}
SORTS = {name: COLUMNS[name][0] for name in ("number", "customer", "status", "reply_deadline", "next_due",
                                             "received_at", "channel", "owner")}
FILTERS = ("status", "channel", "duty", "cause", "who", "received", "model", "attention", "escalated", "overdue")
TOGGLES = {"attention": "cp.only_attention", "escalated": "cp.list.only_escalated", "overdue": "cp.list.only_overdue"}
OVERSEERS = (Role.MANAGER, Role.DIRECTOR)  # who see the whole log first; others their own complaints, if any


def toggles() -> dict[str, bool]:
    """CP-5: only escalated or overdue (together or each alone), side by side, each kept in the URL."""
    on = {}
    for column, (name, label) in zip(st.columns(len(TOGGLES)), TOGGLES.items(), strict=True):
        on_change, args = listing.bind(listing.choice(name, (False, True), False))
        helps = tr("cp.only_attention_help") if name == "attention" else None
        on[name] = column.toggle(tr(label), key=name, help=helps, on_change=on_change, args=args)
    return on


def complaint_filter(actor) -> tuple[ComplaintFilter, str]:
    """The list's filters, each kept in the URL by its name (FILTERS, q, sort); a specialist or engineer who
    owns complaints sees their own first."""
    owners = complaint_owners(engine())
    mine = actor.id if actor.id in owners and actor.role not in OVERSEERS else None
    with listing.filters(*FILTERS):
        c1, c2 = st.columns(2)
        with c1:
            statuses = listing.enum_filter("cp.status", ComplaintStatus, "status")
            duties = listing.enum_filter("cp.responsibility", Responsibility, "duty")
            owner = listing.person_filter("cp.owner", owners, "who", mine)
            models = listing.text_filter("cp.list.models", product_models(engine()), "model")
        with c2:
            channels = listing.enum_filter("cp.channel", ComplaintChannel, "channel")
            causes = listing.enum_filter("cp.cause", ComplaintCause, "cause")
            start, end = listing.date_range("cp.received_range", "received")
        on = toggles()
    search, sort = listing.search_and_sort("cp.search_hint", SORTS, "list.newest_first")
    return ComplaintFilter(statuses, channels, duties, causes, owner, start, end, search, on["attention"], models,
                           on["escalated"], on["overdue"]), sort


def complaint_list(actor) -> None:
    if allowed(actor.role, Action.REGISTER_COMPLAINT):
        with st.expander(tr("cp.new.title"), icon=":material/add:"):
            new_complaint_form(actor, listing.open_record)
    flt, sort = complaint_filter(actor)
    listing.listed(lambda n, size: list_complaints(engine(), actor, flt, office().timezone, now, n, size, sort),
                   COLUMNS, lambda rows: [r | {"marker": marker(r)} for r in rows])


def show_complaint(actor, complaint_id: int) -> None:
    detail = complaint_detail(engine(), actor, complaint_id, now)
    if detail is None:
        listing.not_found()
        return
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
    audit_history(actor, "complaint", complaint_id)


actor = page_guard("complaints")
st.title(tr("nav.complaints"))
now = clock.now()
listing.list_or_record(lambda: complaint_list(actor), lambda chosen: show_complaint(actor, chosen))
