"""The sidebar's search box (C-1): from any page, whoever may see the archive types a name, a phone in any
spelling, pinyin initials or a number, and lands on the Customers list searched for it (`?q=`, the list's
own search, so the URL can be shared and the list's box shows the query). Roles without the Customers page
(engineers, finance, admin) get no box. On a phone the sidebar covers the page: after a search it closes
(ui.phone_sidebar), as Streamlit closes it after a tap on a page link."""

from __future__ import annotations

import streamlit as st

from ui.context import tr
from ui.listing import SEARCH, TEXT_MAX
from ui.phone_sidebar import close_on_phone

CUSTOMERS_PAGE = "pages/customers.py"
FORM = "find_customer"
WENT = f"{FORM}_went"  # how many searches this session made; set on the run that opens the list


def sidebar_search(pages: list[str]) -> None:
    """The box, when `pages` (the role's navigation) holds the Customers page; a submitted query opens it."""
    if "customers" not in pages:
        return
    if went := st.session_state.pop(WENT, None):
        close_on_phone(went)
    with st.sidebar.form(FORM, clear_on_submit=True, border=False):
        query = st.text_input(tr("search.sidebar_label"), key=f"{FORM}_q", max_chars=TEXT_MAX,
                              placeholder=tr("search.sidebar_hint"))
        asked = st.form_submit_button(tr("search.go"), icon=":material/search:")
    if asked and query.strip():
        st.session_state[WENT] = st.session_state.get(f"{WENT}_n", 0) + 1
        st.session_state[f"{WENT}_n"] = st.session_state[WENT]
        st.switch_page(CUSTOMERS_PAGE, query_params={SEARCH: query.strip()})
