"""Alembic is the only path to the schema (STYLE habit 10): upgrade, downgrade, current revision."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from db.config import ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "db" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def is_empty(engine: Engine) -> bool:
    """True when the database has no office yet (no customers table or no customer in it)."""
    if not inspect(engine).has_table("customers"):
        return True
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM customers LIMIT 1").first() is None
