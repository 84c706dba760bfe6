"""One record's fields and history, formatted for the user's language and the office time zone."""

from __future__ import annotations

import streamlit as st

from core.audit.queries import record_history
from core.permissions import Action, Actor, allowed
from ui.context import engine, lang, office, tr
from ui.text import heading, phrase
from ui.widgets import cell_formats, table


def fields(record: dict, prefix: str, kinds: dict[str, str]) -> None:
    """The named fields in two columns; empty values are left out so the card stays short."""
    fmts = cell_formats()
    shown = [(f, fmts[k](record.get(f))) for f, k in kinds.items() if record.get(f) not in (None, "")]
    cols = st.columns(2)
    for i, (field, value) in enumerate(shown):
        cols[i % 2].markdown(f"**{tr(f'{prefix}.{field}')}**")
        cols[i % 2].text(str(value))


def history(events: list[dict], prefix: str) -> None:
    """The record's steps in time order: when, who, from which status to which, and the note."""
    heading("common.history")
    table(events, {
        "at": ("common.when", "datetime"), "user": ("common.who", "text"),
        "from_status": ("common.from_status", "enum"), "to_status": ("common.to_status", "enum"),
        "note": ("common.note", "text"),
    })


def audit_history(actor: Actor, entity: str, entity_id: int) -> None:
    """Who changed what and when, in sentences, from the append-only audit log; not drawn at all for a role
    the permission table refuses a record's history (VIEW_HISTORY)."""
    if not allowed(actor.role, Action.VIEW_HISTORY):
        return
    lines = record_history(engine(), actor, entity, entity_id, lang(), office().timezone)
    with st.expander(phrase("audit.history", count=len(lines))):
        for line in lines or [tr("audit.no_changes")]:
            st.text(line)
