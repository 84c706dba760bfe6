"""Running a use case from a page: a DomainError becomes a clear message in the user's language, the
user's input stays on screen, and nothing was written (the use case's transaction rolled back). So does a
database that cannot take the action: its disk full, its server restarting, its file busy (issue 15, "Faults")."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import streamlit as st

from core.errors import DomainError, Invalid, Unchanged
from core.fmt import fmt_datetime
from db.engine import failure
from ui.context import lang, office, tr
from ui.nav import PAGES, REFUSED_PAGE
from ui.text import Markdown, phrase, plain

T = TypeVar("T")


def message_of(err: DomainError) -> Markdown:
    """The error's catalog text; its parameters (who won a race, a typed value) shown as plain text."""
    params = {k: fmt_datetime(v, lang(), office().timezone) if isinstance(v, datetime) else v
              for k, v in err.params.items()}
    params.setdefault("when", "?")
    return phrase(err.key, **params)


FLASH = "_flash"


def database_trouble(exc: BaseException) -> Markdown | None:
    """The message for a database that could not take the action (db.engine.failure: "disk_full", "unreachable",
    "busy", "commit_unknown"), logged as a warning, not as a bug; None for any other error, which the caller raises
    on."""
    kind = failure(exc)
    if kind is None:
        return None
    logging.getLogger("servicedesk").warning("database %s: %s", kind, exc)
    return phrase(f"app.db_{kind}")


def said_database_trouble(exc: BaseException) -> bool:
    """Show `database_trouble`'s message where the action's refusal would be; False: not the database's state."""
    trouble = database_trouble(exc)
    if trouble is not None:
        st.error(plain(trouble))
    return trouble is not None


def refusal(err: DomainError) -> None:
    """A refused action's message where it happened: a save that changed nothing neutrally, else an error."""
    (st.info if isinstance(err, Unchanged) else st.error)(plain(message_of(err)))


MARK = "form.required_mark"  # after a required field's label: tr(key) + tr(MARK); required_legend explains it


def required_legend() -> None:
    st.caption(tr("form.required_legend"))


class FieldMarks:
    """All the errors of a submission at once, each just under its field. A form calls `under(field, *keys)`
    right after drawing a field's widgets (their session-state keys), and runs its use case through
    `attempt`: each refused field's message goes to its place; an error a form draws no place for is shown
    where `attempt` was called, with a line saying how many fields are marked. A message stays beside its
    field, over the next reruns, until that field's value changes (or a save succeeds). `names` gives what a
    message calls a field that core names by its key (a setting: its label, never `callback.holidays`)."""

    def __init__(self, form: str, names: dict[str, str] | None = None) -> None:
        self.state = f"_marks_{form}"
        self.slots: dict[str, tuple] = {}
        self.names = names or {}

    def under(self, field: str, *keys: str, where=None) -> None:
        """The place of `field`'s error, in `where` (a column the widget is in) or the current container."""
        slot = (where or st).empty()
        self.slots[field] = (slot, keys)
        kept = st.session_state.get(self.state, {}).get(field)
        if kept and kept[1] == _values(keys):
            slot.error(plain(kept[0]))

    def forget(self) -> None:
        st.session_state.pop(self.state, None)

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run `action` like `attempt`; an Invalid is shown field by field, and nothing was written."""
        try:
            result = action()
        except Invalid as err:
            self.show(err)
            return None
        except DomainError as err:
            self.forget()
            refusal(err)
            return None
        except Exception as exc:
            if not said_database_trouble(exc):
                raise
            return None
        self.forget()
        return result

    def show(self, err: Invalid) -> None:
        kept, loose = {}, []
        for field, error in err.errors.items():
            if "setting" in error.params and field in self.names:
                error = Invalid(error.key, **(error.params | {"setting": self.names[field]}))
            message = message_of(error)
            if field in self.slots:
                slot, keys = self.slots[field]
                slot.error(plain(message))
                kept[field] = (message, _values(keys))
            else:
                loose.append(message)
        st.session_state[self.state] = kept
        for message in loose:
            st.error(plain(message))
        if kept:
            st.error(phrase("form.marked", count=len(kept)))


def _values(keys: tuple[str, ...]) -> tuple:
    return tuple(st.session_state.get(k) for k in keys)


def attempt(action: Callable[[], T], success_key: str | None = None, rerun: bool = False) -> T | None:
    """Run `action`; on a DomainError show its message and return None. With `rerun`, a success reruns
    the page so everything shown reflects the change, and the success message survives the rerun. A save
    that changed nothing is said neutrally, not as an error nor as a success."""
    try:
        result = action()
    except DomainError as err:
        refusal(err)
        return None
    except Exception as exc:
        if not said_database_trouble(exc):
            raise
        return None
    if success_key and rerun:
        st.session_state[FLASH] = phrase(success_key)
        st.rerun()
    if success_key:
        st.success(tr(success_key))
    return result


REFUSED = "_refused"


def attempt_in_callback(action: Callable[[], T]) -> T | None:
    """Run `action` from a widget's on_click callback, which Streamlit runs before the page script: so the
    page, drawn next, reads the records after the action (a card never shows the state from before it), and
    a click is never lost because the button is no longer drawn on that run. A DomainError's message is kept
    for `show_refusal`, which the page calls where the message belongs."""
    try:
        return action()
    except DomainError as err:
        st.session_state[REFUSED] = message_of(err)
        return None
    except Exception as exc:
        if not kept_database_trouble(exc):
            raise
        return None


def kept_database_trouble(exc: BaseException) -> bool:
    """From a callback (before the page draws): keep `database_trouble`'s message for `show_refusal`, as a
    DomainError's is kept; False: not the database's state."""
    trouble = database_trouble(exc)
    if trouble is not None:
        st.session_state[REFUSED] = trouble
    return trouble is not None


def show_refusal() -> None:
    message = st.session_state.pop(REFUSED, None)
    if message:
        st.error(plain(message))  # message_of's text: plain passes it through as it is


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.toast(plain(message), icon=":material/check_circle:")  # a raw message is escaped whole


RESETS = "_resets"


def clear_after_save(values: dict[str, object]) -> None:
    """Put these widgets back to these values on the next run (a saved form starts empty, so it cannot be
    saved twice by mistake). Popping a widget's key is not enough: the browser would keep the typed text."""
    st.session_state[RESETS] = {**st.session_state.get(RESETS, {}), **values}  # assigned, not mutated in place


def apply_resets() -> None:
    """Called by ui.auth.page_guard before the page draws its widgets, when assigning them is allowed."""
    for key, value in st.session_state.pop(RESETS, {}).items():
        st.session_state[key] = value


def refused_notice(allowed: list[str], on_first_page: bool) -> None:
    """On the first page after the sign-in middleware turned a link away (`?refused=<path>`): say why in the
    user's language, naming the page by its own title when the address is one of the app's pages (one the
    role may not open) and never echoing what was typed; then drop the parameter, so it is said once. On any
    other page (the parameter typed into a link by hand) it is dropped unsaid: the page shown is not the first."""
    refused = st.query_params.get(REFUSED_PAGE)
    if refused is None:
        return
    st.query_params.pop(REFUSED_PAGE, None)
    if not on_first_page:
        return
    name = next((n for n, (_, path) in PAGES.items() if path == refused), None)
    if name is None:
        st.warning(tr("nav.no_such_page"), icon=":material/link_off:")
    elif name not in allowed:
        st.warning(phrase("nav.not_your_page", page=tr(f"nav.{name}")), icon=":material/block:")
