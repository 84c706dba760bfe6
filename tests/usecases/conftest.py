"""Fixtures of the use-case tests (the databases themselves are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from core.permissions import Actor
from db.engine import session_scope
from db.enums import Role
from tests.factories import make_account


@pytest.fixture
def admin(engine) -> Actor:
    """An administrator who can sign in with tests.factories.PASSWORD."""
    with session_scope(engine) as s:
        return make_account(s, Role.ADMIN, username="root", display_name="Root Admin")
