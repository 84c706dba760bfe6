"""One engine per process for the HTTP routes (the Streamlit side caches its own with cache_resource)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine

from db.config import get_config
from db.engine import make_engine


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def web_engine() -> Engine:
    return _engine(get_config().database_url)
