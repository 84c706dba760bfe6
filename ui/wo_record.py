"""One work order on its record page: where it stands and what is next (WO-4), what acceptance still lacks
(WO-5, WO-6), its intake, repair, sign-off and fee (WO-1, WO-6, WO-8), then what this user may do: the moves
the flow table offers (ui.wo_moves) and the acts (ui.wo_acts). Every value a person typed is shown as plain
text (ui.detail.fields); every section is one column, for a 390-pixel phone."""

from __future__ import annotations

import streamlit as st

from core.i18n import enum_label
from core.work_orders.flow import moves_for
from db.enums import ServiceType, WorkOrderStatus
from ui.context import lang, tr
from ui.detail import fields
from ui.text import heading, joined, phrase, plain
from ui.wo_acts import acts
from ui.wo_moves import missing_lines, move_form
from ui.wo_print import copy_links
from ui.wo_signatures import signature_section

INTAKE_FIELDS = {
    "service_type": "enum", "contact_name": "text", "phone": "phone", "address": "text", "request": "text",
    "intake_by": "text", "intake_at": "datetime",
}
REPAIR_FIELDS = {
    "technician": "text", "dispatched_at": "datetime", "received_at": "datetime", "survey_at": "datetime",
    "service_started_at": "datetime", "service_ended_at": "datetime", "completed_at": "datetime",
    "work_done": "text", "delay_reason": "text", "incomplete_reason": "text",
}
SIGN_OFF_FIELDS = {
    "technician_signed_at": "datetime", "manager_countersigned_at": "datetime", "customer_signed_name": "text",
    "customer_signed_at": "datetime", "special_approval_note": "text",
    "special_approval_by": "text", "special_approval_at": "datetime", "returned_at": "datetime",
    "accepted_at": "datetime",
}
FEE_FIELDS = {
    "fee_cents": "money", "fee_collected_on_site": "bool", "invoice_no": "text", "settled_at": "datetime",
    "closed_at": "datetime",
}


def stage(order: dict) -> str:
    """The status whose next step the order is at (the `wo.ui.step.*` and `wo.ui.next.*` keys). WO-8: only a paid
    order is settled by finance; any other, once accepted, is next closed, as a settled one is."""
    unpaid = order["status"] == WorkOrderStatus.ACCEPTED and order.get("service_type") != ServiceType.PAID
    return WorkOrderStatus.SETTLED.value if unpaid else WorkOrderStatus(order["status"]).value


def status_line(order: dict) -> None:
    """The status (with its pending reason) and the next step, in one line."""
    lg = lang()
    parts = [enum_label(order["status"], lg)]
    if order.get("pending_reason"):
        parts.append(enum_label(order["pending_reason"], lg))
    parts.append(tr(f"wo.ui.next.{stage(order)}"))
    (st.warning if order.get("pending_reason") else st.info)(joined(parts, " · "))


def missing_list(detail: dict) -> None:
    """WO-5/WO-6: what a returned order still lacks to be accepted, each item in the user's language."""
    items = detail.get("missing") or []
    if detail["order"]["status"] == "returned" and items:
        st.warning(joined(missing_lines(phrase("wo.ui.missing_title"), items), "\n"))


def _product(detail: dict) -> str | None:
    product = detail.get("product")
    return " · ".join(str(v) for v in (product["model"], product.get("serial_no")) if v) if product else None


def record_sections(detail: dict) -> None:
    order = detail["order"]
    st.subheader(plain(f"{order['number']} · {detail['customer']['name']}"))
    status_line(order)
    missing_list(detail)
    heading("wo.ui.intake")
    fields(order, "wo", INTAKE_FIELDS)
    fields({"product": _product(detail)}, "wo.ui", {"product": "text"})
    heading("wo.ui.repair")
    fields(order, "wo", REPAIR_FIELDS)
    heading("wo.ui.sign_off")
    fields(order, "wo", SIGN_OFF_FIELDS)
    if order.get("fee_cents") or order.get("service_type") == "A":
        heading("wo.ui.fee")
        fields(order, "wo", FEE_FIELDS)


def whats_next(actor, detail: dict) -> None:
    """The offered moves (one expander each, the first open), then the acts. A form is submitted on the
    version of the order the user saw when it was drawn (the run before), so a move made by someone else in
    between is refused naming them (compare-and-set), never applied blind."""
    current, ctx = detail["order"], detail["context"]
    seen = f"wo_seen_{current['id']}"
    record = current | {"version": st.session_state.get(seen, current["version"])}
    heading("wo.ui.whats_next")
    moves = moves_for(current, actor, ctx)
    for n, move in enumerate(moves):
        with st.expander(tr(f"wo.moves.do.{move.value}"), expanded=n == 0):
            move_form(actor, record, move)
    if not moves:
        st.caption(tr("wo.ui.nothing_to_do"))
    acts(actor, record, ctx)
    st.session_state[seen] = current["version"]  # what this run showed: the next submission's version


def show_record(actor, detail: dict) -> None:
    """The whole record: sections, the signatures, the copy links, what's next."""
    record_sections(detail)
    signature_section(actor, detail)  # WO-5: the drawn signatures and the countersign
    copy_links(actor, detail)  # WO-9, once the order is completed
    whats_next(actor, detail)
