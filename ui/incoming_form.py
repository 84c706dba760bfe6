"""Logging an incoming call (CB-11): who called and from which number (looked up in the archive as it is
typed), category, need, how they heard of us, answered or missed, resolved or not, when, and for an
enquiry the hand-over as a lead (L-1) with its class. The form only collects: core.incoming checks every
rule and writes, or refuses and writes nothing (the typed input stays on screen). After a save the page
says which follow-up the call created."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from core.clock import office_day
from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.incoming.queries import find_callers
from core.incoming.rules import ENQUIRIES, HEARD_FROM_MAX, NAME_MAX, IncomingInput
from core.incoming.services import IncomingResult, register_incoming_call
from core.permissions import Action, allowed
from core.phones import PHONE_MAX
from db.enums import IncomingCategory, LeadClass
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, clear_after_save, required_legend
from ui.new_customer_form import new_customer_form
from ui.text import Markdown, joined, phrase

DONE = "inc_done"  # the confirmation shown after the rerun that follows a save
EMPTY = {"inc_name": "", "inc_phone": "", "inc_category": None, "inc_need": "", "inc_heard": "", "inc_answered": True,
         "inc_resolved": False, "inc_now": True, "inc_lead": False, "inc_class": None}
DROPPED = ("inc_customer", "inc_date", "inc_time")  # drawn only in some cases: simply forgotten


def _caller(actor, phone: str, marks: FieldMarks) -> int | None:
    """The customer the typed number belongs to: shown, and picked when several share it."""
    if not phone.strip():
        return None
    found = find_callers(engine(), actor, phone)
    if not found:
        st.info(tr("incoming.unknown_caller"))
        _new_customer(actor, phone)
        return None
    if len(found) == 1:
        c = found[0]
        st.info(phrase("incoming.known_caller", name=c["name"], code=c["code"], specialist=c["specialist"] or "—"))
        return c["id"]
    st.warning(tr("incoming.several_callers"))
    names = {c["id"]: f"{c['name']} ({c['code']})" for c in found}
    none = tr("incoming.none_of_them")
    chosen = st.selectbox(tr("incoming.which_customer"), [None, *names], key="inc_customer", placeholder=none,
                          format_func=lambda i: none if i is None else names[i])
    marks.under("customer", "inc_customer")
    return chosen


def _new_customer(actor, phone: str) -> None:
    """C-1: an unknown caller made a customer on the spot, the number and name prefilled; once saved, the
    number finds them, so the call is linked to them when it is saved."""
    if not allowed(actor.role, Action.EDIT_CUSTOMER):
        return
    with st.expander(tr("cu_new.unknown_caller_new")):
        made = new_customer_form(actor, "inc_new", phone, st.session_state.get("inc_name") or "")
    if made:
        st.session_state[FLASH] = phrase("cu_new.saved_linked", code=made["code"])
        st.rerun()


def _received(marks: FieldMarks) -> datetime | None:
    """None (now, at save) unless the user turns "just now" off and types the office-local date and time."""
    if st.toggle(tr("incoming.received_now"), value=True, key="inc_now"):
        marks.under("received_at", "inc_now")
        return None
    tz = ZoneInfo(office().timezone)
    local = clock.now().astimezone(tz)
    left, right = st.columns(2)
    day = left.date_input(tr("incoming.received_date"), value=local.date(), key="inc_date", format="YYYY-MM-DD")
    at = right.time_input(tr("incoming.received_time"), value=local.time().replace(second=0, microsecond=0),
                          key="inc_time", step=300)
    marks.under("received_at", "inc_date", "inc_time")
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC) if day and at else None


def _lead_wish(category: IncomingCategory | None, marks: FieldMarks) -> tuple[bool, LeadClass | None]:
    """L-1: an enquiry may be handed over as a lead of class A, B or C (its follow-up interval shown)."""
    if category not in ENQUIRIES:
        return False, None
    wanted = st.checkbox(tr("incoming.as_lead"), key="inc_lead")
    marks.under("as_lead", "inc_lead")
    if not wanted:
        return False, None
    lg, days = lang(), {c: office().get(f"lead.{c.value.lower()}_interval_days") for c in LeadClass}
    hint = {c: f"{enum_label(c, lg)} · {phrase('incoming.class_hint', days=days[c])}" for c in LeadClass}  # Markdown
    chosen = st.radio(tr("incoming.lead_class") + tr(MARK), list(LeadClass), index=None, horizontal=True,
                      key="inc_class", format_func=hint.get)
    marks.under("lead_class", "inc_class")
    return True, chosen


def confirmation(done: IncomingResult, now: datetime) -> Markdown:
    """What the call created: the call-back and its assignee, or the lead, its owner and next follow-up."""
    lg, tz = lang(), office().timezone
    parts = [phrase("incoming.logged")]
    if done.callback_id:
        who = done.callback_assignee or tr("incoming.nobody")
        today = office_day(done.callback_due, tz) == office_day(now, tz)
        parts.append(phrase("incoming.callback_today", who=who) if today else
                     phrase("incoming.callback_by", who=who, when=fmt_datetime(done.callback_due, lg, tz)))
    if done.lead_id:
        key = "incoming.lead_new" if done.lead_created else "incoming.lead_updated"
        who = done.lead_owner or tr("incoming.nobody")
        parts.append(phrase(key, who=who, when=fmt_datetime(done.lead_due, lg, tz)))
    if done.too_late:
        parts.append(phrase("incoming.too_late"))
    elif not done.callback_id and not done.lead_id:
        parts.append(phrase("incoming.no_follow_up"))
    return joined(parts)


def incoming_form(actor) -> None:
    lg, marks = lang(), FieldMarks("incoming")
    st.subheader(tr("incoming.log"))
    left, right = st.columns(2)
    name = left.text_input(tr("incoming.caller_name"), key="inc_name", max_chars=NAME_MAX)
    marks.under("caller_name", "inc_name", where=left)
    phone = right.text_input(tr("incoming.phone") + tr(MARK), key="inc_phone", max_chars=PHONE_MAX,
                             placeholder=tr("incoming.phone_hint"))
    marks.under("phone", "inc_phone", where=right)
    customer_id = _caller(actor, phone, marks)
    category = st.radio(tr("incoming.category") + tr(MARK), list(IncomingCategory), index=None, horizontal=True,
                        key="inc_category", format_func=lambda m: enum_label(m, lg))
    marks.under("category", "inc_category")
    need = st.text_area(tr("incoming.need"), key="inc_need")
    marks.under("need", "inc_need")
    heard = st.text_input(tr("incoming.heard_from"), key="inc_heard", max_chars=HEARD_FROM_MAX)
    marks.under("heard_from", "inc_heard")
    left, right = st.columns(2)
    answered = left.toggle(tr("incoming.answered"), value=True, key="inc_answered")
    resolved = right.toggle(tr("incoming.resolved"), key="inc_resolved") if answered else False
    marks.under("resolved", "inc_answered", "inc_resolved", where=right)
    received = _received(marks)
    as_lead, lead_class = _lead_wish(category, marks)
    st.caption(tr("incoming.waiting_hint"))
    required_legend()
    if st.button(tr("incoming.save"), type="primary", key="inc_save"):
        now = clock.now()
        data = IncomingInput(phone, category, name, customer_id, need, heard, answered, resolved, received,
                             as_lead, lead_class)
        done = marks.attempt(lambda: register_incoming_call(engine(), actor, data, now))
        if done is not None:
            st.session_state[DONE] = confirmation(done, now)
            for key in DROPPED:
                st.session_state.pop(key, None)
            clear_after_save(EMPTY)  # the next call starts on an empty form
            st.rerun()
