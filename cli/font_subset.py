"""Builds the CJK font bundled for the customer's copy (WO-9): Noto Sans CJK SC Regular cut down to ASCII,
Latin-1, general and CJK punctuation, full-width forms and every character of GB2312, so a PDF printed on a
machine without Chinese fonts still shows Chinese. Run once where fonts-noto-cjk is installed:

    .venv/bin/python -m cli.font_subset [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

The result (assets/fonts/NotoSansSC-GB2312.otf) is committed with its licence (OFL-1.1, OFL.txt)."""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TARGET = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansSC-GB2312.otf"
SC = 2  # the collection's Simplified Chinese face (Noto Sans CJK SC)
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x215F), (0x2190, 0x21FF), (0x2460, 0x24FF),
          (0x2500, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]


def gb2312() -> set[int]:
    """Every character GB2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def build(source: str = SOURCE, target: Path = TARGET) -> Path:
    font = TTCollection(source).fonts[SC]
    wanted = gb2312() | {c for lo, hi in RANGES for c in range(lo, hi + 1)}
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted & set(font.getBestCmap()))
    subsetter.subset(font)
    font.save(str(target))
    return target


if __name__ == "__main__":
    print(build(*sys.argv[1:2]))
