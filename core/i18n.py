"""English and Simplified Chinese. Catalogs are TOML files under core/locales/<lang>/, one file per area,
one key per text; enum values live under `enum.<EnumClass>.<value>`. A test keeps both languages
key-for-key equal and every enum value translated."""

from __future__ import annotations

import tomllib
from enum import Enum
from functools import cache
from pathlib import Path

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
_DIR = Path(__file__).parent / "locales"


def lang_from_locale(locale: str | None) -> str:
    """The browser's language decides: 简体中文 for zh-*, English for everything else."""
    return "zh" if locale and locale.lower().replace("_", "-").startswith("zh") else "en"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = str(value)
    return flat


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.toml")):
        with open(path, "rb") as fh:
            merged.update(_flatten(tomllib.load(fh)))
    return merged


def t(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled; an unknown key shows itself."""
    text = catalog(lang if lang in LANGS else DEFAULT_LANG).get(key, key)
    return text.format(**params) if params else text


def enum_label(member: Enum | None, lang: str) -> str:
    if member is None:
        return ""
    return t(f"enum.{type(member).__name__}.{member.value}", lang)


def enum_options(enum_cls: type[Enum], lang: str) -> dict[str, str]:
    """value → label, in declaration order, for select boxes."""
    return {m.value: enum_label(m, lang) for m in enum_cls}
