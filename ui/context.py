"""Per-run context for pages: the engine (one per process), the office settings, the language."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.session_state_proxy import get_session_state

from core.i18n import LANGS, lang_from_locale, t
from core.office.settings import Office, load_office
from db.config import get_config
from ui.web_auth import LANG_COOKIE, LANG_ROUTE
from ui.web_engine import web_engine

LANG_KEY = "lang"


def engine() -> Engine:
    """The engine is shared by the process, sessions never are. It is the one the HTTP routes use (ui.web_engine):
    a second engine, cached apart by st.cache_resource, doubled the process's pool of connections (issue 15)."""
    return web_engine()


@st.cache_data(ttl=60, show_spinner=False)  # a settings read: no "Running _office(...)" spinner once a minute
def _office(url: str) -> Office:
    return load_office(engine())


def office() -> Office:
    return _office(get_config().database_url)


def clear_office_cache() -> None:
    _office.clear()


_last_lang = [LANGS[0]]


def lang() -> str:
    """The language picked in the sidebar, else the one picked before in this browser (its cookie, so a
    refresh or a new tab keeps it), else the browser's (st.context.locale). Outside a script run (AppTest
    formats widget values between runs) the language of the last run stands in."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return _last_lang[0]
    chosen = st.session_state.get(LANG_KEY)  # read once: every translated text of a run asks (~900 a KPI area)
    if chosen not in LANGS:
        saved = st.context.cookies.get(LANG_COOKIE)
        chosen = saved if saved in LANGS else lang_from_locale(st.context.locale)
        st.session_state[LANG_KEY] = chosen
    _last_lang[0] = chosen
    return chosen


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def language_switch() -> None:
    current = lang()
    st.sidebar.radio(
        t("app.language", current), LANGS, key=LANG_KEY, horizontal=True, on_change=relabel_choices,
        format_func=lambda code: {"en": "English", "zh": "简体中文"}[code],
    )
    if st.context.cookies.get(LANG_COOKIE) != current:
        remember_language(current)


def remember_language(code: str) -> None:
    """The choice outlives the session: the browser fetches an invisible image from the app's own route, whose
    answer sets the language cookie (st.context.cookies is read-only and a cookie needs an HTTP answer; a
    link through the route would reload the page and lose what is typed in a form). The cookie this session
    started with never changes, so the image stays until the next session reads the new cookie."""
    st.html(f'<img class="lang-cookie" src="{LANG_ROUTE}?to={code}" alt="" width="1" height="1">')


def relabel_choices() -> None:
    """The language switch's callback: every choice widget shows the option texts it was drawn with, and the
    browser keeps those texts as its value, so after a switch a chosen 核实中 would stay on an English page.
    Writing each keyed choice widget's value back into session_state makes Streamlit send the value again,
    formatted by the new run's format_func, in the new language."""
    state = st.session_state
    for key in choice_widget_keys():
        if key != LANG_KEY and key in state:
            state[key] = state[key]


def choice_widget_keys() -> list[str]:
    """Keys of the selectboxes, multiselects, radios, pills and segmented controls of the last run: the widgets
    Streamlit registers with formatted option texts (menu buttons, also registered so, are triggers and
    cannot be written). Streamlit keeps no public list of widgets, so this reads its session state (pinned
    Streamlit; tests/e2e/test_language_in_browser.py switches a page with chosen filters)."""
    internal = get_session_state()._state
    named = internal._key_id_mapper.id_key_mapping  # widget id → key, keyed widgets only
    widgets = internal._new_widget_state.widget_metadata
    return [named[wid] for wid, meta in widgets.items()
            if wid in named and meta.formatted_options is not None and "trigger" not in (meta.value_type or "")]
