"""Issue 13's acceptance in a real browser: the manager imports a GBK CSV with Chinese headers, in Chinese, downloads
the bad rows as a workbook, and takes the good rows (C-1). Only a browser shows the uploader's real file input and
the download the click makes. The names and phones are this test's own, so no other test meets its customers."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from core.i18n import t
from db.enums import Role
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled
from tests.ui.test_import_page import gbk_csv, imported

pytestmark = pytest.mark.e2e
ROWS = [["浏览器导入甲", "13995001001", "北京", "1985-03-12", "老客户"],
        ["浏览器导入乙", "139 9500 1002", "上海", "1990-02-30", ""],  # row 3: no 30 February
        ["浏览器导入丙", "+86 139-9500-1003", "深圳", "", "转介绍"]]


def test_a_manager_imports_a_gbk_csv_in_chinese_and_downloads_the_bad_rows(served_app, e2e_db_url, new_tab, tmp_path):
    path = tmp_path / "客户名单.csv"
    path.write_bytes(gbk_csv(ROWS))
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1600})
    sign_in(page, served_app, Role.MANAGER, next_path="/import")
    heading(page, t("nav.imports", "zh")).wait_for(timeout=60_000)
    settled(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text(t("import_ui.encoding", "zh", encoding=t("import_ui.enc.gb18030", "zh"))).wait_for(
        timeout=60_000)
    bad_rows = page.get_by_role("button", name=t("import_ui.bad_rows", "zh"))
    bad_rows.wait_for(timeout=60_000)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0

    with page.expect_download() as download:
        bad_rows.click()
    assert download.value.suggested_filename == t("import_ui.bad_rows_file", "zh", name="客户名单") + ".xlsx"
    sheet = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    assert len(sheet) == 1 + 1 and "浏览器导入乙" in sheet[1]  # the one refused row, as it was in the file

    page.get_by_text(t("import_ui.take_good", "zh", good=2, bad=1)).click()
    settled(page)
    page.get_by_role("button", name=t("import_ui.run", "zh"), exact=True).click()
    page.get_by_text(t("import_ui.done", "zh", name="客户名单.csv")).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert imported(e2e_db_url, "浏览器导入") == {"浏览器导入甲": "+8613995001001", "浏览器导入丙": "+8613995001003"}
