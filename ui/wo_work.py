"""My work's work-order sections (issue 12): the unfinished orders by technician and reason for the manager and
the engineer (WO-7, exportable), the engineer's own orders each with its next step one click from its record,
and finance's week to sign off (WO-8). core.work_orders.board and .finance decide what is listed."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core.clock import office_day
from core.permissions import Actor
from core.work_orders import board, finance
from core.work_orders.rules import week_start
from db.enums import PendingReason, WorkOrderStatus
from ui.context import engine, office, tr
from ui.my_work import WORK_ORDERS, item_link
from ui.text import heading, joined, phrase, plain
from ui.widgets import cell_formats, table
from ui.xlsx import workbook

GROUPS = {"technician": ("wo.unfinished.technician", "text"), "reason": ("wo.unfinished.reason", "enum"),
          "count": ("wo.unfinished.count", "text"), "oldest_days": ("wo.unfinished.oldest_days", "text")}
ROWS = {"number": ("wo.number", "text"), "customer": ("wo.customer", "text"),
        "technician": ("wo.unfinished.technician", "text"), "reason": ("wo.unfinished.reason", "enum"),
        "intake_at": ("wo.intake_at", "datetime"), "age_days": ("wo.unfinished.age_days", "text")}
WEEK = {"number": ("wo.number", "text"), "customer": ("wo.customer", "text"), "fee_cents": ("wo.fee", "money"),
        "collected_on_site": ("wo.finance.collected_on_site", "bool"), "invoice_no": ("wo.invoice_no", "text")}


def _reason(value: str) -> WorkOrderStatus | PendingReason:
    return WorkOrderStatus(value) if value in {s.value for s in WorkOrderStatus} else PendingReason(value)


def _shown(rows: list[dict]) -> list[dict]:
    return [r | {"reason": _reason(r["reason"]), "technician": r["technician"] or tr("wo.unfinished.nobody")}
            for r in rows]


def unfinished(actor: Actor, now: datetime) -> None:
    """WO-7: the groups, then the orders themselves, both exportable (an engineer's: their own)."""
    summary = board.unfinished_summary(engine(), actor, office(), now)
    heading("wo.unfinished.title")
    st.caption(tr("wo.unfinished.caption"))
    if not summary["total"]:
        st.caption(tr("wo.unfinished.none"))
        return
    table(_shown(summary["groups"]), GROUPS)
    with st.expander(tr("wo.unfinished.orders")):
        table(_shown(summary["rows"]), ROWS)
    rows = _shown(summary["rows"])  # the workbook is made on the click, not on every run of My work
    st.download_button(tr("wo.unfinished.export"), lambda: workbook(rows, ROWS, "unfinished"),
                       file_name="unfinished-work-orders.xlsx", key="unfinished_export", on_click="ignore",
                       icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def my_orders(actor: Actor) -> None:
    """The engineer's own orders, the longest waiting first, each one click from its record with its next step."""
    heading("wo.unfinished.mine")
    enum = cell_formats()["enum"]
    page = board.engineer_orders(engine(), actor)
    if page.total > len(page.rows):
        st.caption(phrase("wo.scope.mine_showing", shown=len(page.rows), total=page.total))
    for row in page.rows:
        step = phrase("wo.unfinished.next", step=tr(f"wo.unfinished.step.{row['next'] or 'none'}"))
        item_link(WORK_ORDERS, row["id"], joined([row["number"], row["customer"], enum(row["status"]), step], " · "))
    if not page.rows:
        st.caption(tr("mywork.nothing"))


def week_totals(week: dict) -> None:
    """WO-8: the week's fees in all, collected on site, and to invoice."""
    money = cell_formats()["money"]
    for column, key, value in zip(st.columns(3), ("wo.finance.total", "wo.finance.on_site", "wo.finance.to_invoice"),
                                  (week["total_cents"], week["on_site_cents"], week["to_invoice_cents"]), strict=True):
        column.metric(tr(key), plain(money(value)))


def finance_week(actor: Actor, now: datetime) -> None:
    """WO-8: finance opens on this week's paid orders, and the weeks already over that are still to sign off
    (the running week is signed once it has ended)."""
    tz = office().timezone
    week = finance.week_orders(engine(), actor, week_start(office_day(now, tz)), tz)
    heading("wo.finance.this_week")
    week_totals(week)
    table(week["rows"], WEEK, empty="wo.fin2.week_empty")  # no filters here: say what is missing
    st.page_link("pages/finance.py", label=tr("wo.finance.open_finance"), icon=":material/payments:")
    heading("wo.finance.weeks_to_sign")
    weeks = finance.weeks_to_sign(engine(), actor, now, tz)
    for monday in weeks:
        st.markdown(phrase("wo.finance.week_option", start=cell_formats()["date"](monday)))
    if not weeks:
        st.caption(tr("mywork.nothing"))
