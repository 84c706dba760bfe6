"""The import's corpus (issue 13's acceptance): malformed and well-formed customer files, each built at test time
(the 20 MB one too, so the repository stays small) with the result it must give, row by row: the refusal of the
whole file (`refused`, a key of core.imports.read.table), or each problem as (row, column header, key) and how
many customers the good rows create. `archive` customers exist before the import (duplicates against the
archive); `options` are the user's answers (date orders, duplicates mode)."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter

from tests.sample_files import PDF

HEAD = ["姓名", "电话", "城市", "等级", "生日", "型号", "订单号", "购买日期"]
ENGLISH = ["Name", "Mobile", "City", "Grade", "Birthday", "Model", "Order No", "Purchase Date"]
ARCHIVE = ({"name": "王建国", "phone": "+8613900000001", "city": "北京"},
           {"name": "老记录", "phone": "13600000009", "city": "南京"},  # an older record: the phone as typed
           {"name": "Acme Tools", "phone": "+862088880000", "city": "广州"})


def good(n: int, start: int = 0) -> list[list[object]]:
    """`n` good rows in HEAD's columns, phones 13800000000 + i, orders SO-i."""
    return [[f"客户{i}", f"138{i:08d}", "上海", "VIP", "1980-05-0" + str(1 + i % 9), "X1", f"SO-{i}",
             "2026-03-01"] for i in range(start, start + n)]


def person(name: str, phone: str, city: str = "上海", grade: str = "", birthday: str = "") -> list[object]:
    """A row in HEAD's columns without a product."""
    return [name, phone, city, grade, birthday, "", "", ""]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",",
              head: list[str] = HEAD) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


class F(str):
    """A formula to write into an .xlsx cell."""


def xlsx_bytes(rows: list[list[object]], head: list[str] = HEAD, sheet: str = "客户", skip: int = 0,
               extra_sheets: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    when = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(sheet)
    for name in extra_sheets:
        book.add_worksheet(name)
    if skip:
        ws.write_string(0, 0, "客户名单 2026")  # a title above the headers
    for r, values in enumerate([head, *rows], start=skip):
        for c, value in enumerate(values):
            if isinstance(value, F):
                ws.write_formula(r, c, value, None, 2)
            elif isinstance(value, (date, datetime)):
                ws.write_datetime(r, c, value if isinstance(value, datetime) else datetime(*value.timetuple()[:3]),
                                  when)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            elif value not in ("", None):
                ws.write_string(r, c, str(value))
    book.close()
    return out.getvalue()


def big_csv(target: int) -> bytes:
    """A good file of about `target` bytes: rows with a long note (a 20 MB export of an old system)."""
    note = "维修记录" * 900
    per_row = len(f"客户0,13800000000,上海,VIP,1980-05-01,X1,SO-0,2026-03-01,{note}\r\n".encode())
    rows = [[*row, note] for row in good(target // per_row)]
    return csv_bytes(rows, head=[*HEAD, "备注"])


def far_cell() -> bytes:
    """A 5 KB workbook with one cell at row 100,001, column 1,001: calamine would allocate 3 GB for it."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("客户")
    for c, name in enumerate(HEAD):
        sheet.write_string(0, c, name)
    sheet.write_string(1, 0, "张三")
    sheet.write_string(100_000, 1_000, "far away")
    book.close()
    return out.getvalue()


def zip_bomb() -> bytes:
    """A workbook whose parts unzip to 401 MB of zeros (a few hundred KB zipped)."""
    out = io.BytesIO(xlsx_bytes(good(1)))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive, \
            archive.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
        block = bytes(1024 * 1024)
        for _ in range(401):
            fh.write(block)
    return out.getvalue()


def rewritten(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook `data` with one part's bytes changed."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in src.infolist():
            body = src.read(info.filename)
            archive.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def far_cell_behind_an_entity() -> bytes:
    """far_cell with an undefined entity (&foo;) in xl/workbook.xml: ElementTree refuses to parse it, calamine
    reads the sheet anyway (and would allocate its 3 GB rectangle)."""
    return rewritten(far_cell(), "xl/workbook.xml",
                     lambda body: body.replace(b"<workbookPr", b'<fileSharing userName="&foo;"/><workbookPr', 1))


def formula_in_a_broken_sheet() -> bytes:
    """A formula cell in a sheet whose XML carries an undefined entity: the formula scan cannot read it."""
    return rewritten(xlsx_bytes([["张三", "13812345678", F("=1+1"), "", "", "", "", ""]]), "xl/worksheets/sheet1.xml",
                     lambda body: body.replace(b"</sheetData>", b'</sheetData><customSheetViews a="&foo;"/>', 1))


def sheet_calamine_cannot_read() -> bytes:
    """A cell pointing past the shared strings table: calamine raises CalamineError loading the sheet."""
    return rewritten(xlsx_bytes(good(1)), "xl/worksheets/sheet1.xml",
                     lambda body: body.replace(b"</row>", b'<c r="Z1" t="s"><v>999</v></c></row>', 1))


def far_rows_without_references() -> bytes:
    """Cells need no r="B7": calamine places a bare <c> after the previous one and a bare <row> after the
    previous row; here one bare cell in row 1,000,000 (the rectangle: 8 million cells)."""
    return rewritten(xlsx_bytes(good(1)), "xl/worksheets/sheet1.xml", lambda body: body.replace(
        b"</sheetData>", b'<row r="999999"/><row><c t="inlineStr"><is><t>far</t></is></c></row></sheetData>', 1))


def wide_row_without_references() -> bytes:
    """A row of 7,000 bare cells over a thousand rows: 7 million cells, none of them naming itself."""
    return rewritten(xlsx_bytes(good(1)), "xl/worksheets/sheet1.xml", lambda body: body.replace(
        b"</sheetData>", b'<row r="1000">' + b"<c><v>1</v></c>" * 7_000 + b"</row></sheetData>", 1))


def big5_csv() -> bytes:
    """A Traditional Chinese export in Big5: GB18030 decodes it too, into nonsense (電話 → 筿杠)."""
    head = ["姓名", "電話", "城市", "等級", "生日", "型號", "訂單號", "購買日期"]
    return csv_bytes([["陳大文", "13812345678", "臺北", "重要", "1980-05-01", "X1", "SO-1", "2026-03-01"]],
                     "big5", head=head)


def zip_not_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    build: Callable[[], bytes]
    refused: str | None = None
    problems: tuple[tuple[int, str | None, str], ...] = ()
    created: int = 0
    sheet: str | None = None
    options: dict = field(default_factory=dict)
    archive: bool = False
    encoding: str | None = None
    updated: int = 0
    skipped: int = 0


CASES = [
    Case("utf8", "客户.csv", lambda: csv_bytes(good(3)), created=3),
    Case("utf8_bom", "customers.csv", lambda: csv_bytes(good(3), "utf-8-sig", head=ENGLISH), created=3,
         encoding="utf-8-sig"),
    Case("gbk", "客户gbk.csv", lambda: csv_bytes(good(3), "gbk"), created=3, encoding="gb18030"),
    Case("gb18030_four_byte", "客户.csv", lambda: csv_bytes([["张𠀾", "13800000001", "上海", "", "", "", "", ""],
                                                              ["欧阳㐀", "13800000002", "北京", "", "", "", "", ""]],
                                                             "gb18030"), created=2, encoding="gb18030"),
    Case("utf16_tab", "unicode.txt", lambda: csv_bytes(good(2), "utf-16", "\t"), created=2,
         encoding="utf-16"),
    Case("semicolon", "excel_fr.csv", lambda: csv_bytes(good(2), delimiter=";"), created=2),
    Case("tab_utf8", "tab.csv", lambda: csv_bytes(good(2), delimiter="\t"), created=2),
    Case("english_headers_xlsx", "customers.xlsx", lambda: xlsx_bytes(good(2), head=ENGLISH), created=2),
    Case("xlsx_phone_numbers", "手机号为数字.xlsx", lambda: xlsx_bytes(
        [["张三", 13812345678, "上海", "普通", date(1970, 1, 2), "X1", "SO-1", date(2026, 3, 1)],
         ["李四", 13812345679.0, "上海", "key", "", "", "", ""]]), created=2),
    Case("excel_serial_dates_csv", "serial.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "21916", "X1", "SO-1", "45123"],
         ["李四", "13812345679", "上海", "", "", "X1", "SO-2", "4512300"]]),
         problems=((3, "购买日期", "import.bad_date"),), created=1),
    Case("excel_serial_dates_xlsx", "serial.xlsx", lambda: xlsx_bytes(
        [["张三", "13812345678", "上海", "", 21916, "X1", "SO-1", 45123],
         ["李四", "13812345679", "上海", "", date(1958, 3, 4), "X1", "SO-2", datetime(2026, 3, 1, 10, 30)]]),
         created=2),
    Case("impossible_dates", "bad_dates.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "1980-02-30", "X1", "SO-1", "2026-02-30"],
         ["李四", "13812345679", "上海", "", "1980-13-01", "X1", "SO-2", "2026-03-01"],
         ["王五", "13812345670", "上海", "", "", "X1", "SO-3", "yesterday"],
         *good(1, 10)]),
         problems=((2, "生日", "import.impossible_date"), (2, "购买日期", "import.impossible_date"),
                   (3, "生日", "import.impossible_date"), (4, "购买日期", "import.bad_date")), created=1),
    Case("ambiguous_dates", "ambiguous.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "04/03/1980", "", "", ""],
         ["李四", "13812345679", "上海", "", "05/06/1981", "", "", ""],
         ["王五", "13812345670", "上海", "", "07/07/1982", "", "", ""]]),
         problems=((2, "生日", "import.ambiguous_date"), (3, "生日", "import.ambiguous_date")), created=1),
    Case("ambiguous_dates_answered", "ambiguous.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "04/03/1980", "", "", ""],
         ["李四", "13812345679", "上海", "", "05/06/1981", "", "", ""]]), options={"date_orders": {4: "dmy"}},
         created=2),
    Case("day_first_inferred", "dmy.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "04/03/1980", "", "", ""],
         ["李四", "13812345679", "上海", "", "25/12/1981", "", "", ""]]), created=2),
    Case("month_first_inferred", "mdy.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "04/03/1980", "", "", ""],
         ["李四", "13812345679", "上海", "", "12/25/1981", "", "", ""]]), created=2),
    Case("conflicting_orders_answered", "mixed.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "04/03/1980", "", "", ""],
         ["李四", "13812345679", "上海", "", "12/25/1981", "", "", ""],
         ["王五", "13812345670", "上海", "", "25/12/1981", "", "", ""]]), options={"date_orders": {4: "mdy"}},
         problems=((4, "生日", "import.impossible_date"),), created=2),
    Case("two_digit_years", "yy.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "15/03/58", "X1", "SO-1", "20/07/26"],
         ["李四", "13812345679", "上海", "", "01/12/05", "X1", "SO-2", "21/11/26"]]),
         created=2),  # 21/11/26 would lie after today (2026-11-20): a two-digit year goes back a century
    Case("formulas_csv", "formulas.csv", lambda: csv_bytes(
        [["=HYPERLINK(\"http://x\",\"点击\")", "13812345678", "上海", "", "", "", "", ""],
         ["李四", "=1+1", "上海", "", "", "", "", ""],
         ["王五", "13812345670", "=A1", "", "", "", "", ""],
         ["= 不是公式", "13812345671", "上海", "", "", "", "", ""],
         ["赵六", "'+86 138 1234 5672", "上海", "", "", "", "", ""]]),
         problems=((2, "姓名", "import.formula"), (3, "电话", "import.formula"), (4, "城市", "import.formula"),
                   (5, "姓名", "import.formula")),
         created=1),  # "= 不是公式" too (a spreadsheet evaluates whatever follows "="); a ' marked phone is a phone
    Case("formulas_xlsx", "formulas.xlsx", lambda: xlsx_bytes(
        [["张三", "13812345678", F("=CONCAT(\"上\",\"海\")"), "", "", "", "", ""],
         ["李四", "13812345679", "上海", "", "", "", "", ""]]),
         problems=((2, "城市", "import.formula"),), created=1),
    Case("duplicate_rows", "dup.csv", lambda: csv_bytes([*good(2), good(1)[0], [*good(1, 5)[0][:6], "SO-0",
                                                                                  "2026-03-01"]]),
         problems=((4, "电话", "import.duplicate_in_file"), (4, "订单号", "import.duplicate_order"),
                   (5, "订单号", "import.duplicate_order")), created=2),
    Case("duplicate_archive_refused", "dup_archive.csv", lambda: csv_bytes(
        [["王建国", "139 0000 0001", "天津", "", "", "", "", ""],
         ["Acme Tools", "13700000000", "广州", "", "", "", "", ""],
         ["老记录", "+86 136 0000 0009", "", "", "", "", "", ""], *good(1)]), archive=True,
         problems=((2, "电话", "import.duplicate_archive"), (3, "电话", "import.duplicate_archive"),
                   (4, "电话", "import.duplicate_archive")), created=1),
    Case("duplicate_archive_skipped", "dup_archive.csv", lambda: csv_bytes(
        [["王建国", "+86 139 0000 0001", "天津", "", "", "", "", ""], *good(1)]), archive=True,
         options={"duplicates": "skip"}, created=1, skipped=1),
    Case("duplicate_archive_updated", "dup_archive.csv", lambda: csv_bytes(
        [["王建国", "13900000001", "天津", "VIP", "", "X9", "SO-9", "2026-01-01"], *good(1)]), archive=True,
         options={"duplicates": "update"}, created=1, updated=1),
    Case("empty", "empty.csv", lambda: b"", refused="import.empty"),
    Case("blank", "blank.csv", lambda: b" \r\n\r\n  \r\n", refused="import.empty"),
    Case("headers_only", "head.csv", lambda: csv_bytes([]), refused="import.no_rows"),
    Case("headers_only_xlsx", "head.xlsx", lambda: xlsx_bytes([]), refused="import.no_rows"),
    Case("empty_xlsx", "empty.xlsx", lambda: xlsx_bytes([], head=[]), refused="import.empty"),
    Case("wrong_sheet", "book.xlsx", lambda: xlsx_bytes(good(1), extra_sheets=("说明",)), sheet="Sheet9",
         refused="import.no_sheet"),
    Case("second_sheet_empty", "book.xlsx", lambda: xlsx_bytes(good(1), extra_sheets=("说明",)), sheet="说明",
         refused="import.empty"),
    Case("title_row_xlsx", "titled.xlsx", lambda: xlsx_bytes([*good(1), ["坏号码", "12", "上海", "", "", "", "", ""]],
                                                                   skip=2),
         problems=((5, "电话", "import.bad_phone"),), created=1),
    Case("big_20mb", "big.csv", lambda: big_csv(20 * 1024 * 1024), created=-1),
    Case("too_big", "huge.csv", lambda: b"a,b\n" + b"1,2\n" * (7 * 1024 * 1024), refused="import.too_big"),
    Case("random_bytes", "data.csv", lambda: random.Random(13).randbytes(4096), refused="import.not_spreadsheet"),
    Case("pdf", "scan.pdf", lambda: PDF, refused="import.not_spreadsheet"),
    Case("xlsx_not_zip", "customers.xlsx", lambda: csv_bytes(good(1)), refused="import.not_spreadsheet"),
    Case("far_cell", "far.xlsx", far_cell, refused="import.too_many_cells"),
    Case("zip_bomb", "bomb.xlsx", zip_bomb, refused="import.too_big"),
    Case("zip_not_workbook", "customers.xlsx", zip_not_workbook, refused="import.not_spreadsheet"),
    Case("old_xls", "old.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
         refused="import.not_spreadsheet"),
    Case("unknown_encoding", "latin.csv", lambda: "name,phone\nJosé,1\n".encode("latin-1") + b"\xff\xff\n",
         refused="import.unknown_encoding"),
    Case("entity_in_workbook_xml", "far.xlsx", far_cell_behind_an_entity, refused="import.not_spreadsheet"),
    Case("formula_in_broken_sheet_xml", "f.xlsx", formula_in_a_broken_sheet, refused="import.not_spreadsheet"),
    Case("sheet_calamine_cannot_read", "bad.xlsx", sheet_calamine_cannot_read, refused="import.not_spreadsheet"),
    Case("far_rows_without_references", "far.xlsx", far_rows_without_references, refused="import.too_many_cells"),
    Case("wide_row_without_references", "wide.xlsx", wide_row_without_references, refused="import.too_many_cells"),
    Case("too_many_columns", "wide.csv", lambda: csv_bytes(good(1), head=[*HEAD, *[""] * 300, "备注"]),
         refused="import.too_many_columns"),
    Case("two_hundred_columns", "wide.csv", lambda: csv_bytes([[*good(1)[0], *[""] * 191, "x"]],
                                                              head=[*HEAD, *[""] * 191, "备注"]), created=1),
    Case("big5", "繁體.csv", big5_csv, refused="import.big5"),
    Case("years_and_small_numbers_in_date_columns", "years.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "1990", "X1", "SO-1", "12"],
         ["李四", "13812345679", "上海", "", "9999", "X1", "SO-2", "2026"], *good(1, 10)]),
         problems=((2, "生日", "import.year_only"), (2, "购买日期", "import.bad_date"), (3, "生日", "import.bad_date"),
                   (3, "购买日期", "import.year_only")), created=1),
    Case("years_in_xlsx_date_columns", "years.xlsx", lambda: xlsx_bytes(
        [["张三", "13812345678", "上海", "", 1990, "X1", "SO-1", 10000], *good(1, 10)]),
         problems=((2, "生日", "import.year_only"),), created=1),
    Case("grades", "grades.csv", lambda: csv_bytes(
        [person("张三", "13812345678", grade="VIP"), person("李四", "13812345679", grade="重要"),
         person("王五", "13812345670", grade="key"), person("赵六", "13812345671", grade="普通客户"),
         person("钱七", "13812345672", grade="gold")]),
         problems=((6, "等级", "import.bad_grade"),), created=4),
    Case("phones", "phones.csv", lambda: csv_bytes(
        [["张三", "", "上海", "", "", "", "", ""], ["李四", "12345", "上海", "", "", "", "", ""],
         ["王五", "电话打不通", "上海", "", "", "", "", ""], ["赵六", "010-6552 9988", "北京", "", "", "", "", ""],
         ["钱七", "400 810 8888", "北京", "", "", "", "", ""], ["孙八", "+1 415 555 2671", "", "", "", "", "", ""]]),
         problems=((2, "电话", "import.required"), (3, "电话", "import.bad_phone"), (4, "电话", "import.bad_phone")),
         created=3),
    Case("too_long_and_missing_name", "long.csv", lambda: csv_bytes(
        [["张" * 201, "13812345678", "上海", "", "", "", "", ""], ["", "13812345679", "上海", "", "", "", "", ""],
         ["王五", "13812345670", "上" * 101, "", "", "X" * 101, "SO-1", "2026-01-01"]]),
         problems=((2, "姓名", "customer.too_long"), (3, "姓名", "import.required"), (4, "城市", "customer.too_long"),
                   (4, "型号", "input.too_long"))),
    Case("emails_and_extra_columns", "mail.csv", lambda: csv_bytes(
        [["张三", "13812345678", "a@b.cn", "随便", "=1+1"], ["李四", "13812345679", "not-an-email", "x", ""]],
        head=["姓名", "电话", "邮箱", "不认识的列", "另一列"]),
         problems=((3, "邮箱", "customer.bad_email"),), created=1),
    Case("products", "products.csv", lambda: csv_bytes(
        [["张三", "13812345678", "上海", "", "", "X1", "", "2026-01-01"],
         ["李四", "13812345679", "上海", "", "", "X1", "SO-2", "2026-03-01", "2026-02-01"],
         ["王五", "13812345670", "上海", "", "", "X1", "SO-3", "2026-03-01", "2026-03-05"]],
        head=[*HEAD, "交付日期"]),
         problems=((2, "订单号", "import.product_incomplete"), (3, "交付日期", "import.delivery_before_purchase")),
         created=1),
    Case("blank_rows_kept_numbers", "gaps.csv", lambda: csv_bytes([good(1)[0], [""] * 8, ["", "", "", "", "", "",
                                                                                            "", ""], good(1, 3)[0],
                                                                    ["李四", "bad", "", "", "", "", "", ""]]),
         problems=((6, "电话", "import.bad_phone"),), created=2),
]
