"""Weekly reports (issue 14): every week the server built (newest first), the chosen week's printable view
(headline KPIs with the previous week, the L-2 activity, the unfinished orders of WO-7, the paid list of WO-8,
and the charts), its PDF to download, and for the manager "build now" for the last finished week. Names and
reasons are what people typed: shown as plain text (tables take raw values)."""

import streamlit as st

from core.fmt import fmt_date, fmt_datetime
from core.permissions import Action, allowed
from core.reports import build_now, open_week, report_weeks
from core.reports.charts import PAGE_HEIGHT, charts
from core.reports.view import paid_totals, tables, week_title
from ui import clock
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.text import phrase, plain
from ui.widgets import table

actor = page_guard("reports")
st.title(tr("nav.reports"))
lg, tz = lang(), office().timezone

if allowed(actor.role, Action.BUILD_REPORT) and st.button(tr("report.build_now"), key="report_build"):
    week, outcome = build_now(engine(), actor, clock.now())
    st.toast(phrase(f"report.{outcome}", week=fmt_date(week, lg)))

weeks = report_weeks(engine(), actor)
if not weeks:
    st.info(tr("report.no_reports"))
    st.stop()
picked = st.selectbox(tr("report.pick"), [w["week_start"] for w in weeks], key="report_week",
                      format_func=lambda w: fmt_date(w, lg))
report = open_week(engine(), actor, picked)
data = report.data

st.header(plain(week_title(data, lg)))
st.caption(phrase("report.built_at", when=fmt_datetime(report.built_at, lg, tz)))
if report.mailed_at is not None:
    st.caption(phrase("report.mailed", when=fmt_datetime(report.mailed_at, lg, tz), to=report.mailed_to))
elif report.mail_error:
    st.caption(phrase("report.mail_failed", error=report.mail_error))
else:
    st.caption(tr("report.not_mailed"))
if report.pdf:
    st.download_button(tr("report.download"), report.pdf, file_name=f"weekly-report-{picked.isoformat()}.pdf",
                       mime="application/pdf", key="report_pdf")

drawn = charts(data, lg)
for shown in tables(data, lg):
    st.subheader(tr(f"report.section.{shown.key}"))
    rows = [dict(zip(shown.keys, row, strict=True)) for row in shown.rows]
    table(rows, {k: (f"report.col.{k}", "text") for k in shown.keys}, empty="report.none")
    if shown.key in drawn:
        st.altair_chart(drawn[shown.key], width="content", height=PAGE_HEIGHT[shown.key])
    if shown.key == "paid":
        st.caption(plain(paid_totals(data, lg)))  # money signs read as text, never as Markdown
