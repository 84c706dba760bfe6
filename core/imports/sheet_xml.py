"""What calamine does not tell or guard (C-1 import): which cells of an .xlsx sheet hold formulas (calamine
reads only their cached values), and whether the workbook is safe to load. calamine allocates a sheet's whole
rectangle, from its first to its last used cell, before the first row is read: a 5 KB file with one cell at
row 100,000 column 1,000 asks for 3 GB and aborts the server. So the sheet's XML is scanned first, streamed,
for its cells' extent and its formula tags; a sheet wider than MAX_CELLS, or a workbook that unzips to more
than MAX_UNZIPPED (a zip bomb), is refused as too big."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from xml.etree import ElementTree

from core.errors import Invalid

MAX_CELLS = 6_000_000  # e.g. 200,000 rows of 30 columns: ~200 MB in calamine's rectangle
MAX_UNZIPPED = 400 * 1024 * 1024
CHUNK = 1024 * 1024
TAG = re.compile(rb"<(?:\w+:)?(row|c)\b(?:[^>]*?\br=[\"']([A-Z]{0,3})([0-9]{0,7})[\"'])?")
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
CELL_REF = re.compile(r"([A-Z]+)(\d+)")
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def check_unzipped(data: bytes) -> None:
    """Invalid import.too_big when the workbook's parts unzip to more than MAX_UNZIPPED."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise Invalid("import.not_spreadsheet") from None
    if total > MAX_UNZIPPED:
        raise Invalid("import.too_big", limit_mb=MAX_UNZIPPED // (1024 * 1024))


def scan(data: bytes, index: int) -> dict[int, set[int]]:
    """The index-th sheet's formula cells, {row: {column index}}; Invalid import.too_many_cells when its used
    rectangle is larger than MAX_CELLS. A workbook this scan cannot read (its workbook.xml or the sheet's XML
    broken, e.g. an undefined entity; the sheet's part missing or corrupt) is refused as import.not_spreadsheet:
    calamine may still read it, but without the guard on its size and without its formulas (C-1)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _sheet_member(archive, index)
            if member is None or member not in archive.NameToInfo:
                raise Invalid("import.not_spreadsheet")
            if _extent(archive, member) > MAX_CELLS:
                raise Invalid("import.too_many_cells", limit=MAX_CELLS)
            return _formulas(archive, member) if _has_formula(archive, member) else {}
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, ElementTree.ParseError):
        raise Invalid("import.not_spreadsheet") from None


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    found = book.findall(f"{NS}sheets/{NS}sheet")
    if index >= len(found):
        return None
    rel_id = next((v for k, v in found[index].attrib.items() if k.endswith("}id")), None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None)
    if not target:
        return None
    return posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)


def _chunks(archive: zipfile.ZipFile, member: str):
    """The member's bytes in chunks, each cut after its last tag start's predecessor, so no tag is split."""
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(CHUNK):
            text = tail + chunk
            cut = text.rfind(b"<")
            cut = len(text) if cut <= 0 else cut
            yield text[:cut]
            tail = text[cut:]
    yield tail


def _extent(archive: zipfile.ZipFile, member: str) -> int:
    """Cells in the rectangle from the first to the last cell of the sheet, each placed as calamine places it:
    by its r="B7", else (r is optional) in the column after the previous cell of its row, the row by the row's
    r, else the one after the previous row. Counting only the cells that name themselves would miss a far
    `<row r="1000000"><c>` and a row of a million bare `<c/>` (C-1)."""
    top, bottom, left, right = 10**9, -1, 10**9, -1
    row, col = 0, -1
    columns: dict[bytes, int] = {}  # column letters -> index, each computed once
    for chunk in _chunks(archive, member):
        for tag, letters, number in TAG.findall(chunk):
            if tag == b"row":
                row, col = (int(number) if number else row + 1), -1
                continue
            if letters:
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = _column_index(letters.decode())
            else:
                col += 1
            if number:
                row = int(number)
            top, bottom = min(top, row), max(bottom, row)
            left, right = min(left, col), max(right, col)
    return 0 if bottom < 0 else (bottom - top + 1) * (right - left + 1)


def _has_formula(archive: zipfile.ZipFile, member: str) -> bool:
    return any(FORMULA_TAG.search(chunk) for chunk in _chunks(archive, member))


def _formulas(archive: zipfile.ZipFile, member: str) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    with archive.open(member) as fh:
        for _event, element in ElementTree.iterparse(fh):
            if element.tag == f"{NS}c":
                if element.find(f"{NS}f") is not None and (ref := CELL_REF.match(element.get("r") or "")):
                    out.setdefault(int(ref.group(2)), set()).add(_column_index(ref.group(1)))
                element.clear()
    return out


def _column_index(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1
