"""Users (admins): create users, rename them, change roles, mark quality inspectors (CP-2), disable and
re-enable, reset passwords."""

import streamlit as st

from core.accounts.queries import user_detail, users_page
from core.accounts.services import create_user, reset_password, update_user
from core.i18n import enum_label
from db.enums import Role
from ui import clock, listing
from ui.auth import page_guard
from ui.context import engine, lang, tr
from ui.feedback import attempt
from ui.text import plain

COLUMNS = {"display_name": ("users.name", "text"), "role": ("users.role", "enum"), "active": ("users.active", "bool"),
           "username": ("auth.username", "text"), "locked_until": ("users.locked_until", "datetime")}
SORTS = {name: COLUMNS[name][0] for name in ("display_name", "username", "role", "active")}
role_label = lambda r: enum_label(Role(r), lang())  # noqa: E731


def user_list(actor) -> None:
    sort = listing.sort_box(SORTS, "users.by_role")
    listing.listed(lambda n, size: users_page(engine(), actor, n, size, sort), COLUMNS, export="users")
    with st.expander(tr("users.create")), st.form("user_create", clear_on_submit=False):
        username = st.text_input(tr("auth.username"), key="new_username")
        display = st.text_input(tr("users.name"), key="new_display")
        new_role = st.selectbox(tr("users.role"), list(Role), key="new_role", format_func=role_label)
        password = st.text_input(tr("auth.password"), type="password", key="new_password")
        if st.form_submit_button(tr("users.create")):
            attempt(lambda: create_user(engine(), actor, username, display, new_role, password, clock.now()),
                    "users.created", rerun=True)


def edit_user(actor, user_id: int) -> None:
    u = user_detail(engine(), actor, user_id)
    if u is None:
        listing.not_found()
        return
    st.subheader(plain(f"{u['username']} · {u['display_name']}"))
    with st.form("user_edit"):
        name = st.text_input(tr("users.name"), value=u["display_name"], key=f"user_name_{user_id}")
        role = st.selectbox(tr("users.role"), list(Role), index=list(Role).index(u["role"]), format_func=role_label)
        active = st.checkbox(tr("users.active"), value=u["active"])
        quality = st.checkbox(tr("users.quality"), value=u["quality"], key=f"user_quality_{user_id}",
                              help=tr("users.quality_help"))
        if st.form_submit_button(tr("users.save")):
            attempt(lambda: update_user(engine(), actor, user_id, u["version"], clock.now(), role=role, active=active,
                                        display_name=name, quality=quality), "users.saved", rerun=True)
    with st.form("user_reset"):
        new_pw = st.text_input(tr("users.new_password"), type="password")
        if st.form_submit_button(tr("users.reset_password")):
            attempt(lambda: reset_password(engine(), actor, user_id, new_pw, clock.now()), "users.password_reset",
                    rerun=True)


actor = page_guard("users")
st.title(tr("nav.users"))
listing.list_or_record(lambda: user_list(actor), lambda chosen: edit_user(actor, chosen))
