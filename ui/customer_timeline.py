"""The customer's page, C-4 and C-5: where the record stands against its deadline (complete since when, on time
or late, what is missing), and the one timeline of everything that happened with the customer, newest first,
filtered by kind, paged in SQL (kept in the session: the URL's `page` is the customers list's), each row
opening its record. core.customers.timeline and core.customers.timeliness decide; this only shows."""

from __future__ import annotations

import streamlit as st

from core.clock import office_day
from core.customers.completeness import RecordTimeliness
from core.customers.timeline import TimelineFilter, TimelineKind, customer_timeline, readable_kinds
from core.customers.timeliness import ArchiveStatus, archive_status, incomplete_records
from core.my_work.agenda import SHOWN
from ui import clock, my_work, widgets
from ui.context import engine, office, tr
from ui.text import Markdown, heading, joined, phrase, plain

K = TimelineKind
CUSTOMERS = "pages/customers.py"
RECORD_PAGES = {K.CALLBACK: "pages/callbacks.py", K.CALL: "pages/callbacks.py", K.COMPLAINT: "pages/complaints.py",
                K.WORK_ORDER: "pages/work_orders.py", K.LEAD: "pages/leads.py", K.INCOMING: "pages/incoming.py"}
COLUMNS = {"at": ("tl.when", "datetime"), "kind": ("tl.kind", "enum"), "what": ("tl.what", "text"),
           "state": ("tl.state", "enum"), "who": ("tl.who", "text"), "note": ("tl.note", "text")}
KINDS, ROWS, PAGER = "tl_kinds", "tl_rows", "tl"
WHAT_MAX = 80  # an incoming call's need, cut to one line of the table
BOXES = {RecordTimeliness.ON_TIME: st.success, RecordTimeliness.LATE: st.warning,
         RecordTimeliness.NOT_DELIVERED: st.info, RecordTimeliness.DUE: st.info, RecordTimeliness.OVERDUE: st.warning}


def archive_box(actor, customer_id: int) -> None:
    """C-5: complete since when and whether on time (delivery + N days), or what is still missing."""
    tz = office().timezone
    status = archive_status(engine(), actor, customer_id, office_day(clock.now(), tz), tz)
    if status is not None:
        BOXES[status.timeliness](_status_text(status))
        if status.missing:
            st.caption(phrase("tl.missing", fields=joined([_missing(m) for m in status.missing], ", ")))


def _status_text(status: ArchiveStatus):
    fmt = widgets.cell_formats()
    since, due = fmt["datetime"](status.complete_at), fmt["date"](status.deadline)
    key = f"tl.archive_{status.timeliness.value}"
    if status.timeliness == RecordTimeliness.NOT_DELIVERED and status.complete_at is not None:
        key = "tl.archive_not_delivered_complete"
    return phrase(key, since=since, deadline=due, days=status.days)


def _missing(m) -> str:
    label = tr(f"cu.{m.field}")
    return f"{m.order_no}: {label}" if m.order_no else label


def timeline(actor, customer_id: int) -> None:
    """The kind filter, one page of the timeline, its pager; a click on a row opens that record's page."""
    kinds = widgets.enum_filter("tl.kinds", TimelineKind, KINDS, readable_kinds(actor))
    number, size = widgets.page_controls(PAGER, (customer_id, kinds))
    page = customer_timeline(engine(), actor, customer_id, office().timezone, TimelineFilter(kinds), number, size)
    rows = [_shown(r) for r in page.rows]
    picked = widgets.table(rows, COLUMNS, key=ROWS, empty="tl.empty")
    if page.total:
        widgets.pager(page, PAGER)
    if picked and picked[0] < len(rows):
        row = rows[picked[0]]
        st.session_state.pop(ROWS, None)  # the way back must not open it again
        st.switch_page(RECORD_PAGES[row["kind"]], query_params={"id": str(row["id"])})


def _shown(row: dict) -> dict:
    """What a row shows: the callback's kind, the record's number or name, a need cut to a line; a call
    recorded on a later day than it was made says when (C-5)."""
    fmt = widgets.cell_formats()
    what = fmt["enum"](row["callback_kind"]) if row["callback_kind"] else (row["ref"] or "")
    late = row["on_time"] is False
    note = tr("tl.recorded_late", when=fmt["datetime"](row["recorded_at"])) if late else ""
    return row | {"what": what if len(what) <= WHAT_MAX else what[:WHAT_MAX - 1] + "…", "note": note}


ITEM_KEYS = {RecordTimeliness.DUE: "tl.item_due", RecordTimeliness.OVERDUE: "tl.item_overdue"}


def records_to_complete(actor, now) -> None:
    """My work, C-5: the specialist's delivered customers whose record is still incomplete (the most overdue
    first), each one click from the customer's page; overdue in red. Completed late shows on that page only."""
    heading("tl.mine")
    page = incomplete_records(engine(), actor, actor.id, now, office().timezone, 1, SHOWN)
    for row in page.rows:
        left, right = st.columns([3, 2])
        with left:
            my_work.item_link(CUSTOMERS, row["id"], joined([row["code"], row["name"]], " · "))
        right.markdown(plain(_standing(row)))
    my_work.more(page)


def _standing(row: dict) -> Markdown:
    """By when the record is due; red once overdue."""
    fmt = widgets.cell_formats()
    text = phrase(ITEM_KEYS[row["timeliness"]], deadline=fmt["date"](row["deadline"]))
    return text if row["timeliness"] == RecordTimeliness.DUE else Markdown(f":red[**{text}**]")
