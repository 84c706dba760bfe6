"""The record page's workflow forms (CP-2): one form per move the flow table offers this user, with exactly
the fields that move reads (core.complaints.steps). The form only collects: core.complaints.services checks
every rule and writes, or refuses and writes nothing (each refused field's message under that field, a
stale or refused move's message above the button). Dates are office-local days, sent as the end of that
office day in UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from core.clock import office_day
from core.complaints.flow import Move
from core.complaints.rules import DEPARTMENT_MAX, TEXT_MAX, MoveInput, reply_days
from core.complaints.services import apply_move
from core.i18n import enum_label
from core.scheduling.rules import day_end
from db.enums import Channel, ComplaintCause, ComplaintSeverity
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, required_legend
from ui.text import phrase

LATEST = date(2100, 1, 1)
FIELDS: dict[Move, tuple[str, ...]] = {  # what each move asks for, in order (core.complaints.steps.STEPS)
    Move.VERIFY: ("owner_id", "severity", "reply_deadline"),
    Move.OURS: ("verification_note", "cause", "responsible_department", "capa_owner_id", "capa_due"),
    Move.NOT_OURS: ("verification_note", "cause", "explanation", "reply_channel", "replied_at", "late_reason"),
    Move.SOLVE: ("solution", "capa_action", "preventive_action"),
    Move.REPLY: ("reply_channel", "replied_at", "late_reason"),
    Move.FOLLOW_UP: ("note",), Move.VERIFY_EFFECT: ("verification_evidence",), Move.CLOSE: ("note",),
    Move.REOPEN: ("note",),
}
OPTIONAL = {"preventive_action", "replied_at", "late_reason", "note"}
DAYS = {"reply_deadline", "capa_due"}  # office days, sent as the end of that day
ENUMS = {"severity": ComplaintSeverity, "cause": ComplaintCause, "reply_channel": Channel}
PEOPLE = {"owner_id", "capa_owner_id"}
TEXTS = {"verification_note", "explanation", "solution", "capa_action", "preventive_action", "late_reason",
         "verification_evidence", "note"}


def key(move: Move, field: str) -> str:
    """The session-state key of one field of one move's form."""
    return f"cpm_{move.value}_{field}"


def required(move: Move, field: str) -> bool:
    """Whether the move refuses to go without this field (a reopening's note is its reason, CP-2)."""
    return field not in OPTIONAL or move == Move.REOPEN


def _default_reply_day(record: dict) -> date:
    """CP-5: the promised reply by default: received plus the severity's days, as an office day."""
    days = reply_days(record["severity"], office())
    return office_day(record["received_at"] + timedelta(days=days), office().timezone)


def _widget(move: Move, field: str, record: dict, people: dict[int, str]):
    k, lg = key(move, field), lang()
    name = tr("cp.reopen_reason") if (move, field) == (Move.REOPEN, "note") else tr(f"cp.{field}")
    caption = name + tr(MARK) if required(move, field) else name  # catalog text only (ui/text policy)
    if field in PEOPLE:
        ids, current = list(people), record.get("owner_id") if field == "owner_id" else None
        return st.selectbox(caption, ids, index=ids.index(current) if current in ids else None, key=k,
                            format_func=lambda i: people.get(i, str(i)), placeholder=tr("cp.choose"))
    if field in ENUMS:
        options = list(ENUMS[field])
        current = record.get(field) if field == "severity" else None
        return st.selectbox(caption, options, index=options.index(current) if current in options else None, key=k,
                            format_func=lambda m: enum_label(m, lg), placeholder=tr("cp.choose"))
    if field in DAYS or field == "replied_at":
        today = office_day(clock.now(), office().timezone)
        default = max(_default_reply_day(record), today) if field == "reply_deadline" else None  # never before today
        received = office_day(record.get("round_start") or record["received_at"], office().timezone)
        low, high = (received, today) if field == "replied_at" else (today, LATEST)
        return st.date_input(caption, value=default, min_value=low, max_value=high, key=k, format="YYYY-MM-DD")
    if field == "responsible_department":
        return st.text_input(caption, key=k, max_chars=DEPARTMENT_MAX)
    return st.text_area(caption, key=k, max_chars=TEXT_MAX, height=80)


def _when(day: date | None, field: str, now: datetime) -> datetime | None:
    """An office day as an instant: the end of that day; a reply given today was given now."""
    if day is None:
        return None
    end = day_end(day, office().timezone)
    return min(end, now) if field == "replied_at" else end


def move_input(move: Move, values: dict, now: datetime) -> MoveInput:
    """What the form collected, as the use case's input (only this move's fields are set)."""
    data = {f: _when(v, f, now) if f in DAYS or f == "replied_at" else v for f, v in values.items()}
    return MoveInput(**data)


def move_form(actor, record: dict, move: Move, people: dict[int, str]) -> None:
    """One move's form; a success reruns the page with the complaint's new status."""
    marks = FieldMarks(f"cpm_{move.value}")
    with st.form(f"cpm_{move.value}"):
        values = {}
        for field in FIELDS[move]:
            values[field] = _widget(move, field, record, people)
            marks.under(field, key(move, field))
        if any(required(move, field) for field in FIELDS[move]):
            required_legend()
        submitted = st.form_submit_button(tr(f"cp.do.{move.value}"), type="primary")
    if submitted:
        now = clock.now()
        data = move_input(move, values, now)
        done = marks.attempt(lambda: apply_move(engine(), actor, record["id"], record["version"], move, data, now))
        if done is not None:
            st.session_state[FLASH] = phrase("cp.moved", step=tr(f"cp.done.{move.value}"))
            st.rerun()
