"""The export files (issue 13): a CSV in UTF-8 with a BOM, an .xlsx read back with python-calamine, both
written from an iterator as the rows arrive (never held whole), and formula-like cells written as text (CSV
injection, OWASP): a leading quote in a CSV, a string cell in a workbook."""
import csv
import io
from datetime import UTC, datetime

import pytest
from python_calamine import CalamineWorkbook

from core.export.cells import csv_cell, is_formula_like
from core.export.names import file_name, safe_name, sheet_name
from core.export.writers import write_csv, write_xlsx
from core.i18n import t
from core.permissions import EXPORTS

HEADERS = ["编号", "客户", "金额"]
EVIL = ["=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tcmd", "\rcmd",
        "=HYPERLINK(\"http://x\")", "+2+3", "-", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", EVIL, ids=["equals", "plus", "minus", "at", "tab", "cr", "hyperlink", "sum",
                                            "dash", "dde"])
def test_a_formula_like_cell_is_quoted_as_text_in_a_csv(text):
    assert is_formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["张伟", "WO-1", "a=b", "", "1-2", " =x", "-5", "-12.50", "-1,234.50", "+12",
                                  "+1 415-872-3301", "+86 (138) 1234.5678"])
def test_an_ordinary_cell_is_written_as_it_is(text):
    """A plain number (a negative amount) or a + phone cannot be a formula (no letter, no | or !): written as
    it is, so the import reads the same phone back (issue 13)."""
    assert not is_formula_like(text)
    assert csv_cell(text) == text


def test_none_is_an_empty_cell():
    assert csv_cell(None) == ""


def test_the_csv_has_a_bom_chinese_headers_and_the_quoted_formulas(tmp_path):
    path = tmp_path / "out.csv"
    assert write_csv(path, HEADERS, [["WO-1", "张伟", "¥12.00"], [EVIL[0], EVIL[3], None]]) == 2
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [HEADERS, ["WO-1", "张伟", "¥12.00"], ["'=1+1", "'@SUM(A1)", ""]]


def test_the_xlsx_reads_back_with_text_as_text_and_amounts_as_numbers(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_xlsx(path, HEADERS, [["WO-1", "张伟", 12.5], ["=1+1", "@SUM(A1)", None], ["0123", "-5", 3]],
                      "工单") == 3
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADERS
    assert rows[1] == ["WO-1", "张伟", 12.5]
    assert rows[2][:2] == ["=1+1", "@SUM(A1)"]  # the text itself: a string cell, never a formula
    assert rows[3][:2] == ["0123", "-5"]  # text stays text: no number made of a code or a phone
    assert rows[3][2] == 3


def test_the_xlsx_cell_holds_no_formula(tmp_path):
    """The workbook's XML has no <f> element: Excel has nothing to evaluate."""
    import zipfile
    path = tmp_path / "out.xlsx"
    write_xlsx(path, HEADERS, [EVIL[:3]], "list")
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_rows_past_a_sheet_go_on_in_a_next_sheet_with_the_header(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_xlsx(path, HEADERS, ([str(i), "x", i] for i in range(7)), sheet="list", sheet_rows=4) == 7
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["list", "list (2)", "list (3)"]
    sheets = [book.get_sheet_by_index(i).to_python() for i in range(3)]
    assert [s[0] for s in sheets] == [HEADERS] * 3
    assert [r[0] for s in sheets for r in s[1:]] == [str(i) for i in range(7)]


def test_an_empty_list_gives_the_header_alone(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADERS, iter(()), "list")
    write_csv(tmp_path / "a.csv", HEADERS, iter(()))
    assert CalamineWorkbook.from_path(str(tmp_path / "a.xlsx")).get_sheet_by_index(0).to_python() == [HEADERS]
    assert (tmp_path / "a.csv").read_text("utf-8-sig").splitlines() == [",".join(HEADERS)]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_the_writers_take_each_row_as_it_comes_never_the_whole_list(tmp_path, writer):
    """A generator that records how far it was read when each row was asked for: the writer asks for one
    row at a time and never holds more than one (a list() or sort would pull them all before the first
    write). The file grows while the rows come."""
    pulled, sizes, path = [], [], tmp_path / "streamed"

    def rows():
        for i in range(3000):
            pulled.append(i)
            if i % 1000 == 999 and writer is write_csv:
                sizes.append(path.stat().st_size)
            yield [f"WO-{i}", "张伟", i]

    assert writer(path, HEADERS, rows(), *(["list"] if writer is write_xlsx else [])) == 3000
    assert pulled == list(range(3000))
    if writer is write_csv:
        assert sizes == sorted(sizes) and sizes[0] < sizes[-1]  # written as the rows came, not at the end


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_exported_list_has_a_translated_file_and_sheet_name_safe_everywhere(lang):
    """Issue 13 export: the file is `工单-20261201-1030.xlsx`, not the internal `work_orders-…`, and its sheet is
    named the same, not "Sheet1"; no character a file system or Excel refuses."""
    now = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    for listing in [*EXPORTS, "bad_rows"]:
        name, sheet = file_name(listing, "xlsx", now, "Asia/Shanghai", lang), sheet_name(listing, lang)
        assert name == f"{t(f'export.name.{listing}', lang)}-20261201-1030.xlsx" and listing not in name
        assert sheet == t(f"export.name.{listing}", lang) and len(sheet) <= 31
        assert not set('/\\:*?"<>|[]') & set(name + sheet)
    assert file_name("work_orders", "csv", now, "Asia/Shanghai", "zh") == "工单-20261201-1030.csv"


def test_a_kpi_charts_export_is_named_after_its_chart():
    """Issue 14: a manager who exports several charts gets files (and sheets) that say which chart each holds,
    not a row of `KPI data-…`; the chart's title is made safe like any name ("A/B/C" holds slashes)."""
    now = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert file_name("kpis", "xlsx", now, "Asia/Shanghai", "zh", "每周投诉") == "指标数据-每周投诉-20261201-1030.xlsx"
    assert file_name("kpis", "csv", now, "Asia/Shanghai", "en", "A/B/C lead follow-ups on schedule") == \
        "KPI data-A_B_C lead follow-ups on schedule-20261201-1030.csv"
    assert sheet_name("kpis", "en", "A/B/C lead follow-ups on schedule") == "A_B_C lead follow-ups on schedu"
    assert sheet_name("kpis", "zh") == "指标数据"


def test_a_name_with_forbidden_characters_is_made_safe():
    assert safe_name('a/b\\c:d*e?f"g<h>i|j[k]') == "a_b_c_d_e_f_g_h_i_j_k"
    assert safe_name("///") == "export"


def test_the_workbook_sheet_carries_the_given_name(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADERS, [["WO-1", "张伟", 1]], "工单")
    assert CalamineWorkbook.from_path(str(tmp_path / "a.xlsx")).sheet_names == ["工单"]
