"""One engine per process, for the HTTP routes and the Streamlit side alike (ui.context.engine)."""

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
