"""Closing the sidebar on a phone after a sidebar search (ui.find_customer). Streamlit closes an open sidebar
when a phone's user taps a page link or presses outside it, but not after st.switch_page, and neither
switch_page nor set_page_config can close it (Streamlit keeps the sidebar as the user last left it). So the
run that opens the results draws one fixed script that presses the main area: Streamlit's own rule then acts,
on phone widths only. The script never changes, so the page's security policy allows it by its hash
(ui.web_security) and no other inline script runs."""

from __future__ import annotations

import streamlit as st

SCRIPT = ('document.querySelector(\'[data-testid="stMain"]\')'
          '?.dispatchEvent(new MouseEvent("mousedown", {bubbles: true}));')
MARK = "close-sidebar-on-phone"  # ui.chrome gives its element no room


def close_on_phone(search: int) -> None:
    """Draw the script once for the `search`-th search of the session (a new element, so it runs again)."""
    st.sidebar.html(f'<span class="{MARK}" data-search="{int(search)}"></span><script>{SCRIPT}</script>',
                    unsafe_allow_javascript=True)
