"""Users (admins): create users, rename them, change roles, disable and re-enable, reset passwords."""

import streamlit as st

from core.accounts.queries import list_users
from core.accounts.services import create_user, reset_password, update_user
from core.i18n import enum_label
from db.enums import Role
from ui import clock
from ui.auth import page_guard
from ui.context import engine, lang, tr
from ui.feedback import attempt
from ui.widgets import table

actor = page_guard("users")
st.title(tr("nav.users"))
role_label = lambda r: enum_label(Role(r), lang())  # noqa: E731

users = list_users(engine(), actor)
table(users, {"username": ("auth.username", "text"), "display_name": ("users.name", "text"),
              "role": ("users.role", "enum"), "active": ("users.active", "bool"),
              "locked_until": ("users.locked_until", "datetime")})

by_id = {u["id"]: u for u in users}
chosen = st.selectbox(tr("users.pick"), [None, *by_id], key="users_pick", placeholder=tr("list.none"),
                      format_func=lambda i: tr("list.none") if i is None
                      else f"{by_id[i]['username']} · {by_id[i]['display_name']}")
if chosen:
    u = by_id[chosen]
    with st.form("user_edit"):
        name = st.text_input(tr("users.name"), value=u["display_name"], key=f"user_name_{chosen}")
        role = st.selectbox(tr("users.role"), list(Role), index=list(Role).index(u["role"]), format_func=role_label)
        active = st.checkbox(tr("users.active"), value=u["active"])
        if st.form_submit_button(tr("users.save")):
            attempt(lambda: update_user(engine(), actor, chosen, u["version"], clock.now(), role=role, active=active,
                                        display_name=name), "users.saved", rerun=True)
    with st.form("user_reset"):
        new_pw = st.text_input(tr("users.new_password"), type="password")
        if st.form_submit_button(tr("users.reset_password")):
            attempt(lambda: reset_password(engine(), actor, chosen, new_pw, clock.now()), "users.password_reset",
                    rerun=True)

with st.expander(tr("users.create")), st.form("user_create", clear_on_submit=False):
    username = st.text_input(tr("auth.username"), key="new_username")
    display = st.text_input(tr("users.name"), key="new_display")
    new_role = st.selectbox(tr("users.role"), list(Role), key="new_role", format_func=role_label)
    password = st.text_input(tr("auth.password"), type="password", key="new_password")
    if st.form_submit_button(tr("users.create")):
        attempt(lambda: create_user(engine(), actor, username, display, new_role, password, clock.now()),
                "users.created", rerun=True)
