"""A list page's view lives in the URL (the URL contract): its filters, `q`, `sort`, `page` and `size` are query
parameters, and `?id=` opens one record full-page in place of the list. The URL is the one truth: a widget is
set from it whenever the two differ (a pasted link, a refresh, a count tile, the way back from a record) and
writes the user's change back to it, so the record's URL still holds the list it came from.

Values are written as the contract wants them, in no language: enum `.value`s, user ids, `all`, column names.
(Streamlit's own bind="query-params" writes a widget's displayed label, which is translated, so it is not
used here.) A value the URL may not hold is ignored: the default is shown, never an error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import streamlit as st

from core.customers.search import MIN_QUERY, too_short
from core.lists import PAGE_SIZES, Page, stream
from ui import widgets
from ui.context import tr
from ui.export import offer
from ui.text import phrase

ID, PAGE, SIZE, SORT, SEARCH = "id", "page", "size", "sort", "q"
ALL = "all"  # a filter whose default narrows (the queue's open work, my own items) widened to everything
ROWS = "rows"  # the key of the list's table, whose row selection opens a record
TEXT_MAX = 200  # a longer search term is cut (core's search then refuses what no column can hold)


@dataclass(frozen=True)
class Param:
    """One URL parameter: its strings as a widget's value (anything unknown gives the default) and back (the
    default is left out of the URL)."""

    name: str
    parse: Callable[[list[str]], Any]
    dump: Callable[[Any], list[str]]

    def value(self) -> Any:
        return self.parse(st.query_params.get_all(self.name))


def put_param(name: str, values: list[str]) -> None:
    if values:
        st.query_params[name] = values if len(values) > 1 else values[0]
    else:
        st.query_params.pop(name, None)


def _changed(param: Param, resets_page: bool) -> None:
    put_param(param.name, param.dump(st.session_state[param.name]))
    if resets_page:  # another filter, sort or page size: the old page number means nothing now
        st.query_params.pop(PAGE, None)


def bind(param: Param, resets_page: bool = True) -> tuple[Callable, tuple]:
    """Set the widget keyed `param.name` from the URL; returns its on_change and args, which write the user's
    change back. A value is set on every run, not only when the session's differs: the session holds what was
    sent, not what the browser shows, and a click during a run (a pasted link's first) can leave the widget at
    its default, which the next run then writes back over the URL. An empty value is the widget's own default:
    it is dropped (repr compares: an enum's value alone would match another enum's) rather than set, so a select
    box shows its first option ("Any") and not an empty "Choose an option"."""
    value, name = param.value(), param.name
    if value not in (None, "", (), [], False):
        st.session_state[name] = value
    elif name in st.session_state and repr(st.session_state[name]) != repr(value):
        st.session_state.pop(name, None)
    return _changed, (param, resets_page)


def set_filter(name: str, values: list[str]) -> None:
    """A control other than the filter's own widget (a count tile) sets a filter: back to page 1."""
    put_param(name, values)
    st.query_params.pop(PAGE, None)


# ---- parameters by kind of value --------------------------------------------------------------------------

def enums(name: str, choices: Sequence[Enum], default: Sequence[Enum] = ()) -> Param:
    """Repeated enum values; `all` when a narrowing default is cleared to no filter at all."""
    def parse(values: list[str]) -> list:
        if values == [ALL] and default:
            return []
        return [m for m in choices if m.value in values] or list(default)

    def dump(value) -> list[str]:
        value = list(value)
        return [] if value == list(default) else [m.value for m in value] or [ALL]
    return Param(name, parse, dump)


def person(name: str, people: dict[int, str], default: int | None = None) -> Param:
    """A user id among `people`, or `all` (None: no filter) when the default is someone."""
    def parse(values: list[str]) -> int | None:
        raw = values[-1] if values else ""
        if raw == ALL:
            return None
        return int(raw) if raw.isdecimal() and len(raw) < 19 and int(raw) in people else default  # 4300-digit cap

    def dump(value) -> list[str]:
        return [] if value == default else [ALL] if value is None else [str(value)]
    return Param(name, parse, dump)


def texts(name: str, options: Sequence[str]) -> Param:
    """Repeated values among `options` (product models), as they are; an unknown one is dropped."""
    known = set(options)
    return Param(name, lambda values: [v for v in values if v in known], lambda value: list(value or ()))


def choice(name: str, options: Sequence, default) -> Param:
    """One of `options` (strings or numbers), written as text."""
    by_text = {str(o): o for o in options}
    return Param(name, lambda values: by_text.get(values[-1], default) if values else default,
                 lambda value: [] if value == default else [str(value)])


def typed(name: str) -> Param:
    """Free text as typed (a search), cut at TEXT_MAX."""
    return Param(name, lambda values: values[-1][:TEXT_MAX] if values else "",
                 lambda value: [value] if value and value.strip() else [])


def _dates(values: list[str]) -> tuple:
    try:
        days = tuple(date.fromisoformat(v) for v in values[:2])
    except ValueError:
        return ()
    return days if len(days) < 2 or days[0] <= days[1] else ()


def dates(name: str) -> Param:
    """A range of days as one or two ISO dates."""
    return Param(name, _dates, lambda value: [d.isoformat() for d in value or () if isinstance(d, date)])


def page_param(pages: int = 10**6) -> Param:
    return Param(PAGE, lambda v: int(v[-1]) if v and v[-1].isdecimal() and len(v[-1]) < 19  # 4300-digit cap
                 and 0 < int(v[-1]) <= pages else 1,
                 lambda value: [] if value == 1 else [str(value)])


SIZE_PARAM = choice(SIZE, PAGE_SIZES, PAGE_SIZES[0])


# ---- the widgets of a list ----------------------------------------------------------------------------------

def enum_filter(label_key: str, enum_cls: type[Enum], name: str, options: tuple | None = None,
                default: tuple = ()) -> tuple:
    on_change, args = bind(enums(name, list(enum_cls if options is None else options), default))
    return widgets.enum_filter(label_key, enum_cls, name, options, on_change=on_change, args=args)


def text_filter(label_key: str, options: Sequence[str], name: str) -> tuple[str, ...]:
    """A multiselect of plain values (not translated: product models), kept in the URL as they are."""
    on_change, args = bind(texts(name, options))
    chosen = st.multiselect(tr(label_key), list(options), key=name, placeholder=tr("list.any"), select_all=False,
                            on_change=on_change, args=args)
    return tuple(chosen)


def person_filter(label_key: str, people: dict[int, str], name: str, default: int | None = None) -> int | None:
    on_change, args = bind(person(name, people, default))
    return widgets.person_filter(label_key, people, name, on_change=on_change, args=args)


def date_range(label_key: str, name: str) -> tuple[date | None, date | None]:
    on_change, args = bind(dates(name))
    return widgets.date_range(label_key, name, on_change=on_change, args=args)


def search_box(hint_key: str) -> str:
    on_change, args = bind(typed(SEARCH))
    return st.text_input(tr("list.search"), key=SEARCH, placeholder=tr(hint_key), on_change=on_change, args=args)


def sort_box(columns: dict[str, str], default_key: str) -> str:
    """The sort of the whole list, in SQL: "" (the list's own order, `default_key` names it), or a column of
    `columns` (sort name → label key) up or down, written as `name` / `-name`."""
    labels = {"": tr(default_key)}
    for name, label in columns.items():
        labels |= {name: tr("list.sort_up", column=tr(label)), f"-{name}": tr("list.sort_down", column=tr(label))}
    on_change, args = bind(choice(SORT, list(labels), ""))
    return st.selectbox(tr("list.sort"), list(labels), key=SORT, format_func=labels.get, on_change=on_change,
                        args=args, placeholder=labels[""])


def search_and_sort(hint_key: str, sorts: dict[str, str], default_key: str,
                    by_index: bool = False) -> tuple[str, str]:
    """The search box and the sort side by side above the list. `by_index`: the list searches its customers
    through the search index, which wants MIN_QUERY letters or digits (core.customers.search.too_short): a
    shorter query finds nothing, and the box says why."""
    left, right = st.columns([2, 1])
    with left:
        search = search_box(hint_key)
        if by_index and too_short(search):
            st.caption(phrase("search.too_short", count=MIN_QUERY))
    with right:
        sort = sort_box(sorts, default_key)
    return search, sort


def listed(fetch: Callable[[int, int], Page], columns: dict[str, tuple[str, str]],
           decorate: Callable[[list[dict]], list[dict]] | None = None, export: str | None = None) -> Page:
    """The page of the list the URL asks for, fetched in SQL (`fetch(number, size)`), its rows clickable
    (`decorate` adds display columns), the pager, and the export of the whole filtered list as `export` (a key
    of core.permissions.EXPORTS), streamed through the same `fetch` (core.lists.stream, ui.export). The table's
    own toolbar, which would download only the page on screen, untranslated, is hidden by ui.chrome."""
    page = fetch(*page_request())
    rows_table(decorate(page.rows) if decorate else page.rows, columns)
    pager(page)
    if export:
        offer(export, columns, streamed(fetch), decorate, page.total)
    return page


def streamed(fetch: Callable[[int, int], Page]) -> Callable:
    """The whole list of the page function `fetch` as an export's feed (core.lists.stream)."""
    return lambda consume: stream(fetch, consume)


def page_request() -> tuple[int, int]:
    """The page number and size the URL asks for (core clamps the number into range)."""
    return page_param().value(), SIZE_PARAM.value()


@contextmanager
def filters(*names: str):
    """The filters folded away (a phone has no room for them), the label saying how many are set."""
    active = sum(name in st.query_params for name in names)
    with st.expander(phrase("list.filters_active", count=active) if active else tr("list.filters"), key="filters"):
        yield


def rows_table(rows: list[dict], columns: dict[str, tuple[str, str]]) -> None:
    """The page's rows; clicking one opens it (`open_record`)."""
    picked = widgets.table(rows, columns, key=ROWS)
    if picked and picked[0] < len(rows):
        open_record(rows[picked[0]]["id"])


def pager(page: Page) -> None:
    """Page buttons, page size and the count; both kept in the URL."""
    left, mid, right = st.columns([3, 1, 2], vertical_alignment="bottom")
    with left:
        on_change, args = bind(page_param(page.pages), resets_page=False)
        if st.session_state.get(PAGE) != page.page:  # the URL's number past the end: the last page is shown
            st.session_state[PAGE] = page.page
        st.pagination(page.pages, key=PAGE, on_change=on_change, args=args)
    with mid:
        on_change, args = bind(SIZE_PARAM)
        st.selectbox(tr("list.page_size"), PAGE_SIZES, key=SIZE, on_change=on_change, args=args)
    right.caption(phrase("list.count", total=page.total, page=page.page, pages=page.pages))


# ---- one record in place of the list ------------------------------------------------------------------------

def record_id() -> int | None:
    """The record the URL opens (?id=); anything but a plain number opens none."""
    raw = st.query_params.get(ID) or ""
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def open_record(record_id: int) -> None:
    """What a row click does: ?id= joins the list's own parameters, which the way back returns to."""
    st.query_params[ID] = str(record_id)
    st.rerun()


def _close() -> None:
    st.query_params.pop(ID, None)
    st.session_state.pop(ROWS, None)  # the clicked row must not open it again


def back_to_list() -> None:
    st.button(tr("list.back"), key="back", icon=":material/arrow_back:", on_click=_close)


def list_or_record(show_list: Callable[[], None], show_record: Callable[[int], None]) -> None:
    """A list page shows either its list or, with ?id=, one record and the way back."""
    chosen = record_id()
    if chosen is None:
        show_list()
    else:
        back_to_list()
        show_record(chosen)


def not_found() -> None:
    """A record that does not exist or that the user may not read: the same words, nothing of it."""
    st.warning(tr("list.not_found"))
