"""The input checks every form shares (STYLE habit 5): a choice among an enum's values, free text that is
optional or required with a length limit, a whole number within bounds. Each raises Invalid with the
caller's own catalog key and the offending field, so each form keeps its message while the rule is
written once. Text is kept as typed apart from the surrounding blanks."""

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


def optional_text(value: str | None, field: str, max_len: int, too_long: str, **params: object) -> str | None:
    """The trimmed text, None when blank; Invalid(`too_long`) past `max_len` characters."""
    text = (value or "").strip() or None
    if text is not None and len(text) > max_len:
        raise Invalid(too_long, field=field, **params)
    return text


def required_text(value: str | None, field: str, max_len: int, required: str, too_long: str,
                  **params: object) -> str:
    """The trimmed text; Invalid(`required`) when blank, Invalid(`too_long`) past `max_len` characters."""
    text = optional_text(value, field, max_len, too_long, **params)
    if text is None:
        raise Invalid(required, field=field)
    return text


def whole_number(value: object, field: str, low: int, high: int | None, key: str, **params: object) -> int:
    """An int (never a bool) in [low, high] (no upper bound when `high` is None); Invalid(`key`) else."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise Invalid(key, field=field, **params)
    return value
