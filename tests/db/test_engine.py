"""What every connection of db.engine.make_engine is set up with: SQLite's pragmas; on PostgreSQL, no JIT (its
compiling cost more than the dashboard's statements ran, issue 14) with the URL's own options kept (the tests'
search_path, an office's own settings)."""

from __future__ import annotations

from sqlalchemy import text

from db.engine import make_engine


def test_every_connection_is_set_up_for_the_app(migrated_engine):
    engine = make_engine(migrated_engine.url)  # a new engine: new connections, set up as the app's are
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            else:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
                wanted = engine.url.query["options"].removeprefix("-csearch_path=")
                assert conn.execute(text("SHOW search_path")).scalar() == wanted
    finally:
        engine.dispose()
