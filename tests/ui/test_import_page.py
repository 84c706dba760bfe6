"""The import wizard (C-1, issue 13 "Import") as the manager drives it, in Chinese: a GBK CSV with Chinese headers
uploaded, its encoding named, its columns mapped to fields by their names, its bad rows listed with row, column and
reason and downloadable as a workbook, and the good rows imported only when the user takes them; a refused import
writes nothing. AppTest uploads the bytes through the real st.file_uploader."""

from __future__ import annotations

import hashlib
import io
import tomllib
from pathlib import Path

import pytest
import streamlit
import xlsxwriter
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from core.i18n import t
from core.imports.read import MAX_BYTES
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import Customer, ImportBatch
from tests.ui.test_plain_text_pages import HOSTILE, assert_shown_plain

HEADERS = ["姓名", "手机", "城市", "生日", "备注"]
GOOD = [["导入测试甲", "13994001001", "北京", "1985-03-12", "**老客户**"],
        ["导入测试丁", "+86 139-9400-1004", "深圳", "", "<b>转介绍</b>"]]
BAD = [["导入测试乙", "139 9400 1002", "上海", "1990-02-30", ""],  # row 3: no 30 February
       ["导入测试丙", "12345", "广州", "1978-11-02", ""]]  # row 4: not a phone
ROWS = [GOOD[0], *BAD, GOOD[1]]  # rows 2..5 as Excel numbers them


def gbk_csv(rows: list[list[str]] = ROWS) -> bytes:
    """What an older system exports: GBK bytes, Chinese headers, CRLF lines."""
    return "\r\n".join(",".join(cells) for cells in [HEADERS, *rows]).encode("gbk")


def key(data: bytes, name: str, sheet: int = 0) -> str:
    """The wizard's widget key for this file's sheet (ui.import_wizard.wkey)."""
    return f"imp_{hashlib.sha256(data).hexdigest()[:16]}_{sheet}_{name}"


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        found = (s.scalar(select(func.count()).select_from(Customer)),
                 s.scalar(select(func.count()).select_from(ImportBatch)))
    engine.dispose()
    return found


def imported(url: str, prefix: str = "导入测试") -> dict[str, str]:
    """name → stored phone of the customers whose name starts with `prefix` (a test's own names)."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        found = dict(s.execute(select(Customer.name, Customer.phone).where(Customer.name.startswith(prefix))).all())
    engine.dispose()
    return found


@pytest.fixture
def uploaded(open_page, monkeypatch):
    """The import page in Chinese with the GBK file picked; the bad rows' workbook kept when the page offers it."""
    offered = {}
    real = streamlit.download_button
    monkeypatch.setattr(streamlit, "download_button",
                        lambda label, data, *a, **kw: offered.update({label: (data, kw.get("file_name"))})
                        or real(label, data, *a, **kw))

    def _upload(data: bytes = gbk_csv(), name: str = "客户名单.csv"):
        at = open_page("pages/imports.py", "zh")
        assert not at.exception and at.title[0].value == t("nav.imports", "zh")
        at.file_uploader[0].upload(name, data, "text/csv").run()
        assert not at.exception
        return at, offered

    return _upload


def test_a_gbk_csv_with_chinese_headers_is_mapped_checked_and_its_good_rows_imported(uploaded, demo_url):
    """C-1: the encoding found without asking, the headers mapped by their Chinese names, every bad row listed
    with its row number, column and reason in the user's language, the bad rows downloadable, and the good
    rows written when the user takes them, each phone in its canonical form."""
    data = gbk_csv()
    at, offered = uploaded(data)
    assert t("import_ui.encoding", "zh", encoding=t("import_ui.enc.gb18030", "zh")) in [c.value for c in at.caption]
    assert t("import_ui.mapping_guessed", "zh") in [c.value for c in at.caption]
    assert [at.selectbox(key=key(data, f"map_{i}")).value for i in range(5)] == [
        "name", "phone", "city", "birthday", "notes"]

    problems = at.dataframe[0].value
    assert list(problems.columns) == [t(f"import_ui.{c}", "zh") for c in ("row", "column", "reason", "value")]
    assert sorted(set(problems[t("import_ui.row", "zh")])) == [3, 4]
    assert list(zip(problems[t("import_ui.column", "zh")], problems[t("import_ui.value", "zh")], strict=True)) == [
        ("生日", "1990-02-30"), ("手机", "12345")]  # each refused cell as it was in the file
    assert not any(reason.startswith("import.") for reason in problems[t("import_ui.reason", "zh")])  # translated
    assert [m.value for m in at.metric] == ["4", "2", "2", "0"]

    data_fn, file_name = offered[t("import_ui.bad_rows", "zh")]
    assert file_name == t("import_ui.bad_rows_file", "zh", name="客户名单") + ".xlsx"
    book = CalamineWorkbook.from_filelike(io.BytesIO(data_fn()))  # made on the click
    assert book.sheet_names == [t("export.name.bad_rows", "zh")]  # named in Chinese, not "Sheet1"
    sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[0] == [*HEADERS, t("import.row", "zh"), t("import.reason", "zh")]
    assert [r[:5] for r in sheet[1:]] == BAD and [r[5] for r in sheet[1:]] == ["3", "4"]  # as they were in the file

    preview = at.dataframe[1].value
    assert list(preview[t("import.field.name", "zh")]) == ["导入测试甲", "导入测试丁"]
    assert "**老客户**" in list(preview[t("import.field.notes", "zh")])  # as typed: a cell is plain text
    before = counts(demo_url)
    at.checkbox(key=key(data, "take_good")).check().run()
    at.button(key=key(data, "run")).click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == t("import_ui.done", "zh", name="客户名单\\.csv")
    assert [m.value for m in at.metric] == ["2", "0", "0", "2"]
    assert [b.key for b in at.get("download_button")] == ["imp_left_out"]  # the rows left out, to fix
    assert counts(demo_url) == (before[0] + 2, before[1] + 1)  # two customers, one audited batch
    assert imported(demo_url) == {"导入测试甲": "+8613994001001", "导入测试丁": "+8613994001004"}


def test_an_import_with_bad_rows_not_taken_is_refused_and_writes_nothing(uploaded, demo_url):
    """All or nothing (C-1): bad rows and no "take the good rows" refuse the whole import, and say why."""
    data = gbk_csv()
    at, _ = uploaded(data)
    before = counts(demo_url)
    at.button(key=key(data, "run")).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("import.rows_refused", "zh", count=2)] and not at.success
    assert counts(demo_url) == before and imported(demo_url) == {}


def test_the_same_file_twice_is_recognised_and_imported_again_only_when_asked(uploaded, demo_url):
    """C-1: the same file imported twice is recognised and refused unless the user asks; its customers, now in
    the archive, are what the user chose (here: skipped)."""
    data = gbk_csv(GOOD)
    at, _ = uploaded(data)
    at.button(key=key(data, "run")).click().run()
    assert not at.exception and at.success
    at.button(key="imp_another").click().run()
    at.file_uploader[0].upload("客户名单.csv", data, "text/csv").run()
    assert not at.exception and at.warning
    assert t("import_ui.mapping_remembered", "zh") in [c.value for c in at.caption]  # the shape's mapping
    assert at.button(key=key(data, "run")).disabled  # what to do with the two customers now in the archive?
    at.radio(key=key(data, "dups")).set_value("skip").run()
    before = counts(demo_url)
    at.button(key=key(data, "run")).click().run()
    assert len(at.error) == 1 and at.error[0].value.startswith(t("import.imported_before", "zh").split("{")[0])
    assert counts(demo_url) == before
    at.checkbox(key=key(data, "again")).check().run()
    at.button(key=key(data, "run")).click().run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["0", "0", "2", "0"]
    assert counts(demo_url) == (before[0], before[1] + 1)


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_its_reason(uploaded):
    at, _ = uploaded(b"%PDF-1.4\n%%EOF\n", "名单.csv")
    assert [e.value for e in at.error] == [t("import.not_spreadsheet", "zh")]
    assert not at.dataframe and not at.selectbox


def test_a_column_mapped_anew_is_checked_again_and_a_required_field_left_out_is_named(uploaded):
    """The mapping is the user's to correct: the form's choice counts once sent; a required field with no
    column is refused by its label in the user's language, and nothing is analysed."""
    data = gbk_csv()
    at, _ = uploaded(data)
    send = next(b for b in at.button if b.label == t("import_ui.check", "zh"))
    at.selectbox(key=key(data, "map_3")).set_value("")  # the birthdays left out: their bad date no longer counts
    send.click().run()
    assert not at.exception
    assert sorted(set(at.dataframe[0].value[t("import_ui.row", "zh")])) == [4]
    at.selectbox(key=key(data, "map_1")).set_value("")
    next(b for b in at.button if b.label == t("import_ui.check", "zh")).click().run()
    assert [e.value for e in at.error] == [t("import.missing_field", "zh", field=t("import.field.phone", "zh"))]
    assert not at.dataframe  # no analysis, no import button


def test_a_workbook_with_several_sheets_asks_which_one(uploaded):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("说明").write_row(0, 0, ["本表由旧系统导出"])
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, ["2026年客户名单"])  # a title above the column names
    for n, cells in enumerate([HEADERS, *GOOD], start=2):
        sheet.write_row(n, 0, cells)
    book.close()
    data = out.getvalue()
    at, _ = uploaded(data, "客户.xlsx")
    assert [e.value for e in at.error] == [t("import.no_rows", "zh")]  # the first sheet: a note, no customers
    at.selectbox(key=f"imp_{hashlib.sha256(data).hexdigest()[:16]}_sheet").set_value("客户").run()
    assert not at.exception and not at.error
    assert t("import_ui.header_row", "zh", row=3) in [c.value for c in at.caption]
    assert [at.selectbox(key=key(data, f"map_{i}", sheet=1)).value for i in range(5)] == [
        "name", "phone", "city", "birthday", "notes"]
    assert list(at.dataframe[0].value[t("import.field.phone", "zh")]) == ["139 9400 1001", "139 9400 1004"]


def test_what_came_from_the_file_is_shown_as_plain_text(uploaded):
    """STYLE habit 5: a header, a file name and the values are data: the questions, the labels and the result
    that name them show them escaped, whatever Markdown, HTML or directive they hold."""
    rows = [["导入测试戊", "13994001011", "03/04/1985"], ["导入测试己", "13994001012", "05/06/1990"]]
    data = "\r\n".join(",".join(r) for r in [["姓名", "手机", HOSTILE], *rows]).encode("gbk")
    at, _ = uploaded(data, "**B** :red[R] $x^2$ :smile: [link](x).csv")
    assert_shown_plain(at, "mapping", expect=True)  # the column's label
    at.selectbox(key=key(data, "map_2")).set_value("birthday")
    next(b for b in at.button if b.label == t("import_ui.check", "zh")).click().run()
    assert at.radio(key=key(data, "date_2"))  # 03/04 or 04/03? the file does not tell
    assert_shown_plain(at, "date question", expect=True)
    at.radio(key=key(data, "date_2")).set_value("dmy").run()
    assert at.radio(key=key(data, "date_2")).value == "dmy"  # the answer stays, changeable
    assert list(at.dataframe[0].value[t("import.field.birthday", "zh")]) == [  # the preview reads it day first
        "1985年4月3日", "1990年6月5日"]
    at.button(key=key(data, "run")).click().run()
    assert at.success
    assert_shown_plain(at, "result")


def test_the_server_takes_a_file_as_large_as_the_import_allows():
    """The uploader's limit is the import's (core.imports.read.MAX_BYTES); the server's own cap must not be lower,
    or a file the page accepts would fail in transit with Streamlit's English error."""
    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 >= MAX_BYTES


@pytest.mark.parametrize(("role", "offered"), [(Role.MANAGER, True), (Role.SPECIALIST, False),
                                               (Role.DIRECTOR, False)])
def test_the_customers_page_links_to_the_import_only_for_the_roles_that_may_import(open_page, role, offered):
    at = open_page("pages/customers.py", "en", role)
    assert not at.exception
    links = [link for link in at.get("page_link") if link.proto.label == t("import_ui.open", "en")]
    assert bool(links) == offered


def test_the_file_is_read_once_not_on_every_rerun(uploaded, monkeypatch):
    """C-1: reading a workbook (zip sums, XML passes, calamine) is the slow part: the sheet names and each
    sheet's header row are read on the first run and kept with the file (per hash and sheet), not again on
    every click. The real reader is called and counted, nothing stubbed."""
    import ui.import_wizard as wizard

    calls = []
    for name in ("sheets", "table"):
        real = getattr(wizard, name)
        monkeypatch.setattr(wizard, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    data = gbk_csv()
    at, _ = uploaded(data)
    for _ in range(2):
        next(b for b in at.button if b.label == t("import_ui.check", "zh")).click().run()
        assert not at.exception
    at.run()
    assert calls == ["sheets", "table"]
