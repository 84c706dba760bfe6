"""The import wizard's glue (C-1; issue 13 "Import"): a spreadsheet of customers read, mapped, checked and,
on the last button only, written by core.imports, all or nothing.

The wizard's state lives in st.session_state under the uploaded file's SHA-256 (`Wizard`), so a second file
starts afresh and the same file picked again keeps its choices; the widgets' keys carry the same hash. A
refresh of the browser ends the session and with it the upload (Streamlit keeps no file across sessions):
the page says so, and since nothing was written before the last button, nothing is lost but the choices.
Whatever came from the file (its name, headers, values) is shown as plain text (ui.text.plain); the tables
are st.dataframe, whose cells are plain already."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import streamlit as st

from core.errors import DomainError, Invalid
from core.imports.fields import FIELDS, guess, remembered, shape
from core.imports.plan import Analysis, Options, analyse
from core.imports.read import MAX_BYTES, Source, Table, sheets, source, table
from core.imports.services import Result, run_import
from ui import clock
from ui.context import engine, office, tr
from ui.feedback import MARK
from ui.feedback import refusal as _refusal
from ui.text import Markdown, phrase

STATE = "_import"  # {sha256: Wizard}: the file in hand, one at a time
UPLOAD = "_import_upload"  # (uploader file id, Source): hashed once per upload, not on every run
NONCE = "_import_nonce"  # a new uploader (key) after an import: Streamlit lets no script empty one
MEGABYTE = 1024 * 1024
NOT_MAPPED = ""  # a column left out of the import
SHEETS = ("sheets",)  # Wizard.read's key for the workbook's sheet names (a sheet's key is its name or None)


@dataclass
class Wizard:
    """One uploaded file's way through the wizard: its mapping (and where that came from), the last analysis
    and the options it was made with, and the result once imported."""

    src: Source
    sheet_no: int = 0  # the workbook's sheet the choices below are for (a CSV's one table: 0)
    origin: str = ""  # "remembered" | "guessed": where the first mapping came from
    mapping: dict[int, str] = field(default_factory=dict)
    analysed: tuple | None = None
    analysis: Analysis | None = None
    mapping_now: dict[int, str] = field(default_factory=dict)  # the mapping of the last analysis
    asked: list[int] = field(default_factory=list)  # date columns whose day/month order the file left open
    cells: dict | None = None  # the refused cells' text, for the problems shown (ui.import_rows.cells)
    tab: Table | None = None  # the sheet imported, for the refused rows' workbook after the import
    result: Result | None = None
    read: dict = field(default_factory=dict)  # SHEETS -> the sheet names, a sheet -> its Table, or the refusal

    def once(self, key: object, reading):
        """What reading the file gave for `key` (its sheet names, a sheet's Table, or the DomainError refusing
        it), read on the first run only: the file does not change under its hash, and every rerun reading the
        whole workbook again (zip, XML passes, calamine) would make each click slow (C-1)."""
        if key not in self.read:
            try:
                self.read[key] = reading()
            except DomainError as err:
                self.read[key] = err
        return self.read[key]

    def other_sheet(self, sheet_no: int) -> None:
        """Another sheet of the workbook: its own mapping, analysis and questions."""
        self.sheet_no, self.origin, self.mapping, self.mapping_now, self.asked = sheet_no, "", {}, {}, []
        self.analysed = self.analysis = None

    def date_questions(self) -> list[int]:
        """The date columns to ask about: once asked, a column stays asked (an answered column is no longer
        ambiguous to core, but its answer must stay on screen, changeable), while it is mapped to a date."""
        return [i for i in self.asked if i in self.mapping_now and FIELDS[self.mapping_now[i]].kind == "date"]


def wkey(wz: Wizard, name: str) -> str:
    """A widget's key for this file and sheet: the same file keeps its choices, another file or another sheet of
    the workbook starts afresh."""
    return f"imp_{wz.src.sha256[:16]}_{wz.sheet_no}_{name}"


def upload() -> Source | None:
    """Step 1: the file the user picked (.xlsx or .csv, at most MAX_BYTES), or None."""
    limit = MAX_BYTES // MEGABYTE
    picked = st.file_uploader(tr("import_ui.file"), type=["xlsx", "csv"], max_upload_size=limit,
                              key=f"imp_file_{st.session_state.get(NONCE, 0)}",
                              help=phrase("import_ui.file_help", size=limit))
    st.caption(phrase("import_ui.limits", size=limit))
    if picked is None:  # none picked, or the file taken away: its bytes are not kept
        st.session_state.pop(UPLOAD, None)
        st.session_state.pop(STATE, None)
        return None
    kept = st.session_state.get(UPLOAD)
    if kept is None or kept[0] != picked.file_id:
        try:
            kept = (picked.file_id, source(picked.name, picked.getvalue()))
        except DomainError as err:
            refusal(err)
            return None
        st.session_state[UPLOAD] = kept
    return kept[1]


def field_name(name: str) -> str:
    return tr(FIELDS[name].label_key)


def refusal(err: DomainError) -> None:
    """A refusal's message, a field it names (a required field with no column) by its label, not its key."""
    if isinstance(err, Invalid) and err.params.get("field") in FIELDS:
        err = Invalid(err.key, **(err.params | {"field": field_name(str(err.params["field"]))}))
    _refusal(err)


def wizard(src: Source) -> Wizard:
    store = st.session_state.setdefault(STATE, {})
    if src.sha256 not in store:
        store.clear()  # one file in hand: an earlier file's bytes are not kept for the session's life
        store[src.sha256] = Wizard(src)
    return store[src.sha256]


def sheet_table(wz: Wizard) -> Table | None:
    """The sheet to read (asked when the workbook has several) and its header row; a file that cannot be read
    is refused with its reason."""
    names = wz.once(SHEETS, lambda: sheets(wz.src))
    if isinstance(names, DomainError):
        refusal(names)
        return None
    chosen = st.selectbox(tr("import_ui.sheet"), names, key=f"imp_{wz.src.sha256[:16]}_sheet") \
        if len(names) > 1 else None
    tab = wz.once(chosen, lambda: table(wz.src, chosen))
    if isinstance(tab, DomainError):
        refusal(tab)
        return None
    if chosen is not None and names.index(chosen) != wz.sheet_no:
        wz.other_sheet(names.index(chosen))
    if tab.encoding:
        name = Markdown(tr(f"import_ui.enc.{tab.encoding.replace('-', '_')}"))  # a catalog text, not the file's
        st.caption(phrase("import_ui.encoding", encoding=name))
    if tab.header_row > 1:  # a title or notes above the column names were passed over
        st.caption(phrase("import_ui.header_row", row=tab.header_row))
    return tab


def field_label(name: str) -> str:
    if name == NOT_MAPPED:
        return tr("import_ui.not_mapped")
    spec = FIELDS[name]
    return tr(spec.label_key) + (tr(MARK) if spec.required else "")


def first_mapping(wz: Wizard, tab: Table) -> dict[int, str]:
    """The mapping remembered for files of this shape, else guessed from the header names."""
    if not wz.origin:
        kept = remembered(engine(), shape(tab.headers))
        wz.origin, wz.mapping = ("remembered", kept) if kept else ("guessed", guess(tab.headers))
    return wz.mapping


def chosen_mapping(wz: Wizard, tab: Table) -> dict[int, str]:
    """The mapping as the form holds it (its values change only when the form is sent)."""
    first = first_mapping(wz, tab)
    picked = {i: st.session_state.get(wkey(wz, f"map_{i}"), first.get(i, NOT_MAPPED))
              for i in range(len(tab.headers))}
    return {i: name for i, name in picked.items() if name != NOT_MAPPED}


def options_of(wz: Wizard, mapping: dict[int, str]) -> Options:
    """The user's answers, read from the widgets' state before the widgets are drawn again (the analysis that
    decides which questions to ask needs the answers already given)."""
    state = st.session_state
    orders = {i: state[wkey(wz, f"date_{i}")] for i in wz.asked if state.get(wkey(wz, f"date_{i}"))}
    return Options(mapping=mapping, date_orders=orders, duplicates=state.get(wkey(wz, "dups")) or "refuse",
                   take_good_rows=bool(state.get(wkey(wz, "take_good"))),
                   reimport=bool(state.get(wkey(wz, "again"))))


def analysis(actor, wz: Wizard, tab: Table, options: Options) -> Analysis | None:
    """Step 3: everything read and checked, nothing written; made again only when an answer that changes it
    changed (the whole file is read each time)."""
    asked = replace(options, take_good_rows=False, reimport=False)
    signature = (tab.sheet, sorted(asked.mapping.items()), sorted(asked.date_orders.items()), asked.duplicates)
    if wz.analysed != signature:
        try:
            with st.spinner(tr("import_ui.analysing")):
                today = clock.now().astimezone(ZoneInfo(office().timezone)).date()
                wz.analysis = analyse(engine(), actor, wz.src, tab, asked, today)
        except DomainError as err:
            wz.analysed, wz.analysis = None, None
            refusal(err)
            return None
        wz.analysed, wz.mapping_now, wz.cells = signature, dict(asked.mapping), None
        wz.asked += [i for i in wz.analysis.ambiguous_dates if i not in wz.asked]
    return wz.analysis


def run(actor, wz: Wizard, tab: Table, options: Options) -> None:
    """Step 4: the import, all or nothing, with a progress bar; a refusal says why and nothing was written."""
    bar = st.progress(0.0, text=tr("import_ui.importing"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=tr("import_ui.progress", done=done, total=total))

    try:
        wz.result, wz.tab = run_import(engine(), actor, wz.src, tab, options, clock.now(), progress), tab
    except DomainError as err:
        bar.empty()
        refusal(err)
        return
    wz.analysed, wz.analysis = None, None  # the archive changed: an analysis from before would mislead
    st.rerun()


def start_over() -> None:
    """A new, empty uploader and no file in hand (the button's callback, before the page is drawn)."""
    st.session_state.pop(STATE, None)
    st.session_state.pop(UPLOAD, None)
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def unanswered(wz: Wizard, found: Analysis) -> list[str]:
    """The questions the import waits for: each ambiguous date column's order, and what to do with customers
    already in the archive (never guessed for the user: an update changes records they did not touch)."""
    state = st.session_state
    missing = [f"date_{i}" for i in wz.date_questions() if not state.get(wkey(wz, f"date_{i}"))]
    if found.archive_duplicates and not state.get(wkey(wz, "dups")):
        missing.append("dups")
    return missing
