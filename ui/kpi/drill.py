"""From a number to its records (issue 14): a click on a chart's mark, or a headline's "show records", puts
the pick in the URL (`pick=chart:key=value,...`, the mark's raw keys percent-encoded), so the link reproduces
it; the records the mark counts are listed under its chart with the dashboard's filters, paged in SQL
(core.kpi.drill.DRILLS), each a link to its record's page, and exported like a list."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, unquote

import streamlit as st

from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.kpi import KpiFilter, drill_page
from core.kpi.drill import DRILLS
from core.lists import PAGE_SIZES, Page
from db.enums import CallbackStatus, CallOutcome, ComplaintStatus, LeadStatus, WorkOrderStatus
from ui import widgets
from ui.charts import KEY, PICK, compute
from ui.context import engine, lang, office, tr
from ui.export import offer, url_query
from ui.text import phrase, plain

URL = "pick"
TOLD = "drill_told"  # the pick last announced by a toast: a new one is announced once, not at every rerun
CHUNK = 1_000  # rows an export of the list fetches at a time
RECORD_PAGES = {"callback": "pages/callbacks.py", "attempt": "pages/callbacks.py", "work_order": "pages/work_orders.py",
                "complaint": "pages/complaints.py", "lead": "pages/leads.py"}
STATUSES = {"callback": CallbackStatus, "attempt": CallOutcome, "work_order": WorkOrderStatus,
            "complaint": ComplaintStatus, "lead": LeadStatus}
COLUMNS = {"number": ("kpi_ui.col.number", "text"), "customer": ("kpi_ui.col.customer", "text"),
           "at": ("kpi_ui.col.at", "datetime"), "status": ("kpi_ui.col.status", "text"),
           "staff": ("kpi_ui.col.staff", "text")}


def has_drill(chart: str) -> bool:
    return chart in DRILLS


def encode(chart: str, pick: dict[str, str]) -> str:
    """The pick as the URL writes it: `chart:key=value,...`, each key and value percent-encoded, so any text (a
    dissatisfaction reason, a product model with "," or "=") reads back as it was (`parse_pick`)."""
    return chart + ":" + ",".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pick.items())


def current() -> tuple[str, dict[str, str]] | None:
    return parse_pick(st.query_params.get(URL) or "")


def parse_pick(raw: str) -> tuple[str, dict[str, str]] | None:
    """A pick as the URL writes it (`encode`), as (chart, raw keys); anything that does not read as one of a
    chart with a drill-down is no pick. Whether the keys fit the chart is the drill function's to say."""
    chart, _, rest = raw.partition(":")
    pairs = [p.partition("=") for p in rest.split(",") if p]
    if chart not in DRILLS or not pairs or any(not k or not sep for k, sep, _ in pairs):
        return None
    return chart, {unquote(k): unquote(v) for k, _, v in pairs}


def _pick(chart: str, pick: dict[str, str]) -> None:
    st.query_params[URL] = encode(chart, pick)


def chart_key(chart: str) -> str:
    """The widget key of `chart`: renewed when the pick its selection made is no longer the URL's (closed,
    replaced by another mark, a headline or a link), so the chart comes back without a selection and a click on
    the same mark picks it again (the browser sends no event for a selection that has not changed)."""
    made, generation = f"drill_{chart}_made", f"drill_{chart}_gen"
    if st.session_state.get(made) not in (None, st.query_params.get(URL)):
        st.session_state[generation] = st.session_state.get(generation, 0) + 1
        st.session_state.pop(made, None)
        st.session_state.pop(f"drill_{chart}_seen", None)
    n = st.session_state.get(generation, 0)
    return f"chart_{chart}" + (f"_{n}" if n else "")


def picked(chart: str, event) -> None:
    """A click on a mark of `chart` (its selection event) becomes the URL's pick; a selection already seen
    (the chart's state kept over a rerun) is not taken again, so a pick closed or replaced stays so. A pick
    that replaces another chart's reruns the page, so that chart is drawn anew without its old selection."""
    chosen = (event.selection.get(PICK) if event else None) or []
    seen = f"drill_{chart}_seen"
    if chosen and chosen != st.session_state.get(seen):
        before = current()
        _pick(chart, {k.removesuffix(KEY): str(v) for k, v in chosen[0].items() if k.endswith(KEY)})
        st.session_state[f"drill_{chart}_made"] = st.query_params.get(URL)
        st.session_state[seen] = chosen
        if before is not None and before[0] != chart:
            st.rerun()
    st.session_state[seen] = chosen


def show_records_button(chart: str, pick: dict[str, str], key: str) -> None:
    st.button(tr("kpi_ui.show_records"), key=key, icon=":material/list:", on_click=_pick, args=(chart, pick),
              type="tertiary")


def _close() -> None:
    st.query_params.pop(URL, None)


def _label(row: dict) -> str:
    status = _status(row)
    when = fmt_datetime(row["at"], lang(), office().timezone)
    return " · ".join(str(v) for v in (row["number"], row["customer"], when, status, row["staff"]) if v)


def _feed(chart: str, f: KpiFilter, tz: str, now, pick: dict):
    def rows() -> Iterator[dict]:
        offset = 0
        while True:
            chunk, _ = DRILLS[chart](engine(), f, tz, now, pick, CHUNK, offset)
            yield from ({**r, "status": _status(r)} for r in chunk)
            if len(chunk) < CHUNK:
                return
            offset += CHUNK
    return lambda consume: consume(rows())


def _status(row: dict) -> str:
    cls = STATUSES.get(row["kind"])
    return enum_label(cls(row["status"]), lang()) if cls and row["status"] else ""


def records(chart: str, f: KpiFilter, tz: str, now, under_chart: bool = True) -> None:
    """The records of the URL's pick if it picks a mark of `chart`: a page of links to their records, the
    pager, the export and a way to close the list. A pick the chart cannot hold: a notice, and no list.
    `under_chart`: listed under the chart's row (else at the end of the area: a chart it does not draw), as
    the toast announcing a new pick says."""
    chosen = current()
    if chosen is None or chosen[0] != chart:
        return
    pick = chosen[1]
    key = f"drill_{chart}"
    number, size = widgets.page_controls(key, (chart, tuple(pick.items()), f))
    try:
        rows, total = compute(DRILLS[chart], f, tz, now, pick, size, (number - 1) * size)
    except (ValueError, KeyError, OverflowError):  # every drill refuses with ValueError (core.kpi.drill_page)
        st.warning(tr("kpi_ui.bad_pick"))
        _close()
        return
    more = drill_page.more_than_cap(total)  # counted up to CAP: past it, "10,000+" and pages through the first CAP rows
    title = tr(f"kpi.chart.{chart}")
    shown = f"{drill_page.CAP:,}+" if more else f"{total:,}"
    if st.session_state.get(TOLD) != st.query_params.get(URL):  # the list opens under the row, maybe out of sight
        st.toast(phrase("kpi_ui.records_below" if under_chart else "kpi_ui.records_at_end", chart=title, total=shown),
                 icon=":material/list:")
        st.session_state[TOLD] = st.query_params.get(URL)
    with st.container(border=True, key=f"drilled_{chart}"):  # not records_<name>: a headline button's key
        head, close = st.columns([5, 1], vertical_alignment="center")
        head.markdown(phrase("kpi_ui.records_more", chart=title, total=f"{drill_page.CAP:,}") if more
                      else phrase("kpi_ui.records", chart=title, total=total))
        close.button(tr("kpi_ui.close"), key=f"{key}_close", icon=":material/close:", on_click=_close)
        if not rows:
            st.info(tr("list.empty"))
        for row in rows:
            st.page_link(RECORD_PAGES[row["kind"]], label=plain(_label(row)), query_params={"id": str(row["id"])},
                         icon=":material/open_in_new:")
        if more or total > PAGE_SIZES[0]:
            widgets.pager(Page(rows, min(total, drill_page.CAP), number, size), key, more=more)
        # the export writes every row, past CAP too: its progress has no end to measure against then
        offer("kpis", COLUMNS, _feed(chart, f, tz, now, pick), total=None if more else total, key=key,
              query={**url_query(), "chart": [chart], URL: [encode(chart, pick)]},  # the dashboard's filters too
              subject=tr("kpi_ui.records_file", chart=title))


def headline_records(charts: set[str], f: KpiFilter, tz: str, now) -> None:
    """The records of a headline's pick whose chart is not drawn in the area (or of a link's pick of a chart
    of another area: listed, not silently ignored), at the end of the area."""
    for chart in sorted(charts):
        records(chart, f, tz, now, under_chart=False)


def forget_told() -> None:
    """No pick on this run (closed, another area, a new link): the next pick is announced, even the same one."""
    st.session_state.pop(TOLD, None)
