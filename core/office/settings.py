"""The office's settings as the app reads them: stored values over the defaults of core.office.defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from core.office.defaults import DEFAULTS
from db.engine import session_scope
from db.models import Setting


@dataclass(frozen=True)
class Office:
    values: dict[str, object] = field(default_factory=lambda: dict(DEFAULTS))

    @property
    def timezone(self) -> str:
        return str(self.values["office.timezone"])

    @property
    def currency(self) -> str:
        return str(self.values["office.currency"])

    @property
    def phone_region(self) -> str:
        return str(self.values["office.phone_region"])

    def get(self, key: str) -> object:
        return self.values[key]


def load_office(engine: Engine) -> Office:
    with session_scope(engine) as s:
        stored = {row.key: json.loads(row.value) for row in s.scalars(select(Setting))}
    return Office({**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}})


def list_settings(engine: Engine) -> list[dict[str, object]]:
    """Every setting with its current value and its default, for the Settings page."""
    office = load_office(engine)
    return [{"key": k, "value": office.get(k), "default": d} for k, d in DEFAULTS.items()]
