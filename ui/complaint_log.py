"""The complaint log on screen (CP-4): a period of office days (this month unless the URL says otherwise), the
periodic summary with each K-3 figure's definition as its help, and the log itself, one row per complaint with
its CAPA, counted and paged in SQL; a row opens its complaint (ui.listing's ?id=), and the whole log of the
period can be exported as the lists are."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime

import pandas as pd
import streamlit as st

from core.clock import office_day
from core.complaints.log import complaint_log, log_summary
from core.fmt import fmt_percent
from core.i18n import enum_label
from core.permissions import Actor
from ui import listing, widgets
from ui.charts import bars, vega_spec
from ui.context import engine, lang, office, tr
from ui.text import heading, plain

PERIOD = "period"  # the URL parameter and the date picker's key: two ISO dates, the first and last day

COLUMNS = {  # what a phone shows first: which complaint, why, whether the fix is proven, how long it took
    "number": ("cp.number", "text"), "customer": ("cp.customer", "text"), "cause": ("cp.cause", "enum"),
    "verified": ("cp.log.verified", "bool"), "days_to_close": ("cp.log.days_to_close", "text"),
    "model": ("cp.log.model", "text"), "responsibility": ("cp.responsibility", "enum"),
    "capa_action": ("cp.log.corrective_action", "text"), "preventive_action": ("cp.log.preventive_action", "text"),
    "reopen_count": ("cp.reopen_count", "text"), "status": ("cp.status", "enum"),
    "received_at": ("cp.received_at", "datetime"),
}
SORTS = {"received_at": "cp.received_at", "number": "cp.number", "customer": "cp.customer", "cause": "cp.cause",
         "model": "cp.log.model", "responsibility": "cp.responsibility", "status": "cp.status",
         "reopen_count": "cp.reopen_count"}


def this_month(today: date) -> tuple[date, date]:
    return today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1])


def period_param(default: tuple[date, date]) -> listing.Param:
    """One or two ISO dates in order (one while the user has picked only the first day), else the default
    (this month), which the URL leaves out."""
    def parse(values: list[str]) -> tuple[date, ...]:
        return listing.dates(PERIOD).parse(values) or default

    def dump(value) -> list[str]:
        days = tuple(value or ())
        return [] if not days or days == default else [d.isoformat() for d in days]
    return listing.Param(PERIOD, parse, dump)


def period_picker(today: date) -> tuple[date, date]:
    """The period's first and last office day; while only a first day is picked, that one day."""
    default = this_month(today)
    on_change, args = listing.bind(period_param(default))
    picked = st.date_input(tr("cp.log.period"), value=default, key=PERIOD, format="YYYY-MM-DD",
                           on_change=on_change, args=args)
    days = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
    return (days[0], days[-1]) if days else default


def _metrics(summary) -> None:
    percent = lambda v: fmt_percent(v, lang())  # noqa: E731
    figures = [("received", summary.received, None),
               ("reopen_rate", percent(summary.reopen_rate), "cp.log.def.reopen_rate"),
               ("closed_by_promised_date", percent(summary.closed_by_promised_date),
                "cp.log.def.closed_by_promised_date"),
               ("repeat_customers", len(summary.repeat_customers), "cp.log.def.repeat_customers"),
               ("repeat_models", len(summary.repeat_models), "cp.log.def.repeat_models")]
    for col, (name, value, help_key) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(tr(f"cp.log.{name}"), plain(value), help=tr(help_key) if help_key else None, border=True)


def _counts_chart(counts: dict, label, name: str, axis_key: str) -> None:
    """A K-3 count as horizontal bars, most first, with its definition under it."""
    frame = pd.DataFrame([{"label": label(k), "count": n} for k, n in counts.items()], columns=["label", "count"])
    frame = frame.sort_values(["count", "label"], ascending=[False, True])
    if frame.empty:
        st.info(tr("kpi.no_data"))
    else:
        st.vega_lite_chart(spec=vega_spec(bars(frame, f"cp.log.{name}", ("label", axis_key, list(frame["label"])))),
                           width="stretch")
    st.caption(tr(f"cp.log.def.{name}"))


def _repeats(rows: list[dict], name: str, columns: dict) -> None:
    st.markdown("**" + tr(f"cp.log.{name}") + "**")  # a catalog text: no user's words
    if rows:
        widgets.table(rows, columns)
    else:
        st.caption(tr("cp.log.no_repeats"))


def summary_view(actor: Actor, start: date, end: date, now: datetime) -> None:
    """The periodic summary (CP-4, K-3): headline figures, causes and models, repeats."""
    summary = log_summary(engine(), actor, start, end, office().timezone, now)
    _metrics(summary)
    lg = lang()
    cause = lambda c: tr("cp.log.no_cause") if c is None else enum_label(c, lg)  # noqa: E731
    model = lambda m: tr("cp.log.no_model") if m is None else m  # noqa: E731
    left, right = st.columns(2)
    with left:
        _counts_chart(summary.counts_by_cause, cause, "counts_by_cause", "cp.cause")
        _repeats(summary.repeat_customers, "repeat_customers",
                 {"customer": ("cp.customer", "text"), "count": ("cp.log.count", "text")})
    with right:
        _counts_chart(summary.counts_by_model, model, "counts_by_model", "cp.log.model")
        _repeats(summary.repeat_models, "repeat_models",
                 {"model": ("cp.log.model", "text"), "count": ("cp.log.count", "text")})


def log_view(actor: Actor, now: datetime) -> None:
    """The complaint log of a period (CP-4): the period, its summary, then the log, paged in SQL."""
    tz = office().timezone
    start, end = period_picker(office_day(now, tz))
    heading("cp.log.summary")
    summary_view(actor, start, end, now)
    heading("cp.log.title")
    sort = listing.sort_box(SORTS, "cp.log.in_order_received")
    listing.listed(lambda n, size: complaint_log(engine(), actor, start, end, tz, n, size, sort), COLUMNS,
                   export="complaint_log")
