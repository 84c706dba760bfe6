"""The weekly report's data as the tables people read, in one language: column titles, enum values, money,
percentages. The printable page, the PDF and the mail all show these same tables. Every cell is plain text (a
delay reason or a name as typed): each output escapes or prints it as text, never as markup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.fmt import fmt_date, fmt_money, fmt_percent
from core.i18n import enum_label, t
from db.enums import PendingReason, WorkOrderStatus

NONE = "—"


@dataclass(frozen=True)
class Table:
    """A titled table: its columns (catalog keys report.col.<key>) and rows of text cells."""

    key: str  # report.section.<key>
    keys: tuple[str, ...]
    rows: list[list[str]]
    lang: str

    @property
    def columns(self) -> list[str]:
        """The column titles in the table's language."""
        return [t(f"report.col.{k}", self.lang) for k in self.keys]


def value_text(value, kind: str, lang: str, currency: str) -> str:
    """A headline value as read: a percentage, a score to two decimals, money; no data is —."""
    if value is None:
        return NONE
    if kind == "percent":
        return fmt_percent(value, lang)
    if kind == "money":
        return fmt_money(int(value), lang, currency)
    return f"{value:.2f}"


def week_title(data: dict, lang: str) -> str:
    return t("report.week", lang, start=fmt_date(date.fromisoformat(data["week_start"]), lang),
             end=fmt_date(date.fromisoformat(data["week_end"]), lang))


def headline_table(data: dict, lang: str) -> Table:
    cur = data["currency"]
    rows = [[t(f"kpi.metric.{h['name']}", lang), value_text(h["value"], h["kind"], lang, cur),
             value_text(h["previous"], h["kind"], lang, cur)] for h in data["headline"]]
    return Table("headline", ("kpi", "this_week", "previous_week"), rows, lang)


def activity_table(data: dict, lang: str) -> Table:
    keys = ("specialist", "dialed", "completed", "appointments", "recommendations", "sales", "sales_amount")
    rows = [[r["specialist"] or NONE, *(str(r[k]) for k in keys[1:-1]),
             fmt_money(r["sales_amount_cents"], lang, data["currency"])] for r in data["activity"]]
    return Table("activity", keys, rows, lang)


def _reason(r: dict, lang: str) -> str:
    return NONE if r["pending_reason"] is None else enum_label(PendingReason(r["pending_reason"]), lang)


def unfinished_table(data: dict, lang: str) -> Table:
    keys = ("number", "status", "pending_reason", "age_days", "technician", "delay_reason", "incomplete_reason")
    rows = [[r["number"], enum_label(WorkOrderStatus(r["status"]), lang), _reason(r, lang), str(r["age_days"]),
             r["technician"] or NONE, r["delay_reason"] or NONE, r["incomplete_reason"] or NONE]
            for r in data["unfinished"]]
    return Table("unfinished", keys, rows, lang)


def paid_table(data: dict, lang: str) -> Table:
    keys = ("number", "customer", "fee", "collected", "invoice_no", "status")
    cur = data["currency"]
    rows = [[r["number"], r["customer"] or NONE, fmt_money(r["fee_cents"], lang, cur) or NONE,
             t("report.on_site" if r["collected_on_site"] else "report.to_invoice", lang), r["invoice_no"] or NONE,
             enum_label(WorkOrderStatus(r["status"]), lang)] for r in data["paid"]["rows"]]
    return Table("paid", keys, rows, lang)


def paid_totals(data: dict, lang: str) -> str:
    p, cur = data["paid"], data["currency"]
    return t("report.paid_totals", lang, total=fmt_money(p["total_cents"], lang, cur),
             on_site=fmt_money(p["on_site_cents"], lang, cur), to_invoice=fmt_money(p["to_invoice_cents"], lang, cur))


def tables(data: dict, lang: str) -> list[Table]:
    """The report's four tables in the order shown: headline KPIs, L-2 activity, unfinished orders, paid list."""
    return [headline_table(data, lang), activity_table(data, lang), unfinished_table(data, lang),
            paid_table(data, lang)]
