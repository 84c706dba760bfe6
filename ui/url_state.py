"""A list page's state in the URL: the record it shows (`?id=`) in place of the list, and filters whose choice
lives in the URL as a stable code (`?who=12`, `?status=open&status=won`), never as its translated label.
Streamlit's bind="query-params" stores a select box's or a multiselect's formatted option, so a bound
filter would put a display name or a label in the user's language into the link (a Chinese link would not
open the same view in English, and `who=<id>` from another page would be dropped). These read the URL on
every run and write the codes back when the user changes the choice; the widget's key carries the current
choice, so a link that changes the URL draws the widget afresh. Free text (`q`) binds as Streamlit offers."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.permissions import Actor
from ui.context import tr
from ui.text import phrase


def record_or_list(actor: Actor, show_record: Callable[[Actor, int], None], show_list: Callable[[Actor], None],
                   back_key: str) -> None:
    """`?id=<n>` shows that record full-page under a "back" button that drops the id (the list's filters,
    kept in the URL and by the widgets, come back as they were); without an id, the list."""
    wanted = st.query_params.get("id", "")
    if not wanted.isdigit():
        show_list(actor)
        return
    if st.button(tr(back_key), key="back_to_list"):
        st.query_params.pop("id", None)
        st.rerun()
    show_record(actor, int(wanted))


def url_choice(label_key: str, options: dict[str, str], param: str, default: str, key: str) -> str:
    """One code of `options` (code → label) from `?param=`; the default is left out of the URL, and a code
    not offered is dropped from it."""
    wanted = st.query_params.get(param, default)
    current = wanted if wanted in options else default
    if wanted != current:
        st.query_params.pop(param, None)
    codes = list(options)
    chosen = st.selectbox(tr(label_key), codes, index=codes.index(current), format_func=options.get,
                          key=f"{key}_{current}")
    if chosen != current:
        if chosen == default:
            st.query_params.pop(param, None)
        else:
            st.query_params[param] = chosen
    return chosen


def url_choices(label_key: str, options: dict[str, str], param: str, key: str) -> list[str]:
    """Several codes of `options` from a repeated `?param=`; none chosen means no filter."""
    current = [code for code in st.query_params.get_all(param) if code in options]
    chosen = st.multiselect(tr(label_key), list(options), default=current, format_func=options.get,
                            key=f"{key}_{'_'.join(current)}", placeholder=tr("list.any"))
    if chosen != current and chosen:
        st.query_params[param] = chosen
    elif chosen != current:
        st.query_params.pop(param, None)
    return chosen


def folded_filters(*params: str):
    """A fold for a list's filters (a phone has no room for them open), saying how many are set: the ones in
    the URL, since a filter left at its default is left out of it."""
    count = sum(1 for param in params if param in st.query_params)
    return st.expander(phrase("filters.active", count=count) if count else tr("list.filters"))
