"""Per-run context for pages: the engine (one per process), the office settings, the language."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.i18n import LANGS, lang_from_locale, t
from core.office.settings import Office, load_office
from db.config import get_config
from db.engine import make_engine

LANG_KEY = "lang"


@st.cache_resource
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The engine is shared by the process (cache_resource); sessions never are."""
    return _engine(get_config().database_url)


@st.cache_data(ttl=60)
def _office(url: str) -> Office:
    return load_office(_engine(url))


def office() -> Office:
    return _office(get_config().database_url)


def clear_office_cache() -> None:
    _office.clear()


_last_lang = [LANGS[0]]


def lang() -> str:
    """The language picked in the sidebar, else the browser's (st.context.locale). Outside a script run
    (AppTest formats widget values between runs) the language of the last run stands in."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return _last_lang[0]
    if st.session_state.get(LANG_KEY) not in LANGS:
        st.session_state[LANG_KEY] = lang_from_locale(st.context.locale)
    _last_lang[0] = st.session_state[LANG_KEY]
    return _last_lang[0]


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def language_switch() -> None:
    current = lang()
    st.sidebar.radio(
        t("app.language", current), LANGS, key=LANG_KEY, horizontal=True,
        format_func=lambda code: {"en": "English", "zh": "简体中文"}[code],
    )
