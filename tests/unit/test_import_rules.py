"""The import's pure rules (C-1): reading a file's encoding and separator, the header guess, dates (impossible,
Excel serials, day/month order, two-digit years), phones, grades in either language, formulas."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.errors import Invalid
from core.i18n import catalog
from core.imports import read, rules
from core.imports.checks import clean_row
from core.imports.fields import FIELDS, guess, shape
from core.imports.plan import Options, check_mapping
from db.enums import CustomerGrade, SourceChannel
from tests.import_corpus import F, csv_bytes, good, xlsx_bytes

TODAY = date(2026, 11, 20)

DATES = [  # (cell, column order, the date)
    ("2026-03-04", None, date(2026, 3, 4)),
    ("2026/3/4", None, date(2026, 3, 4)),
    ("2026年3月4日", None, date(2026, 3, 4)),
    ("20260304", None, date(2026, 3, 4)),
    ("2026-03-04 10:30:00", None, date(2026, 3, 4)),
    (45123, None, date(2023, 7, 16)),  # an Excel serial: days since 1899-12-30
    (45123.75, None, date(2023, 7, 16)),
    ("45123", None, date(2023, 7, 16)),
    (datetime(2026, 3, 4, 9), None, date(2026, 3, 4)),
    ("13/03/2026", None, date(2026, 3, 13)),  # the file tells: a first part above 12 is a day
    ("03/13/2026", None, date(2026, 3, 13)),
    ("04/03/2026", "dmy", date(2026, 3, 4)),
    ("04/03/2026", "mdy", date(2026, 4, 3)),
    ("07/07/2026", None, date(2026, 7, 7)),  # either order gives the same day
    ("15/03/58", None, date(1958, 3, 15)),  # a two-digit year that would be in the future: the last century
    ("15/03/26", None, date(2026, 3, 15)),
    ("21/11/26", None, date(1926, 11, 21)),  # the day after today in 2026: 1926
]


@pytest.mark.parametrize(("cell", "order", "wanted"), DATES, ids=[str(d[0]) for d in DATES])
def test_a_date_cell_is_read_as_the_date_it_means(cell, order, wanted):
    assert rules.parse_date(cell, order, TODAY)[0] == wanted


@pytest.mark.parametrize(("cell", "key"), [("2026-02-30", "import.impossible_date"),
                                           ("31/04/2026", "import.impossible_date"),
                                           ("04/03/2026", "import.ambiguous_date"), ("soon", "import.bad_date"),
                                           (0, "import.bad_date"), (3_000_000, "import.bad_date"),
                                           ("12:30", "import.bad_date")])
def test_a_date_that_is_not_one_is_refused_with_its_reason(cell, key):
    with pytest.raises(Invalid) as refused:
        rules.parse_date(cell, None, TODAY)
    assert refused.value.key == key


def test_an_excel_serial_is_never_1970_nor_the_year_45123():
    found, _ = rules.parse_date(45123, None, TODAY)
    assert found.year == 2023


def test_two_digit_years_are_said_to_have_been_read_so():
    assert rules.parse_date("15/03/58", None, TODAY) == (date(1958, 3, 15), True)
    assert rules.parse_date("1958-03-15", None, TODAY) == (date(1958, 3, 15), False)


@pytest.mark.parametrize(("cell", "grade"), [("VIP", CustomerGrade.VIP), ("vip", CustomerGrade.VIP),
                                             ("VIP 客户", CustomerGrade.VIP), ("key", CustomerGrade.KEY),
                                             ("重点客户", CustomerGrade.KEY), ("重要", CustomerGrade.KEY),
                                             ("普通", CustomerGrade.NORMAL), ("Normal", CustomerGrade.NORMAL),
                                             ("", None)])
def test_a_grade_is_known_by_its_value_or_either_languages_label(cell, grade):
    assert rules.grade(cell) == grade


def test_an_unknown_grade_or_source_is_refused():
    with pytest.raises(Invalid, match="import.bad_grade"):
        rules.grade("gold")
    with pytest.raises(Invalid, match="import.bad_channel"):
        rules.channel("tv")
    assert rules.channel("转介绍") == SourceChannel.REFERRAL


@pytest.mark.parametrize(("cell", "phone"), [
    ("13812345678", "+8613812345678"), (13812345678.0, "+8613812345678"), ("138-1234-5678", "+8613812345678"),
    ("+86 138 1234 5678", "+8613812345678"), ("010-6552 9988", "+861065529988"), ("", None)])
def test_a_phone_is_stored_in_its_canonical_form(cell, phone):
    assert rules.phone(cell, "CN") == phone


@pytest.mark.parametrize("cell", ["12345", "电话", "1381234567812345"])
def test_a_number_that_is_no_phone_is_refused(cell):
    with pytest.raises(Invalid, match="import.bad_phone"):
        rules.phone(cell, "CN")


OWASP = ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "=SUM(A1:A3)",
         "=A1", "=1+1", "=HYPERLINK(\"http://x\")", "=-5", "= 张三", "=", "+2+3", "-", "- 无 -", " =A1",
         "=DDE(\"cmd\";\"/C calc\";\"__DdeLink_60_870516294\")"]


@pytest.mark.parametrize("cell", OWASP)
def test_a_csv_cell_a_spreadsheet_would_evaluate_is_a_formula(cell):
    """Issue 13 (C-1 formulas): OWASP CSV-injection payloads, = + - @ first, are refused whatever follows."""
    assert rules.is_formula(cell)
    assert rules.is_formula(rules.unmarked("'" + cell.strip()))  # the text marker taken off, still a formula


@pytest.mark.parametrize("cell", ["a=b", "张三", "-5", "-12.50", "+12", "-1,234.50", "+1 415-872-3301",
                                  "+86 (138) 1234.5678", "13812345678", "", "'abc"])
def test_a_plain_number_a_plus_phone_or_plain_text_is_no_formula(cell):
    assert not rules.is_formula(cell)


def test_excel_s_text_marker_is_taken_off_before_a_formula_sign_only():
    assert rules.unmarked("'+1 415-872-3301") == "+1 415-872-3301"
    assert rules.unmarked("'-5") == "-5"
    assert rules.unmarked("'abc") == "'abc"
    assert rules.unmarked("''=1") == "''=1"
    assert rules.unmarked(5) == 5


def test_an_xlsx_formula_cell_is_marked_and_never_evaluated():
    src = read.source("f.xlsx", xlsx_bytes([["张三", "13812345678", F("=1+1"), "", "", "", "", ""]]))
    (_row, values), = read.rows(src, read.table(src))
    assert isinstance(values[2], read.Formula) and rules.is_formula(values[2])


@pytest.mark.parametrize(("encoding", "delimiter", "found"), [("utf-8", ",", "utf-8"), ("utf-8-sig", ";", "utf-8-sig"),
                                                              ("gbk", ",", "gb18030"), ("gb18030", "\t", "gb18030"),
                                                              ("utf-16", "\t", "utf-16")])
def test_a_csv_is_read_without_asking_its_encoding_or_separator(encoding, delimiter, found):
    src = read.source("x.csv", csv_bytes(good(2), encoding, delimiter))
    tab = read.table(src)
    assert (tab.encoding, tab.delimiter) == (found, delimiter)
    assert [v[0] for _, v in read.rows(src, tab)] == ["客户0", "客户1"]


def test_phones_stored_as_numbers_in_an_xlsx_read_as_text():
    src = read.source("p.xlsx", xlsx_bytes([["张三", 13812345678, "", "", "", "", "", ""]]))
    (_row, values), = read.rows(src, read.table(src))
    assert read.text_of(values[1]) == "13812345678"


def test_headers_in_chinese_and_english_map_to_the_same_fields():
    chinese = ["客户名称", "手机号", "地址", "城市", "出生日期", "客户等级", "产品型号", "车牌号", "订单号", "购买时间",
               "交车日期", "不认识"]
    english = ["Customer", "Mobile", "Address", "City", "Birthday", "Grade", "Model", "Plate", "Order No.",
               "Purchase date", "Delivery date", "whatever"]
    assert guess(chinese) == guess(english) == dict(enumerate(
        ["name", "phone", "address", "city", "birthday", "grade", "model", "serial_no", "order_no", "purchase_date",
         "delivery_date"]))


def test_a_field_is_taken_by_its_first_column_only_and_the_shape_ignores_case_and_blanks():
    assert guess(["电话", "手机"]) == {0: "phone"}
    assert shape(["Name", " Phone "]) == shape(["name", "phone"]) != shape(["phone", "name"])


def test_every_field_has_its_label_in_both_languages():
    for lang in ("en", "zh"):
        assert all(spec.label_key in catalog(lang) for spec in FIELDS.values())


def test_a_row_names_each_bad_cell_by_its_header():
    headers = ["姓名", "电话", "生日", "等级"]
    mapping = {0: "name", 1: "phone", 2: "birthday", 3: "grade"}
    cleaned = clean_row(7, ["", "123", "2026-02-30", "gold"], headers, mapping, {}, "CN", TODAY)
    assert sorted((p.row, p.column, p.key) for p in cleaned.problems) == sorted([
        (7, "姓名", "import.required"), (7, "生日", "import.impossible_date"), (7, "电话", "import.bad_phone"),
        (7, "等级", "import.bad_grade")])


@pytest.mark.parametrize(("cell", "key"), [("1990", "import.year_only"), (1990, "import.year_only"),
                                           (2026.0, "import.year_only"), ("12", "import.bad_date"),
                                           (12, "import.bad_date"), ("9999", "import.bad_date")])
def test_a_year_alone_or_a_small_number_in_a_date_column_is_no_date(cell, key):
    """C-1: "1990" is a year, not the Excel serial 1905-06-12, and "12" is not 1900-01-11: each is refused with
    its reason rather than imported as a date nobody meant."""
    with pytest.raises(Invalid) as refused:
        rules.parse_date(cell, None, TODAY)
    assert refused.value.key == key


def test_excel_serials_are_read_from_the_floor_on():
    assert rules.parse_date(10_000, None, TODAY)[0] == date(1927, 5, 18)
    assert rules.parse_date("21916", None, TODAY)[0] == date(1960, 1, 1)


def test_year_month_day_is_no_date_order_a_column_can_be_given():
    """C-1: parse_date reads a day/month/year text by "dmy" or "mdy" only (year-first text is always
    year-month-day), so check_mapping refuses "ymd" rather than let it be read as month first."""
    tab = read.Table(headers=["姓名", "电话", "生日"], encoding="utf-8", sheet=None)
    mapping = {0: "name", 1: "phone", 2: "birthday"}
    check_mapping(tab, Options(mapping=mapping, date_orders={2: "dmy"}))
    with pytest.raises(Invalid, match="error.invalid"):
        check_mapping(tab, Options(mapping=mapping, date_orders={2: "ymd"}))
    with pytest.raises(Invalid, match="error.invalid"):
        rules.parse_date("04/03/2026", "ymd", TODAY)
    assert rules.parse_date("2026/03/04", "mdy", TODAY)[0] == date(2026, 3, 4)


def test_big5_bytes_are_refused_not_read_as_gb18030_nonsense():
    """C-1: Big5 decodes as GB18030 into private-use characters (電話 → 筿杠…); it is refused, naming Big5,
    while GBK and GB18030 files, four-byte characters included, are read."""
    big5 = read.source("t.csv", csv_bytes([["陳大文", "13812345678", "臺北", "", "", "", "", ""]], "big5",
                                          head=["姓名", "電話", "城市", "等級", "生日", "型號", "訂單號", "購買日期"]))
    with pytest.raises(Invalid, match="import.big5"):
        read.table(big5)
    gbk = read.source("s.csv", csv_bytes([["张𠀾", "13812345678", "上海", "", "", "", "", ""]], "gb18030"))
    assert read.table(gbk).encoding == "gb18030"


def test_a_header_wider_than_the_limit_is_refused_with_its_width():
    src = read.source("w.csv", csv_bytes(good(1), head=["姓名", "电话", *[""] * read.MAX_COLUMNS, "备注"]))
    with pytest.raises(Invalid) as refused:
        read.table(src)
    assert refused.value.key == "import.too_many_columns"
    assert refused.value.params == {"count": read.MAX_COLUMNS + 3, "limit": read.MAX_COLUMNS}


@pytest.mark.parametrize("text, meant", [
    ("85-03-12", date(1985, 3, 12)), ("85/3/12", date(1985, 3, 12)), ("85年3月12日", date(1985, 3, 12)),
    ("05年3月12日", date(2005, 3, 12)), ("99.12.31", date(1999, 12, 31)),
])
def test_a_two_digit_year_written_first_is_read_as_the_year_c1(text, meant):
    """C-1: the Chinese order with a two-digit year (yy-mm-dd) is understood: certain with 年, otherwise when
    the first part cannot be a day; the century is the latest not after the file's latest date."""
    assert rules.parse_date(text, None, date(2026, 11, 30)) == (meant, True)
