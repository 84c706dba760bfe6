"""Import customers (C-1): pick a spreadsheet, map its columns, read the analysis, import all or nothing.
Nothing is written before the last button (ui.import_wizard holds the steps' state and calls core.imports)."""

import pandas as pd
import streamlit as st

from core.imports.fields import FIELDS
from core.imports.plan import Analysis
from core.imports.read import Table
from ui import import_rows as view
from ui import import_wizard as wiz
from ui.auth import page_guard
from ui.context import lang, tr
from ui.feedback import required_legend
from ui.text import heading, phrase, plain

SHOWN_PROBLEMS = 500  # on screen; the bad rows' workbook holds them all
ORDERS = ("dmy", "mdy")  # the question is the day/month order; a year first is never in doubt


def mapping_form(wz: wiz.Wizard, tab: Table) -> dict[int, str]:
    """Step 2: each column of the file → a field, guessed from the headers or remembered from the last file of
    the same shape; the form's choices count when it is sent."""
    heading("import_ui.step_mapping")
    mapping = wiz.chosen_mapping(wz, tab)
    st.caption(tr(f"import_ui.mapping_{wz.origin}"))
    options = [wiz.NOT_MAPPED, *FIELDS]
    with st.form(wiz.wkey(wz, "mapping")):
        columns = st.columns(3)
        for i, header in enumerate(tab.headers):
            current = wz.mapping.get(i, wiz.NOT_MAPPED)
            columns[i % 3].selectbox(plain(header) if header else phrase("import_ui.blank_header", n=i + 1),
                                     options, index=options.index(current), format_func=wiz.field_label,
                                     key=wiz.wkey(wz, f"map_{i}"))
        required_legend()
        st.form_submit_button(tr("import_ui.check"), type="secondary")
    return mapping


def problems(wz: wiz.Wizard, tab: Table, found: Analysis) -> None:
    """Every row that cannot be taken, with its row number, column, reason and the value as it was in the file;
    the bad rows to download."""
    if not found.problems:
        st.success(tr("import_ui.no_problems"))
        return
    shown = found.problems[:SHOWN_PROBLEMS]
    if wz.cells is None:
        wz.cells = view.cells(wz.src, tab, shown)
    st.dataframe(pd.DataFrame(view.problem_rows(shown, wz.cells)), hide_index=True, width="stretch")
    if len(found.problems) > SHOWN_PROBLEMS:
        st.caption(phrase("import_ui.problems_cut", shown=SHOWN_PROBLEMS, total=len(found.problems)))
    bad_rows_button(wz.src, tab, found.problems, wiz.wkey(wz, "bad_rows"))


def bad_rows_button(src, tab: Table, refused: list, key: str) -> None:
    lg = lang()  # taken in the run: the workbook is made on the click, outside it
    st.download_button(tr("import_ui.bad_rows"), data=lambda: view.bad_rows(src, tab, refused, lg),
                       file_name=view.bad_rows_name(src), mime=view.XLSX, on_click="ignore",
                       icon=":material/download:", key=key)


def questions(wz: wiz.Wizard, tab: Table, found: Analysis) -> None:
    """What the file does not tell: the day/month order of a date column, what to do with customers already in
    the archive, a file imported before, and whether to take the good rows when some are refused."""
    for i in wz.date_questions():
        st.radio(phrase("import_ui.date_order", column=tab.headers[i]), ORDERS, index=None, horizontal=True,
                 format_func=lambda o: tr(f"import_ui.order.{o}"), key=wiz.wkey(wz, f"date_{i}"))
    if found.archive_duplicates:
        st.radio(phrase("import_ui.duplicates", count=found.archive_duplicates), ("update", "skip", "refuse"),
                 index=None, format_func=lambda o: tr(f"import_ui.dups.{o}"), key=wiz.wkey(wz, "dups"))
    if found.earlier:
        st.warning(phrase("import_ui.earlier", **view.earlier(found.earlier)))
        st.checkbox(tr("import_ui.again"), key=wiz.wkey(wz, "again"))
    if found.problems and found.good:
        st.checkbox(phrase("import_ui.take_good", good=found.good, bad=found.rows - found.good),
                    key=wiz.wkey(wz, "take_good"))


def check(actor, wz: wiz.Wizard, tab: Table) -> None:
    mapping = mapping_form(wz, tab)
    options = wiz.options_of(wz, mapping)
    found = wiz.analysis(actor, wz, tab, options)
    if found is None:
        return
    heading("import_ui.step_analysis")
    cols = st.columns(4)
    for col, (key, value) in zip(cols, [("rows", found.rows), ("good", found.good),
                                        ("bad", found.rows - found.good), ("archive", found.archive_duplicates)],
                                 strict=True):
        col.metric(tr(f"import_ui.count.{key}"), plain(value))
    for note in found.notes:  # how a column was read: two-digit years, Excel serial numbers
        st.info(phrase("import_ui.note", column=note.column or "", reason=phrase(note.key, **note.params)))
    problems(wz, tab, found)
    questions(wz, tab, found)
    heading("import_ui.step_preview")
    view.preview(found)
    heading("import_ui.step_import")
    missing = wiz.unanswered(wz, found)
    if missing:
        st.info(tr("import_ui.answer_first"))
    if st.button(tr("import_ui.run"), type="primary", disabled=bool(missing), key=wiz.wkey(wz, "run")):
        wiz.run(actor, wz, tab, wiz.options_of(wz, mapping))


def done(wz: wiz.Wizard) -> None:
    """Step 4's result: what was created, updated, skipped and refused, and the way to the customers."""
    res = wz.result
    st.success(phrase("import_ui.done", name=wz.src.name))
    cols = st.columns(4)
    for col, key in zip(cols, ("created", "updated", "skipped", "refused"), strict=True):
        col.metric(tr(f"import_ui.count.{key}"), plain(getattr(res, key)))
    if res.problems:  # the rows left out, to fix and import again
        bad_rows_button(wz.src, wz.tab, res.problems, "imp_left_out")
    st.page_link("pages/customers.py", label=tr("import_ui.to_customers"), icon=":material/groups:")
    st.button(tr("import_ui.another"), on_click=wiz.start_over, key="imp_another")


actor = page_guard("imports")
st.title(tr("nav.imports"))
st.caption(tr("import_ui.intro"))
src = wiz.upload()
if src is not None:
    wz = wiz.wizard(src)
    if wz.result is not None:
        done(wz)
    else:
        tab = wiz.sheet_table(wz)
        if tab is not None:
            check(actor, wz, tab)
