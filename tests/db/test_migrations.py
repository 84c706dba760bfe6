"""Alembic is the only path to the schema (STYLE habit 10): it goes up, down and up again, it agrees
with the models, and it seeds every setting of DOMAIN.md with its default."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from core.office.defaults import DEFAULTS
from db.engine import make_engine, session_scope
from db.migrate import downgrade, upgrade
from db.models import Base, Setting


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_go_up_to_head_down_to_base_and_up_again(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(db_url)
        assert _tables(engine) == set(Base.metadata.tables)
        downgrade(db_url, "base")
        assert _tables(engine) == set()
        upgrade(db_url)
        assert _tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_models_and_migrations_agree(migrated_engine):
    with migrated_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_every_setting_is_seeded_with_its_default(engine):
    with session_scope(engine) as s:
        stored = {row.key: json.loads(row.value) for row in s.scalars(select(Setting))}
    assert stored == DEFAULTS


def test_sqlite_connections_use_wal_foreign_keys_busy_timeout_and_full_sync(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("synchronous")) == ("wal", 1, 2)
        assert pragma("busy_timeout") >= 5000
    engine.dispose()
