"""A list's export (issue 13): two buttons, Excel and CSV, for the roles of the export table
(core.permissions.EXPORTS). On the click every row the list's filters select is streamed from the database
(core.lists.stream) into a file on disk (core.export), with a progress bar, and the user gets a one-time link
to it, served from disk by ui.export_route: a million-row file never sits in the server's memory (Streamlit's
download_button would hold all its bytes, and again in each session that shows it). The cells are those the
table shows (translated headers, office-local dates, enum labels), except amounts, which stay numbers in the
workbook so finance can add them up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import streamlit as st

from core.errors import DomainError
from core.export.names import sheet_name
from core.export.services import export_list
from core.export.writers import write_csv, write_xlsx
from core.lists import Consumer
from core.permissions import may_export
from ui import auth, clock
from ui.context import engine, lang, office, tr
from ui.feedback import refusal
from ui.text import phrase
from ui.widgets import cell_formats

log = logging.getLogger(__name__)
ROUTE = "/export/"  # ui.export_route serves the files
NOT_FILTERS = ("page", "size", "id")  # the URL's view of the list, not what it selects
PROGRESS_EVERY = 5_000  # rows between two updates of the progress bar
Feed = Callable[[Consumer], int]  # hands an iterator of row dicts to a consumer once; returns what it returned


def rows_of(rows: list[dict]) -> Feed:
    """A feed of rows already in hand (a chart's data, one finance week)."""
    return lambda consume: consume(iter(rows))


def records_of(frame) -> Feed:
    """A feed of a frame's rows, made into records only when an export reads it (not on every page run)."""
    return lambda consume: consume(iter(frame.to_dict("records")))


def chart_data(chart: str, frame, flt) -> None:
    """A KPI chart's data (its DataFrame, enum columns already labelled) as the chart `chart` exports it;
    `flt` the page's filter (a dataclass: the KPI page keeps its filters in widgets, not in the URL)."""
    if frame is None or frame.empty:
        return
    columns = {c: (f"export.kpi.{c}", "date" if c == "week" else "text") for c in frame.columns}
    shown = {name: [str(getattr(v, "value", v)) for v in (value if isinstance(value, tuple | list) else [value])]
             for name, value in vars(flt).items() if value not in (None, (), [])}
    offer("kpis", columns, records_of(frame), key=f"kpis_{chart}", query=shown | {"chart": [chart]},
          subject=tr(f"kpi.chart.{chart}"))


def url_query() -> dict[str, list[str]]:
    """The URL's filter parameters, as an export's audit records them."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k not in NOT_FILTERS}


def offer(listing: str, columns: dict[str, tuple[str, str]], feed: Feed,
          decorate: Callable[[list[dict]], list[dict]] | None = None, total: int | None = None,
          key: str | None = None, query: dict | None = None, subject: str | None = None) -> None:
    """The export buttons of `listing` (a key of EXPORTS) for a role that may export it; `columns` as the
    table's (field → label key, kind), `decorate` the display columns the page adds, `total` the rows the
    list holds (for the progress bar), `key` the buttons' own when a page offers several exports, `query` the
    filter the audit records (default: the URL's), `subject` what of the list the file holds (core.export.names:
    a KPI chart's title names the file and its sheet)."""
    actor = auth.current_actor()
    if actor is None or not may_export(actor.role, listing) or total == 0:
        return
    # a chart's export sits under a half-width chart: two halves, so neither label is cut short
    left, right = st.columns(2) if listing == "kpis" else st.columns([1, 1, 2])[:2]
    wanted = [fmt for fmt, col in (("xlsx", left), ("csv", right))
              if col.button(tr(f"export.{fmt}"), key=f"export_{key or listing}_{fmt}", icon=":material/download:")]
    if wanted:
        query = query if query is not None else url_query()
        _build(actor, listing, wanted[0], columns, feed, decorate, total, query, subject)


def _build(actor, listing: str, fmt: str, columns, feed: Feed, decorate, total: int | None, query: dict,
           subject: str | None = None) -> None:
    bar = st.progress(0.0, text=tr("export.building"))
    def tick(n: int) -> None:
        bar.progress(min(1.0, n / total) if total else 0.0, text=tr("export.building"))

    write = _writer(fmt, sheet_name(listing, lang(), subject), columns, feed, decorate, tick)
    try:
        with st.spinner(tr("export.building")):
            made = export_list(engine(), actor, listing, query, fmt, write, clock.now(), office().timezone,
                               auth.session_token(), lang(), subject)
    except DomainError as err:
        bar.empty()
        refusal(err)
        return
    except Exception:
        log.exception("export of %s failed", listing)
        bar.empty()
        st.error(tr("export.failed"))
        return
    bar.empty()
    st.link_button(phrase("export.download", rows=made.rows), ROUTE + made.token, icon=":material/download:",
                   type="primary")
    st.caption(tr("export.once"))


def _writer(fmt: str, sheet: str, columns, feed: Feed, decorate, tick: Callable[[int], None]) -> Callable:
    """`write(path)`: the feed's rows, decorated chunk by chunk as they come, into the file (a workbook's
    sheet named `sheet`)."""
    fmts = cell_formats()
    fields = list(columns.items())
    numbers = fmt == "xlsx"  # amounts stay numbers in a workbook; a CSV shows them as the table does

    def cells(row: dict) -> list:
        return [row.get(field) / 100 if numbers and kind == "money" and row.get(field) is not None
                else fmts[kind](row.get(field)) for field, (_, kind) in fields]

    def lines(rows: Iterator[dict]) -> Iterator[list]:
        chunk, done = [], 0
        for row in rows:
            chunk.append(row)
            if len(chunk) == PROGRESS_EVERY:
                yield from map(cells, decorate(chunk) if decorate else chunk)
                done += len(chunk)
                tick(done)
                chunk = []
        yield from map(cells, decorate(chunk) if decorate else chunk)

    headers = [tr(label) for label, _ in columns.values()]
    if fmt == "xlsx":
        return lambda path: feed(lambda rows: write_xlsx(path, headers, lines(rows), sheet))
    return lambda path: feed(lambda rows: write_csv(path, headers, lines(rows)))
