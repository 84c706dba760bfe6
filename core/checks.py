"""The input checks every form shares (STYLE habit 5): a choice among an enum's values, a blank reply told
from a typed one, a whole number within bounds. Each raises Invalid with the caller's own catalog key and
the offending field, so each form keeps its message while the rule is written once. Free text is checked
by the one input policy, core.inputs (`text`, `required`)."""

from __future__ import annotations

from enum import Enum

from core.errors import Invalid


def is_choice(value: object, enum_cls: type[Enum]) -> bool:
    """`value` is one of the enum's stored values (a member, or its value as a select box returns it)."""
    return value in {m.value for m in enum_cls}


def choice(field: str, value: object, enum_cls: type[Enum], key: str) -> None:
    if not is_choice(value, enum_cls):
        raise Invalid(key, field=field)


def blank_to_none(value: str | None) -> str | None:
    """The text exactly as typed, or None when nothing but blanks was typed."""
    return value if value is not None and value.strip() else None


def whole_number(value: object, field: str, low: int, high: int | None, key: str, **params: object) -> int:
    """An int (never a bool) in [low, high] (no upper bound when `high` is None); Invalid(`key`) else."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise Invalid(key, field=field, **params)
    return value
