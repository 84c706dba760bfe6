"""Complaints: the list with the escalated-or-overdue view (CP-5), the complaint log of a period with its
summary (CP-4), and one complaint with its workflow, evidence and history (CP-1..CP-3)."""

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
from ui.complaint_actions import whats_next
from ui.complaint_log import log_view
from ui.complaint_record import record_sections
from ui.context import engine, office, tr
from ui.detail import audit_history, history
from ui.evidence import evidence_section
from ui.new_complaint_form import new_complaint_form
from ui.text import plain


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
    search, sort = listing.search_and_sort("cp.search_hint", SORTS, "list.newest_first", by_index=True)
    return ComplaintFilter(statuses, channels, duties, causes, owner, start, end, search, on["attention"], models,
                           on["escalated"], on["overdue"]), sort


def complaint_list(actor) -> None:
    if allowed(actor.role, Action.REGISTER_COMPLAINT):
        with st.expander(tr("cp.new.title")):
            new_complaint_form(actor, listing.open_record)
    flt, sort = complaint_filter(actor)
    listing.listed(lambda n, size: list_complaints(engine(), actor, flt, office().timezone, now, n, size, sort),
                   COLUMNS, lambda rows: [r | {"marker": marker(r)} for r in rows], export="complaints")


def show_complaint(actor, complaint_id: int) -> None:
    """One complaint: where it stands, what it says and what was done (ui.complaint_record), what this user
    may do next (ui.complaint_actions), then its history with each step named, and the audit history."""
    detail = complaint_detail(engine(), actor, complaint_id, now)
    if detail is None:
        listing.not_found()
        return
    record = detail["complaint"]
    st.subheader(plain(f"{record['number']} · {record['customer']}"))
    record_sections(detail)
    evidence_section(actor, record, now)
    whats_next(actor, detail)
    history(detail["events"], "cp", steps="cp.done")
    audit_history(actor, "complaint", complaint_id)


VIEWS = ("list", "log")  # the URL's `view`: the working list, or the period's log and summary (CP-4)


def complaints_home(actor) -> None:
    on_change, args = listing.bind(listing.choice("view", VIEWS, "list"))
    view = st.segmented_control(tr("cp.view"), VIEWS, format_func=lambda v: tr(f"cp.view_{v}"), key="view",
                                label_visibility="collapsed", on_change=on_change, args=args) or "list"
    if view == "log":
        log_view(actor, now)
    else:
        complaint_list(actor)


actor = page_guard("complaints")
st.title(tr("nav.complaints"))
now = clock.now()
listing.list_or_record(lambda: complaints_home(actor), lambda chosen: show_complaint(actor, chosen))
