"""One record's fields and history, formatted for the user's language and the office time zone."""

from __future__ import annotations

import streamlit as st

from core.audit.queries import record_history
from core.permissions import Action, Actor, allowed
from core.phones import digits
from ui.context import engine, lang, office, tr
from ui.text import Markdown, heading, joined, phrase, plain
from ui.widgets import cell_formats, table


def fields(record: dict, prefix: str, kinds: dict[str, str]) -> None:
    """The named fields as "label: value" lines in one block, so a 390-pixel phone shows them at a glance
    (issue 10); a phone number is a tap-to-call link, a value of several lines follows its label as plain text.
    Empty values are left out so the card stays short."""
    fmts, lines = cell_formats(), []
    for field, kind in kinds.items():
        raw = record.get(field)
        if raw in (None, ""):
            continue
        value = str(fmts[kind](raw))
        if "\n" in value.strip():  # notes and descriptions keep their lines
            _block(lines)
            lines = []
            st.markdown(phrase("form.pair", label=tr(f"{prefix}.{field}"), value=""))
            st.text(value)
            continue
        shown = tel_link(value, str(raw)) if is_phone(field) else value
        lines.append(phrase("form.pair", label=tr(f"{prefix}.{field}"), value=shown))
    _block(lines)


def _block(lines: list) -> None:
    if lines:
        st.markdown(joined(lines, "  \n"))  # Markdown's hard line break: one line per pair, one element


def is_phone(field: str) -> bool:
    """A record's phone columns: `phone`, `customer_phone`..."""
    return field == "phone" or field.endswith("_phone")


def tel_link(phone: str, stored: str | None = None) -> Markdown:
    """The number as shown, linked to dial the digits of `stored` (the archive's E.164 form, else the shown
    text; a leading + kept): a tap calls it on a phone."""
    dial = stored or phone
    number = ("+" if dial.strip().startswith("+") else "") + digits(dial)
    return Markdown(f"[{plain(phone)}](tel:{number})") if digits(dial) else plain(phone)


def history(events: list[dict], prefix: str, steps: str | None = None) -> None:
    """The record's steps in time order: when, who, (with `steps`, the catalog section naming each event's
    `move`) which step, from which status to which, and the note."""
    heading("common.history")
    if steps is not None:
        events = [e | {"step": tr(f"{steps}.{e['move']}") if e.get("move") else ""} for e in events]
    table(events, {
        "at": ("common.when", "datetime"), "user": ("common.who", "text"),
        **({"step": ("common.step", "text")} if steps is not None else {}),
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
