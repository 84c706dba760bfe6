"""The work order's moves on its record page (WO-3, WO-4, WO-5, WO-6): one form per move the flow table offers
this user (core.work_orders.flow.moves_for), with exactly the fields that move reads (steps.MoveInput), in one
column so a phone shows them. The form only collects: core.work_orders.services checks every rule and
writes, or refuses and writes nothing (each refused field's message under that field; a stale move names who
moved the order first; a refused acceptance lists each missing item). Times are office-local, sent in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

from core.errors import DomainError, Invalid
from core.i18n import enum_label
from core.work_orders.board import technician_loads
from core.work_orders.flow import Move
from core.work_orders.rules import TEXT_MAX, delay_due
from core.work_orders.services import apply_move
from core.work_orders.steps import Incomplete, MoveInput
from db.enums import PendingReason
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, refusal, required_legend
from ui.text import Markdown, joined, phrase

CONFIRM = ("confirm",)  # one click, confirmed: the move records who and when, nothing else
FIELDS: dict[Move, tuple[str, ...]] = {
    Move.DISPATCH: ("technician_id", "note"), Move.RECEIVE: CONFIRM, Move.SURVEY: CONFIRM, Move.REPAIR: CONFIRM,
    Move.PEND: ("pending_reason", "note"), Move.RESUME: ("note",),
    Move.COMPLETE: ("service_started_at", "service_ended_at", "work_done", "incomplete_reason", "delay_reason"),
    Move.RETURN: CONFIRM, Move.SEND_BACK: ("note",), Move.ACCEPT: CONFIRM, Move.CLOSE: CONFIRM,
}
OPTIONAL = {"note", "incomplete_reason"}
TIMES = {"service_started_at", "service_ended_at"}
TEXTS = {"note", "work_done", "incomplete_reason", "delay_reason"}


def key(move: Move, field: str, part: str = "") -> str:
    """The session-state key of one field of one move's form."""
    return f"wom_{move.value}_{field}{part}"


def required(move: Move, field: str) -> bool:
    """Whether the move refuses to go without the field (sending back says what is missing, WO-6)."""
    return field not in OPTIONAL or move == Move.SEND_BACK


def _local(at: datetime | None) -> datetime:
    return (at or clock.now()).astimezone(ZoneInfo(office().timezone))


def _moment(move: Move, field: str, record: dict) -> tuple[date | None, time | None]:
    """A service time as an office-local day and time; start preset to the recorded start, end to now."""
    preset = _local(record.get("service_started_at") if field == "service_started_at" else None)
    day = st.date_input(tr(f"wo.moves.{field}") + tr(MARK), value=preset.date(), key=key(move, field, "_day"),
                        format="YYYY-MM-DD")
    at = st.time_input(tr("wo.moves.at_time"), value=preset.time().replace(second=0, microsecond=0),
                       key=key(move, field, "_time"), step=300)
    return day, at


def technician_choices(actor) -> dict[int, str]:
    """WO-3: the active engineers, each labelled with their open load, for the dispatcher's choice."""
    return {r["id"]: tr("wo.board.load_choice", name=r["name"], open=r["open"], to_receive=r["to_receive"],
                         working=r["working"], pending=r["pending"]) for r in technician_loads(engine(), actor)}


def _widget(actor, move: Move, field: str, record: dict):
    k, lg = key(move, field), lang()
    name = tr("wo.moves.missing_note") if (move, field) == (Move.SEND_BACK, "note") else tr(f"wo.moves.{field}")
    caption = name + tr(MARK) if required(move, field) else name  # catalog text only (ui/text policy)
    if field == "technician_id":
        people = technician_choices(actor)
        ids, current = list(people), record.get("technician_id")
        return st.selectbox(caption, ids, index=ids.index(current) if current in ids else None, key=k,
                            format_func=lambda i: people.get(i, str(i)), placeholder=tr("wo.moves.choose"))
    if field == "pending_reason":
        return st.selectbox(caption, list(PendingReason), index=None, key=k,
                            format_func=lambda m: enum_label(m, lg), placeholder=tr("wo.moves.choose"))
    if field in TIMES:
        return _moment(move, field, record)
    if field == "confirm":
        return st.checkbox(tr(f"wo.moves.confirm_{move.value}"), key=k)
    return st.text_area(caption, key=k, max_chars=TEXT_MAX, height=80)


def _when(value: tuple[date | None, time | None]) -> datetime | None:
    day, at = value
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=ZoneInfo(office().timezone)).astimezone(UTC)


def move_input(values: dict) -> MoveInput:
    """What the form collected, as the use case's input (only this move's fields are set)."""
    data = {f: _when(v) if f in TIMES else (v or None if f in TEXTS else v) for f, v in values.items()}
    data.pop("confirm", None)
    return MoveInput(**data)


def _fields(move: Move, record: dict) -> tuple[str, ...]:
    """COMPLETE asks for a delay reason only when one is due (WO-6: later than the repair target)."""
    if move != Move.COMPLETE or delay_due(record | {"completed_at": clock.now()}, office()):
        return FIELDS[move]
    return tuple(f for f in FIELDS[move] if f != "delay_reason")


def missing_lines(title: Markdown, items: list[str]) -> list[Markdown]:
    """WO-5/WO-6: a title, then each missing item (`wo.missing.<item>` keys) in the user's language, as a list's
    lines (to be joined with line breaks)."""
    return [title, *[phrase("wo.moves.missing_item", item=tr(k)) for k in items]]


def _accept(actor, record: dict, data: MoveInput) -> int | None:
    """ACCEPT refused for what is missing lists each item (WO-5/WO-6), not the one-line message."""
    try:
        return apply_move(engine(), actor, record["id"], record["version"], Move.ACCEPT, data, office(), clock.now())
    except Incomplete as err:
        st.error(joined(missing_lines(phrase("wo.accept.incomplete", count=len(err.missing)), err.missing), "\n"))
    except DomainError as err:
        refusal(err)
    return None


def _apply(actor, record: dict, move: Move, values: dict, marks: FieldMarks) -> int | None:
    """A one-click move goes only when its box is ticked; the others go straight to the use case."""
    if "confirm" in values and values["confirm"] is not True:
        marks.show(Invalid("wo.moves.confirm_required", field="confirm"))
        return None
    marks.forget()
    data, now = move_input(values), clock.now()
    if move == Move.ACCEPT:
        return _accept(actor, record, data)
    return marks.attempt(lambda: apply_move(engine(), actor, record["id"], record["version"], move, data, office(),
                                            now))


def move_form(actor, record: dict, move: Move) -> None:
    """One move's form; a success reruns the page with the order's new status."""
    marks = FieldMarks(f"wom_{move.value}")
    with st.form(f"wom_{move.value}"):
        values = {}
        for field in _fields(move, record):
            values[field] = _widget(actor, move, field, record)
            keys = (key(move, field, "_day"), key(move, field, "_time")) if field in TIMES else (key(move, field),)
            marks.under(field, *keys)
        if any(required(move, f) for f in FIELDS[move] if f != "confirm"):
            required_legend()
        submitted = st.form_submit_button(tr(f"wo.moves.do.{move.value}"), type="primary")
    if not submitted:
        return
    done = _apply(actor, record, move, values, marks)
    if done is not None:
        st.session_state[FLASH] = phrase("wo.moves.moved", step=tr(f"wo.moves.done.{move.value}"))
        st.rerun()
