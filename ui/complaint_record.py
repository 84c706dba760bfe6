"""One complaint, read: where it stands (CP-2 status, CP-5 overdue/escalated and what is due next), its
intake (CP-1), its handling, its returned goods (CP-3) and its complaint call (CB-2, with the CB-9 score).
Every value a person typed is shown as plain text (ui.detail.fields)."""

from __future__ import annotations

import streamlit as st

from core.callbacks.rules import CB9_ITEMS
from core.fmt import fmt_datetime
from core.i18n import enum_label
from ui.context import lang, office, tr
from ui.detail import fields
from ui.text import heading, joined, phrase

INTAKE_FIELDS = {
    "customer": "text", "customer_phone": "phone", "channel": "enum", "severity": "enum", "order_no": "text",
    "product": "text", "description": "text", "defect_quantity": "text", "defect_rate_pct": "text",
    "received_by": "text", "received_at": "datetime",
}
HANDLING_FIELDS = {
    "status": "enum", "owner": "text", "first_response_due": "datetime", "first_response_at": "datetime",
    "reply_deadline": "datetime", "responsibility": "enum", "cause": "enum", "verification_note": "text",
    "explanation": "text", "responsible_department": "text", "capa_owner": "text", "capa_due": "datetime",
    "solution": "text", "capa_action": "text", "preventive_action": "text", "solution_at": "datetime",
    "reply_channel": "enum", "replied_at": "datetime", "late_reason": "text", "verification_evidence": "text",
    "capa_verified_at": "datetime", "capa_verified_by": "text", "closed_at": "datetime", "reopen_count": "text",
}
ESCALATION_FIELDS = {"escalated_by": "text", "escalated_at": "datetime", "escalation_reason": "text"}
RETURN_FIELDS = {
    "return_quantity": "text", "isolated_labelled": "bool", "inspection_full": "bool",
    "inspected_quantity": "text", "defects_found": "text", "inspection_result": "text", "remedy": "enum",
    "remedy_accepted": "bool",
}
CALL_FIELDS = {"status": "enum", "due_end": "datetime", "completed_at": "datetime", "score": "text"}
CHECKLIST_ITEMS = len(CB9_ITEMS)  # CB-9: the complaint call's checklist


def status_line(record: dict) -> None:
    """Status, the CP-5 markers, and what is due next and when."""
    lg, tz = lang(), office().timezone
    parts = [enum_label(record["status"], lg)]
    parts += [tr(k) for flag, k in ((record["escalated"], "cp.escalated"), (record["overdue"], "cp.overdue")) if flag]
    if record.get("next_due") is not None:
        parts.append(phrase(f"cp.due.{record['next_step']}", when=fmt_datetime(record["next_due"], lg, tz)))
    (st.warning if record["escalated"] or record["overdue"] else st.info)(joined(parts, " · "))


def record_sections(detail: dict) -> None:
    record = detail["complaint"]
    status_line(record)
    heading("cp.intake")
    fields(record, "cp", INTAKE_FIELDS)
    heading("cp.handling")
    fields(record | {"reopen_count": record["reopen_count"] or None}, "cp", HANDLING_FIELDS)
    if record["escalated"]:
        heading("cp.escalation")
        fields(record, "cp", ESCALATION_FIELDS)
    if detail["returned"] is not None:
        heading("cp.returned_goods")
        fields(detail["returned"], "cp", RETURN_FIELDS)
    for call in detail["calls"]:
        heading("cp.complaint_call")
        score = None if call["qa_score"] is None else f"{call['qa_score']} / {CHECKLIST_ITEMS}"
        fields(call | {"score": score}, "cp.call", CALL_FIELDS)
