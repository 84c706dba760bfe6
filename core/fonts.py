"""The bundled subset of Noto Sans CJK SC (GB2312's characters): every printed file embeds it, so Chinese prints
on a machine without Chinese fonts (WO-9 copy, the weekly report). A character the subset lacks (an emoji, a rare
hanzi outside GB2312) prints as MISSING: a print never fails for one character."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT = FONT_DIR / "NotoSansSC-GB2312.otf"
FONT_NAME = "Noto Sans CJK SC"  # the family name charts ask for (vl-convert finds it in FONT_DIR)
MISSING = "?"


@cache
def _covered() -> frozenset[int]:
    """The code points the bundled font draws."""
    return frozenset(TTFont(FONT, lazy=True).getBestCmap())


def printable_text(text: str) -> tuple[str, bool]:
    """`text` with each character the font cannot draw replaced by MISSING (line breaks kept), and whether
    any was replaced."""
    covered = _covered()
    out = "".join(ch if ch == "\n" or ord(ch) in covered else MISSING for ch in text)
    return out, out != text
