"""The audit log: every change, sign-in and setting change, newest first, filtered (managers, admins)."""

import streamlit as st

from core.audit.queries import ENTITIES, AuditFilter, describe, list_audit
from core.i18n import enum_label
from db.enums import AuditAction, Role
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.widgets import date_range, enum_filter, paged_table

actor = page_guard("audit")
st.title(tr("nav.audit"))

c1, c2, c3, c4 = st.columns(4)
with c1:
    start, end = date_range("audit.range", "audit_dates")
with c2:
    user = st.text_input(tr("audit.user"), key="audit_user")
with c3:
    entity = st.selectbox(tr("audit.entity"), ["", *ENTITIES], key="audit_entity",
                          format_func=lambda e: tr("list.any") if not e else tr(f"audit.entity_{e}"))
with c4:
    actions = enum_filter("audit.action", AuditAction, "audit_action")

flt = AuditFilter(start, end, user, entity, actions)


def readable(rows: list[dict]) -> list[dict]:
    """Each row in the user's language: the role and the kind of record named, the change in a sentence."""
    return [r | {"role": enum_label(Role(r["role"]), lang()) if r["role"] else "",
                 "entity": tr(f"audit.entity_{r['entity']}") if r["entity"] in ENTITIES else r["entity"],
                 "what": "; ".join(describe(r, lang(), office().timezone))} for r in rows]


paged_table("audit_list", flt,
            lambda n, size: list_audit(engine(), actor, flt, office().timezone, n, max(size, 50)),
            {"at": ("common.when", "datetime"), "username": ("common.who", "text"), "role": ("audit.role", "text"),
             "entity": ("audit.entity", "text"), "entity_id": ("audit.entity_id", "text"),
             "what": ("audit.what", "text")},
            readable)
