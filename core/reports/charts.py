"""The weekly report's charts as Altair specs (the page draws them with st.altair_chart) and as PNG images for
the PDF and the mail, rendered by vl-convert: no browser and no internet; the bundled CJK font is registered
with it so Chinese labels draw as glyphs."""

from __future__ import annotations

from functools import cache

import altair as alt
import pandas as pd
import vl_convert

from core.fonts import FONT_DIR, FONT_NAME
from core.i18n import enum_label, t
from db.enums import WorkOrderStatus

MEASURES = ("dialed", "completed", "appointments", "recommendations", "sales")
WIDTH, HEIGHT = 480, 180
# On the page Streamlit fits a chart, title, axes and legend, into the element's height (the spec's height is not
# kept: left to "content", grouped bars drew no height at all): the plot's height plus room for the rest.
PAGE_HEIGHT = {"activity": HEIGHT + 160, "unfinished": HEIGHT + 120}


def activity_chart(data: dict, lang: str) -> alt.Chart:
    """L-2: each specialist's week as bars per measure (dialed, completed, appointments, recommendations, sales)."""
    rows = [{"specialist": r["specialist"] or "—", "measure": t(f"report.col.{m}", lang), "count": r[m]}
            for r in data["activity"] for m in MEASURES]
    order = [t(f"report.col.{m}", lang) for m in MEASURES]
    frame = pd.DataFrame(rows, columns=["specialist", "measure", "count"])
    return alt.Chart(frame, title=t("report.chart.activity", lang), width=WIDTH, height=HEIGHT).mark_bar().encode(
        x=alt.X("specialist:N", title=t("report.col.specialist", lang), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=order),
        y=alt.Y("count:Q", title=t("report.axis.count", lang), axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("measure:N", sort=order, title=None, legend=alt.Legend(orient="bottom", columns=3)),
    )


def unfinished_chart(data: dict, lang: str) -> alt.Chart:
    """WO-7: the week's unfinished orders counted per status."""
    counts: dict[str, int] = {}
    for r in data["unfinished"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    order = [enum_label(s, lang) for s in WorkOrderStatus if s.value in counts]
    frame = pd.DataFrame([{"status": enum_label(WorkOrderStatus(s), lang), "count": n} for s, n in counts.items()],
                         columns=["status", "count"])
    return alt.Chart(frame, title=t("report.chart.unfinished", lang), width=WIDTH, height=HEIGHT).mark_bar().encode(
        x=alt.X("status:N", sort=order, title=t("report.col.status", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title=t("report.axis.count", lang), axis=alt.Axis(tickMinStep=1, format="d")),
    )


def charts(data: dict, lang: str) -> dict[str, alt.Chart]:
    """The report's charts by name, in the order shown; a section without rows has no chart (its table says
    "none")."""
    made = {"activity": activity_chart, "unfinished": unfinished_chart}
    return {name: chart(data, lang) for name, chart in made.items() if data[name]}


@cache
def _fonts_registered() -> bool:
    vl_convert.register_font_directory(str(FONT_DIR))
    return True


def png(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG image, its text in the bundled CJK font."""
    _fonts_registered()
    spec = chart.configure(font=FONT_NAME).configure_title(font=FONT_NAME).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=scale)


def chart_images(data: dict, lang: str) -> dict[str, bytes]:
    return {name: png(chart) for name, chart in charts(data, lang).items()}
