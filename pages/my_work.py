"""My work: today's counts for the office or one person, what falls due today, this week's lead activity, and
the re-check findings (CB-4) sent to me or, for re-checkers, sent by me."""

from datetime import datetime

import streamlit as st

from core.callbacks.queries import OPEN_STATUSES, CallbackFilter, list_callbacks
from core.i18n import enum_label
from core.my_work.queries import office_today, staff, today_counts, week_of, weekly_activity
from core.permissions import Action, allowed
from db.enums import Role
from ui import clock
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.recheck import recheck_coverage
from ui.task_form import findings_sent, my_open_tasks
from ui.text import heading, phrase, plain
from ui.widgets import cell_formats, person_filter, table

OWN_VIEW = (Role.SPECIALIST, Role.ENGINEER)  # they work their own queue; managers and directors oversee the office
TILES = {
    "callbacks": ("cb_overdue", "cb_due_today", "cb_completed_today"),
    "complaints": ("cp_open", "cp_overdue", "cp_escalated"),
    "work_orders": ("wo_new", "wo_in_progress", "wo_pending", "wo_completed_today", "wo_awaiting_acceptance"),
    "leads": ("lead_due",),
}
DUE_COLUMNS = {
    "customer": ("cb.customer", "text"), "phone": ("cb.phone", "text"), "kind": ("cb.kind", "enum"),
    "status": ("cb.status", "enum"), "overdue": ("cb.overdue", "text"), "due_end": ("cb.due_end", "datetime"),
    "assignee": ("cb.assignee", "text"),
}
ACTIVITY_COLUMNS = {
    "specialist": ("mywork.specialist", "text"), "dialed": ("mywork.dialed", "text"),
    "completed": ("mywork.completed", "text"), "appointments": ("mywork.appointments", "text"),
    "recommendations": ("mywork.recommendations", "text"), "sales": ("mywork.sales", "text"),
    "sales_amount_cents": ("mywork.sales_amount", "money"),
}



def tiles(counts: dict) -> None:
    for section, names in TILES.items():
        heading(f"mywork.{section}")
        for column, name in zip(st.columns(len(TILES["work_orders"])), names, strict=False):
            column.metric(tr(f"mywork.{name}"), plain(counts[name]))
        if section == "work_orders" and counts["pending_by_reason"]:
            st.caption(phrase("mywork.pending_reasons", reasons=reasons(counts["pending_by_reason"])))


def reasons(by_reason: dict) -> str:
    return " · ".join(f"{enum_label(r, lang()) if r else tr('mywork.no_reason')} {n}" for r, n in by_reason.items())


def due_today(person: int | None, moment: datetime, tz: str) -> None:
    if not allowed(actor.role, Action.VIEW_CALLBACKS):  # engineers, finance, admins: no callbacks to read
        return
    heading("mywork.due_list")
    today = office_today(moment, tz)
    flt = CallbackFilter(statuses=OPEN_STATUSES, assignee_id=person, due_from=today, due_to=today)
    rows = list_callbacks(engine(), actor, flt, tz, moment, 1, 10).rows
    table([r | {"overdue": tr("cb.overdue_mark") if r["overdue"] else ""} for r in rows], DUE_COLUMNS)


def activity(person: int | None, moment: datetime, tz: str) -> None:
    start, end = week_of(office_today(moment, tz))
    fmt = cell_formats()["date"]
    heading("mywork.activity", start=fmt(start), end=fmt(end))
    table(weekly_activity(engine(), moment, tz, person).to_dict("records"), ACTIVITY_COLUMNS)


actor = page_guard("my_work")
st.title(tr("nav.my_work"))
moment, tz = clock.now(), office().timezone
people = staff(engine())
if actor.role in OWN_VIEW and actor.id in people:  # a specialist's or engineer's day starts on their own work
    st.session_state.setdefault("mw_person", actor.id)
person = person_filter("mywork.view_as", people, "mw_person", "mywork.whole_office")
st.caption(phrase("mywork.today", day=cell_formats()["date"](office_today(moment, tz))))
tiles(today_counts(engine(), moment, tz, person))
due_today(person, moment, tz)
if allowed(actor.role, Action.WORK_CALLBACK):
    my_open_tasks(actor, moment)  # CB-4: re-check findings sent to me
if allowed(actor.role, Action.SEND_FINDING):
    findings_sent(actor, moment)
activity(person, moment, tz)
recheck_coverage(actor, moment)
