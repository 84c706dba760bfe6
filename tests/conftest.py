"""Shared fixtures. Database tests run on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set;
each PostgreSQL run makes its own schema and drops it afterwards."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Base

KEEP_TABLES = {"settings", "alembic_version", "audit_log"}  # the audit log refuses DELETE


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(scope="session", params=_backends())
def db_url(request, tmp_path_factory):
    """A fresh, empty database URL per backend for the whole session."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_engine(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine):
    """The migrated database, emptied of business rows after each test (settings keep their defaults;
    the append-only audit log keeps its rows, so audit tests look only at rows after their start)."""
    yield migrated_engine
    with migrated_engine.begin() as conn:
        conn.execute(Base.metadata.tables["settings"].update().values(updated_by_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _language_outside_a_run():
    """The language ui.context.lang() answers outside a script run is the last run's: every test starts from
    English, whatever language the test before it ran the app in."""
    import ui.context

    ui.context._last_lang[0] = "en"
    yield
