"""Widgets the pages share: enum filters, a person filter, a date range and the table. A list page ties them to
the URL through ui.listing (which also pages, sorts and opens a record by a row click); `page_controls` and
`pager` are the older session-kept paging of the task lists (ui.task_form): two lists on one page, which cannot
share the URL's `page`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum

import pandas as pd
import streamlit as st

from core.fmt import fmt_date, fmt_datetime, fmt_money
from core.i18n import enum_label
from core.lists import PAGE_SIZES, Page
from core.phones import readable
from ui.context import lang, office, tr
from ui.text import phrase

OnChange = Callable[..., None] | None  # ui.listing passes a callback that writes the choice into the URL


def enum_filter(label_key: str, enum_cls: type[Enum], key: str, options: tuple | None = None,
                on_change: OnChange = None, args: tuple = ()) -> tuple:
    """A multiselect of an enum's translated values (or only `options`, those the user may see); empty means
    no filter."""
    lg = lang()  # captured now: format_func may be called outside the script run
    choices = list(enum_cls if options is None else options)
    return tuple(st.multiselect(tr(label_key), choices, key=key, format_func=lambda m: enum_label(m, lg),
                                placeholder=tr("list.any"), select_all=False,  # nothing chosen is all
                                on_change=on_change, args=args))


def person_filter(label_key: str, people: dict[int, str], key: str, any_key: str = "list.any",
                  on_change: OnChange = None, args: tuple = ()) -> int | None:
    """A select box of staff by id; None (shown as "Any") means no filter."""
    any_label = tr(any_key)
    return st.selectbox(tr(label_key), [None, *people], key=key, on_change=on_change, args=args,
                        placeholder=any_label,  # None may show as either
                        format_func=lambda i: any_label if i is None else people.get(i, str(i)))


def date_range(label_key: str, key: str, on_change: OnChange = None,
               args: tuple = ()) -> tuple[date | None, date | None]:
    value = st.date_input(tr(label_key), value=(), key=key, format="YYYY-MM-DD", on_change=on_change, args=args)
    if isinstance(value, tuple | list):
        start = value[0] if len(value) > 0 else None
        end = value[1] if len(value) > 1 else start
        return start, end
    return value, value


def page_controls(key: str, signature: object) -> tuple[int, int]:
    """Page number and size kept per list; a change of filters goes back to page 1."""
    if st.session_state.get(f"{key}_sig") != signature:
        st.session_state[f"{key}_sig"] = signature
        st.session_state[f"{key}_page"] = 1
    return st.session_state.get(f"{key}_page", 1), st.session_state.get(f"{key}_size", PAGE_SIZES[0])


def pager(page: Page, key: str, more: bool = False) -> None:
    """The page number, the page size and the count; `more`: the total is only a floor ("more than total")."""
    left, mid, right = st.columns([2, 2, 3])
    left.number_input(tr("list.page"), min_value=1, max_value=page.pages, key=f"{key}_page", step=1)
    mid.selectbox(tr("list.page_size"), PAGE_SIZES, key=f"{key}_size")
    total = f"{page.total:,}" if more else page.total
    right.caption(phrase("list.count_more" if more else "list.count", total=total, page=page.page, pages=page.pages))


Formatter = Callable[[object], object]


def cell_formats() -> dict[str, Formatter]:
    """Formatters by kind: office time zone and the user's language for times, dates and money."""
    tz, cur, lg, region = office().timezone, office().currency, lang(), office().phone_region
    return {
        "datetime": lambda v: fmt_datetime(v, lg, tz),
        "date": lambda v: fmt_date(v, lg),
        "money": lambda v: fmt_money(v, lg, cur),
        "enum": lambda v: enum_label(v, lg),
        "text": lambda v: "" if v is None else v,
        "phone": lambda v: readable(v, region),  # C-1: stored E.164 or as typed, read grouped the office's way
        "bool": lambda v: "" if v is None else tr("common.yes") if v else tr("common.no"),
    }


def table(rows: list[dict], columns: dict[str, tuple[str, str]], key: str | None = None,
          empty: str = "list.empty") -> list[int]:
    """Rows shown with translated headers; `columns` maps field → (label key, kind of format), the columns that
    matter first (a phone shows only the first few without scrolling). With a `key` a row can be clicked, on
    any of its cells or on its marker: the positions of the clicked rows are returned. Column selection is
    switched on only because it turns off the grid's own header sort, which would sort the rows on screen alone
    (lists sort in SQL, ui.listing). No rows: the catalog text `empty` (a filtered list's by default)."""
    fmts = cell_formats()
    data = {tr(label): [fmts[kind](r.get(field)) for r in rows] for field, (label, kind) in columns.items()}
    if not rows:
        st.info(tr(empty))
        return []
    frame = pd.DataFrame(data)
    if key is None:
        st.dataframe(frame, hide_index=True, width="stretch")
        return []
    event = st.dataframe(frame, hide_index=True, width="stretch", key=key, on_select="rerun",
                         selection_mode=["single-row", "single-cell", "single-column"])
    chosen = event.selection
    return list(chosen.get("rows") or []) + [cell[0] for cell in chosen.get("cells") or []]

