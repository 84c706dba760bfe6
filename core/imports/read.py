"""Reading an uploaded spreadsheet (C-1), streamed: a CSV in UTF-8 (with or without BOM), GB18030 (a superset of
GBK) or UTF-16 with its BOM (Excel's "Unicode text"), comma, semicolon or tab separated; or an .xlsx through
python-calamine. The encoding is found without asking: UTF-8 strictly first, then GB18030. Rows come one at a
time with the number Excel shows them under (the header is row 1); wholly blank rows are passed over."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import python_calamine as calamine

from core.errors import Invalid
from core.imports import sheet_xml

MAX_BYTES = 25 * 1024 * 1024  # a bigger file is refused (import.too_big)
MAX_COLUMNS = 200  # a wider header is refused (import.too_many_columns): the wizard draws a choice per column
XLSX_NAMES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
SAMPLE = 64 * 1024
CHUNK = 1024 * 1024
REFUSED_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc")


@dataclass(frozen=True)
class Source:
    """What was uploaded: the file name as uploaded (shown as plain text), its bytes and their sha256."""

    name: str
    data: bytes
    sha256: str


def source(name: str, data: bytes) -> Source:
    return Source(name=name, data=data, sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Table:
    """The sheet to import: its header row as text ("" for a blank header), a CSV's encoding and delimiter
    (None for an .xlsx), the .xlsx sheet, and the row the headers stand on."""

    headers: list[str]
    encoding: str | None
    sheet: str | None
    delimiter: str | None = None
    header_row: int = 1


@dataclass(frozen=True)
class Formula:
    """An .xlsx cell holding a formula: never evaluated nor imported (its cached value is kept to show)."""

    cached: object

    def __str__(self) -> str:
        return "" if self.cached is None else str(self.cached)


def is_xlsx(src: Source) -> bool:
    return src.data[:4] == b"PK\x03\x04" or src.name.lower().endswith(XLSX_NAMES)


def sheets(src: Source) -> list[str]:
    """The .xlsx's sheet names, [] for a CSV."""
    return list(_workbook(src).sheet_names) if is_xlsx(src) else []


def table(src: Source, sheet: str | None = None) -> Table:
    """The sheet's header row, found and checked: Invalid import.too_big, import.empty (nothing in it),
    import.not_spreadsheet (a PDF, random bytes, an .xlsx that is not one or whose sheet cannot be scanned),
    import.unknown_encoding, import.big5, import.no_sheet (a sheet the workbook lacks), import.too_many_columns
    (more than MAX_COLUMNS) or import.no_rows (headers and nothing under them)."""
    if len(src.data) > MAX_BYTES:
        raise Invalid("import.too_big", limit_mb=MAX_BYTES // (1024 * 1024))
    if not src.data.strip():
        raise Invalid("import.empty")
    if is_xlsx(src):
        book = _workbook(src)
        sheet = sheet or (book.sheet_names[0] if book.sheet_names else None)
        if sheet not in book.sheet_names:
            raise Invalid("import.no_sheet", sheet=sheet or "")
        tab = Table(headers=[], encoding=None, sheet=sheet)
    else:
        if sheet:
            raise Invalid("import.no_sheet", sheet=sheet)
        encoding = _encoding(src.data)
        tab = Table(headers=[], encoding=encoding, sheet=None, delimiter=_delimiter(src.data, encoding))
    return _with_headers(src, tab)


HEADER_SEARCH = 10  # the header row is looked for among the first rows (a title may stand above it)


def _with_headers(src: Source, tab: Table) -> Table:
    """The header row: the first of the first HEADER_SEARCH non-blank rows naming at least two known fields,
    else the first non-blank row; import.no_rows when nothing stands under it."""
    from core.imports.fields import guess  # the fields know the headers; reading does not need them otherwise

    records = _records(src, tab)
    head = list(itertools.islice(records, HEADER_SEARCH))
    if not head:
        raise Invalid("import.empty")
    pick = next((i for i, (_row, values) in enumerate(head)
                 if len(guess([text_of(v) for v in values[:MAX_COLUMNS]])) >= 2), 0)
    row, values = head[pick]
    width = next((i + 1 for i in range(len(values) - 1, -1, -1) if text_of(values[i])), 0)  # trailing blanks off
    if width > MAX_COLUMNS:  # e.g. a header "a,,,…,b": millions of columns to map (C-1)
        raise Invalid("import.too_many_columns", count=width, limit=MAX_COLUMNS)
    headers = [text_of(v) for v in values[:width]]
    if pick == len(head) - 1 and next(records, None) is None:
        raise Invalid("import.no_rows")
    return Table(headers=headers, encoding=tab.encoding, sheet=tab.sheet, delimiter=tab.delimiter, header_row=row)


def rows(src: Source, tab: Table) -> Iterator[tuple[int, list[object]]]:
    """The data rows under the header, one at a time: (the row number Excel shows, the values); CSV values
    are text, .xlsx values as calamine reads them (text, float, int, bool, date, datetime), a formula cell as
    Formula."""
    records = _records(src, tab)
    for row, _values in records:
        if row >= tab.header_row:
            break
    yield from records


def _records(src: Source, tab: Table) -> Iterator[tuple[int, list[object]]]:
    raw = _xlsx_rows(src, tab.sheet) if tab.encoding is None else _csv_rows(src, tab)
    for row, values in raw:
        if any(not _blank(v) for v in values):
            yield row, values


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_of(value: object) -> str:
    """A cell as text: a whole float without its ".0" (13812345678.0 → "13812345678"), a date in ISO form."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return text_of(value.cached)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


# --- CSV ---------------------------------------------------------------------------------------------------

def _encoding(data: bytes) -> str:
    """UTF-16 by its BOM; UTF-8 with its BOM; else the first of UTF-8 and GB18030 that decodes every byte
    (checked in chunks, nothing kept) into no private-use character: Big5 (Traditional Chinese) bytes decode
    as GB18030 too, into nonsense with private-use characters (電話 → 筿杠), and are refused (import.big5, or
    import.unknown_encoding when Big5 does not read them either) rather than imported garbled (C-1). NUL bytes
    or other binary control bytes: not a spreadsheet."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if data.startswith(REFUSED_MAGIC) or b"\x00" in data[:SAMPLE]:
        raise Invalid("import.not_spreadsheet")
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig" if _decodes(data, "utf-8-sig") else _unknown()
    if _decodes(data, "utf-8"):
        return "utf-8"
    if _decodes(data, "gb18030", PRIVATE_USE):
        return "gb18030"
    if _decodes(data, "big5"):
        raise Invalid("import.big5")
    return _unknown()


def _unknown() -> str:
    raise Invalid("import.unknown_encoding")


def _decodes(data: bytes, encoding: str, unlikely: re.Pattern | None = None) -> bool:
    """Whether every byte decodes, into no `unlikely` character."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for at in range(0, len(data), CHUNK):
            text = decoder.decode(data[at:at + CHUNK], final=at + CHUNK >= len(data))
            if BINARY.search(text):
                raise Invalid("import.not_spreadsheet")
            if unlikely is not None and unlikely.search(text):
                return False
    except UnicodeDecodeError:
        return False
    return True


BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


def _delimiter(data: bytes, encoding: str) -> str:
    sample = data[:SAMPLE].decode(encoding, errors="ignore")
    sample = sample[:sample.rfind("\n")] if "\n" in sample else sample
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _csv_rows(src: Source, tab: Table) -> Iterator[tuple[int, list[object]]]:
    stream = io.TextIOWrapper(io.BytesIO(src.data), encoding=tab.encoding, newline="")
    reader = csv.reader(stream, delimiter=tab.delimiter or ",")
    try:
        yield from enumerate(reader, start=1)
    except csv.Error:  # a cell longer than csv's field limit (128 KiB): no customer field holds that much
        raise Invalid("import.bad_csv", row=reader.line_num) from None


# --- xlsx --------------------------------------------------------------------------------------------------

def _workbook(src: Source):
    if src.data[:4] != b"PK\x03\x04":
        raise Invalid("import.not_spreadsheet")
    sheet_xml.check_unzipped(src.data)
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(src.data))
    except (calamine.CalamineError, ValueError, OSError):  # a zip that is no workbook, a broken one
        raise Invalid("import.not_spreadsheet") from None


def _xlsx_rows(src: Source, sheet: str | None) -> Iterator[tuple[int, list[object]]]:
    book = _workbook(src)
    if sheet not in book.sheet_names:
        raise Invalid("import.no_sheet", sheet=sheet or "")
    formulas = sheet_xml.scan(src.data, book.sheet_names.index(sheet))  # refuses a sheet too wide to load
    try:  # a sheet calamine cannot read (broken XML, a string index out of its table) is no spreadsheet (C-1)
        found = book.get_sheet_by_name(sheet)
        offset = found.start[1] if found.start else 0
        for index, values in enumerate(found.iter_rows(), start=1):
            if formulas and index in formulas:
                values = [Formula(v) if offset + col in formulas[index] else v for col, v in enumerate(values)]
            yield index, list(values)
    except (calamine.CalamineError, ValueError, OSError):
        raise Invalid("import.not_spreadsheet") from None
