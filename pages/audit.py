"""The audit log: every change, sign-in and setting change, newest first, filtered (managers, admins)."""

import streamlit as st

from core.audit.queries import ENTITIES, AuditFilter, describe, list_audit, record_label
from core.i18n import enum_label
from db.enums import AuditAction, Role
from ui import listing
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.export import offer
from ui.widgets import table

COLUMNS = {"at": ("common.when", "datetime"), "username": ("common.who", "text"), "what": ("audit.what", "text"),
           "entity": ("audit.entity", "text"), "entity_id": ("audit.entity_id", "text"),
           "role": ("audit.role", "text")}
SORTS = {"at": "common.when", "username": "common.who", "entity": "audit.entity"}


def readable(rows: list[dict]) -> list[dict]:
    """Each row in the user's language: the role, the kind of record and an export's list named, the change in a
    sentence."""
    return [r | {"role": enum_label(Role(r["role"]), lang()) if r["role"] else "",
                 "entity": tr(f"audit.entity_{r['entity']}") if r["entity"] in ENTITIES else r["entity"],
                 "entity_id": record_label(r["entity"], r["entity_id"], lang()),
                 "what": "; ".join(describe(r, lang(), office().timezone))} for r in rows]


actor = page_guard("audit")
st.title(tr("nav.audit"))

with listing.filters("on", "user", "entity", "action"):
    c1, c2 = st.columns(2)
    with c1:
        start, end = listing.date_range("audit.range", "on")
        on_change, args = listing.bind(listing.typed("user"))
        user = st.text_input(tr("audit.user"), key="user", on_change=on_change, args=args)
    with c2:
        on_change, args = listing.bind(listing.choice("entity", ["", *ENTITIES], ""))
        entity = st.selectbox(tr("audit.entity"), ["", *ENTITIES], key="entity", on_change=on_change, args=args,
                              placeholder=tr("list.any"),
                              format_func=lambda e: tr("list.any") if not e else tr(f"audit.entity_{e}"))
        actions = listing.enum_filter("audit.action", AuditAction, "action")
sort = listing.sort_box(SORTS, "list.newest_first")

flt = AuditFilter(start, end, user, entity, actions)
fetch = lambda n, size: list_audit(engine(), actor, flt, office().timezone, n, size, sort)  # noqa: E731
page = fetch(*listing.page_request())
table(readable(page.rows), COLUMNS)
listing.pager(page)
offer("audit", COLUMNS, listing.streamed(fetch), readable, page.total)
