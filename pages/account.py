"""My account: who I am, and changing my own password."""

import streamlit as st

from core.accounts.services import change_own_password
from core.i18n import enum_label
from ui import clock
from ui.auth import page_guard, session_token
from ui.context import engine, lang, tr
from ui.feedback import attempt
from ui.text import plain

actor = page_guard("account")
st.title(tr("nav.account"))
st.caption(plain(f"{actor.display_name} ({actor.username}) · {enum_label(actor.role, lang())}"))

with st.form("own_password"):
    current = st.text_input(tr("account.current_password"), type="password", key="pw_current")
    new = st.text_input(tr("account.new_password"), type="password", key="pw_new")
    again = st.text_input(tr("auth.password2"), type="password", key="pw_again")
    if st.form_submit_button(tr("account.change_password")):
        if new != again:
            st.error(tr("auth.passwords_differ"))
        else:
            attempt(lambda: change_own_password(engine(), actor, current, new, clock.now(), session_token()),
                    "account.password_changed")
