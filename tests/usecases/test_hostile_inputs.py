"""Issue 9, "One input policy" (core.inputs): every hostile string and number of tests.hostile goes through every
use case that takes text or numbers, on SQLite and PostgreSQL. Each is refused with Invalid (a message in both
languages) and nothing written, or stored and read back exactly; never another exception (a traceback). Every
list search takes every hostile string too and answers with a page."""

from __future__ import annotations

import pytest

from core.accounts.sessions import sign_in
from core.callbacks.queries import CallbackFilter, list_callbacks
from core.complaints.queries import ComplaintFilter, list_complaints
from core.customers.queries import CustomerFilter, list_customers
from core.errors import SignInFailed
from core.incoming.queries import find_callers
from core.lists import Page
from core.work_orders.queries import WorkOrderFilter, list_work_orders
from tests.factories import NOW, reader
from tests.helpers import restoring_settings
from tests.hostile import TARGETS, TEXTS, TZ, try_input


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """Argon2 is slow on purpose; these tests are about what is stored, not how a password is hashed."""
    monkeypatch.setattr("core.accounts.services.hash_password", lambda password: f"fake:{len(password)}")
    monkeypatch.setattr("core.accounts.sessions.verify_password", lambda stored, password: False)


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_every_hostile_input_is_refused_cleanly_or_stored_exactly(engine, target):
    with restoring_settings(engine, *target.settings):
        results = {label: try_input(engine, target, value) for label, value in target.corpus.items()}
    refused = sorted(label for label, got in results.items() if got != "stored")
    print(f"\n{target.name}: {len(refused)} of {len(results)} refused: {refused}")
    must = MUST_REFUSE if target.corpus is TEXTS else MUST_REFUSE_NUMBERS
    assert must - set(refused) == set(), "stored although no database should hold it as given"


# What every field refuses: NUL (PostgreSQL refuses it, SQLite stored it), other controls, lone surrogates,
# direction overrides ("adm\u202eni" shows as "admin") and what no column holds; no float, bool or NaN
# passes for a count or an amount, nor a number past what its column (or its rule) holds.
MUST_REFUSE = {"nul", "nul_only", "bell", "escape", "del", "c1_nel", "c1_csi", "lone_surrogate", "rtl_override",
               "lre", "isolate", "50k", "100k"}
MUST_REFUSE_NUMBERS = {"1e25", "nan", "inf", "minus_inf", "10**30", "2**63", "true", "false", "float_3.5"}


SEARCHES = {
    "customers": lambda e, term: list_customers(e, reader(), CustomerFilter(search=term), TZ),
    "callbacks": lambda e, term: list_callbacks(e, reader(), CallbackFilter(search=term), TZ, NOW),
    "complaints": lambda e, term: list_complaints(e, reader(), ComplaintFilter(search=term), TZ, NOW),
    "work_orders": lambda e, term: list_work_orders(e, reader(), WorkOrderFilter(search=term), TZ),
}


@pytest.mark.parametrize("search", SEARCHES)
def test_every_hostile_search_term_answers_with_a_page_never_an_error(engine, search):
    """The 50,000-character search ("LIKE or GLOB pattern too complex") and NUL (PostgreSQL) matched nothing."""
    for label, term in TEXTS.items():
        assert isinstance(SEARCHES[search](engine, term), Page), label


def test_a_hostile_phone_finds_no_caller_and_raises_nothing(engine):
    assert all(find_callers(engine, reader(), term) == [] for term in TEXTS.values())


def test_signing_in_with_a_hostile_user_name_fails_like_any_unknown_name(engine):
    """A NUL in the name reached PostgreSQL's lookup and raised there."""
    for label, name in TEXTS.items():
        with pytest.raises(SignInFailed):
            sign_in(engine, name, "wrong password", NOW)
        assert label
