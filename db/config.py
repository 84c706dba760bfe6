"""Application configuration, read from the environment at call time (STYLE habit 7)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DB_PATH = ROOT / "data" / "demo.sqlite"


@dataclass(frozen=True)
class AppConfig:
    database_url: str
    is_demo: bool


def demo_url() -> str:
    return f"sqlite:///{DEMO_DB_PATH}"


def get_config() -> AppConfig:
    """`DATABASE_URL` names a real office; without it the app runs the embedded demo office."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return AppConfig(database_url=url, is_demo=False)
    return AppConfig(database_url=demo_url(), is_demo=True)
