"""The import's use cases (C-1) on both databases: who may import, the same file twice, the mapping remembered,
the archive's duplicates updated, the search terms written with the rows, the progress, the audit entry, the
generated codes, and the bad rows handed back to fix and import again."""

from __future__ import annotations

import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from core.audit.queries import ENTITIES
from core.customers.search import matching_ids
from core.errors import Forbidden, Invalid
from core.imports import read
from core.imports.bad_rows import bad_rows_workbook, message
from core.imports.fields import guess, remembered, shape
from core.imports.plan import Options, analyse
from core.imports.services import ImportRefused, run_import
from db.engine import session_scope
from db.enums import AuditAction, CustomerGrade, Role
from db.models import AuditEntry, Customer, Product
from tests.factories import NOW, make_account, make_customer
from tests.import_corpus import HEAD, csv_bytes, good, person, xlsx_bytes
from tests.usecases.test_import_corpus import counts

TODAY = date(2026, 11, 20)


@pytest.fixture
def manager(engine):
    with session_scope(engine) as s:
        return make_account(s, Role.MANAGER, display_name="经理")


def _file(rows, name="客户.csv", **kw):
    src = read.source(name, csv_bytes(rows, **kw))
    tab = read.table(src)
    return src, tab, Options(mapping=guess(tab.headers))


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.DIRECTOR, Role.ADMIN, Role.FINANCE, Role.ENGINEER])
def test_only_the_manager_imports_customers(engine, role):
    with session_scope(engine) as s:
        someone = make_account(s, role)
    src, tab, options = _file(good(1))
    with pytest.raises(Forbidden):
        analyse(engine, someone, src, tab, options, TODAY)
    with pytest.raises(Forbidden):
        run_import(engine, someone, src, tab, options, NOW)
    assert counts(engine)["customers"] == 0


def test_a_mapping_without_name_or_phone_is_refused_before_reading_a_row(engine, manager):
    src, tab, options = _file(good(1))
    for mapping, key in (({0: "name"}, "import.missing_field"), ({1: "phone"}, "import.missing_field"),
                         ({0: "name", 1: "phone", 2: "phone"}, "import.same_column_twice"),
                         ({0: "name", 1: "phone", 2: "shoe_size"}, "error.invalid"),
                         ({0: "name", 1: "phone", 99: "city"}, "error.invalid")):
        for attempt in (analyse, run_import):
            with pytest.raises(Invalid) as refused:
                attempt(engine, manager, src, tab, Options(mapping=mapping), NOW if attempt is run_import else TODAY)
            assert refused.value.key == key


def test_the_same_file_imported_twice_is_refused_unless_asked(engine, manager):
    src, tab, options = _file(good(2))
    run_import(engine, manager, src, tab, options, NOW)
    earlier = analyse(engine, manager, src, tab, options, TODAY).earlier
    assert (earlier["by"], earlier["created"], earlier["file_name"]) == ("经理", 2, "客户.csv")
    before = counts(engine)
    with pytest.raises(Invalid) as refused:
        run_import(engine, manager, src, tab, options, NOW)
    assert refused.value.key == "import.imported_before"
    assert counts(engine) == before
    again = Options(mapping=options.mapping, reimport=True, duplicates="skip")
    assert run_import(engine, manager, src, tab, again, NOW).skipped == 2


def test_the_mapping_used_is_remembered_for_the_next_file_of_the_same_shape(engine, manager):
    src, tab, _ = _file(good(1))
    assert remembered(engine, shape(tab.headers)) is None
    mapping = {0: "name", 1: "phone", 2: "address"}  # the user took 城市 for the address
    run_import(engine, manager, src, tab, Options(mapping=mapping), NOW)
    other, _, _ = _file(good(1, 5))
    assert remembered(engine, shape(read.table(other).headers)) == mapping


def test_an_import_is_audited_with_who_the_file_its_hash_and_the_counts(engine, manager):
    src, tab, options = _file([*good(2), person("坏", "1")])
    result = run_import(engine, manager, src, tab, Options(**{**options.__dict__, "take_good_rows": True}), NOW)
    with session_scope(engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.IMPORT)
                          .order_by(AuditEntry.id.desc())).first()
        assert (entry.user_id, entry.entity, entry.entity_id) == (manager.id, "import_batch", str(result.batch_id))
        assert "import_batch" in ENTITIES  # the audit page names it in the user's language
        assert entry.changes["_"] | {} == {"file_name": "客户.csv", "sha256": src.sha256, "mode": "refuse",
                                           "rows_read": 3, "rows_created": 2, "rows_updated": 0,
                                           "rows_skipped": 0, "rows_refused": 1}


def test_imported_customers_are_found_by_the_search_box_at_once(engine, manager):
    src, tab, options = _file([person("曾小红", "138 1234 5678"), person("Acme Tools", "13812345679")])
    run_import(engine, manager, src, tab, options, NOW)
    with session_scope(engine) as s:
        for query, name in (("zxh", "曾小红"), ("zengxiaohong", "曾小红"), ("138-1234-5678", "曾小红"),
                            ("tools", "Acme Tools")):
            found = s.scalars(select(Customer.name).where(Customer.id.in_(matching_ids(query)))).all()
            assert found == [name], query


def test_a_duplicate_of_the_archive_is_updated_when_asked_and_its_product_added(engine, manager):
    with session_scope(engine) as s:
        old = make_customer(s, name="王建国", phone="+8613900000001", city="北京", grade=CustomerGrade.NORMAL)
        old_id, old_version = old.id, old.version
    rows = [["王建国", "139-0000-0001", "天津", "VIP", "", "X9", "SO-9", "2026-01-01"]]
    src, tab, options = _file(rows)
    analysis = analyse(engine, manager, src, tab, Options(mapping=options.mapping, duplicates="update"), TODAY)
    assert (analysis.archive_duplicates, analysis.problems) == (1, [])
    result = run_import(engine, manager, src, tab, Options(mapping=options.mapping, duplicates="update"), NOW)
    assert (result.created, result.updated) == (0, 1)
    with session_scope(engine) as s:
        c = s.get(Customer, old_id)
        assert (c.city, c.grade, c.version) == ("天津", CustomerGrade.VIP, old_version + 1)
        assert s.scalars(select(Product.order_no).where(Product.customer_id == old_id)).all() == ["SO-9"]


def test_progress_is_told_chunk_by_chunk_up_to_every_row(engine, manager):
    src, tab, options = _file(good(1200))
    told = []
    run_import(engine, manager, src, tab, options, NOW, progress=lambda done, total: told.append((done, total)))
    assert told == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_new_customers_get_unique_codes_that_skip_taken_ones(engine, manager):
    with session_scope(engine) as s:
        make_customer(s, code="C0000002", name="已有", phone="+8613700009999")  # a phone no row brings
    rows = [[*good(1)[0][:8], "C0000003"], *[[*r, ""] for r in good(3, 1)]]
    src, tab, options = _file(rows, head=[*HEAD, "客户编号"])
    run_import(engine, manager, src, tab, options, NOW)
    with session_scope(engine) as s:
        codes = dict(s.execute(select(Customer.id, Customer.code)).all())
    assert len(codes) == len(set(codes.values())) == 5
    assert "C0000003" in codes.values()
    # made from each row's own id (as core.customers.create's), so a customer created meanwhile cannot take
    # it; one the file brings takes the first free suffix
    assert all(code.startswith(f"C{cid:07d}") for cid, code in codes.items() if code not in ("C0000002", "C0000003"))
    assert {"C0000002", "C0000003"} < set(codes.values())


def test_the_analysis_says_how_it_read_two_digit_years_and_asks_ambiguous_orders(engine, manager):
    rows = [person("张三", "13812345678", birthday="15/03/58"), person("李四", "13812345679", birthday="01/12/05")]
    src, tab, options = _file(rows)
    analysis = analyse(engine, manager, src, tab, options, TODAY)
    assert [(n.column, n.key, n.params) for n in analysis.notes] == [
        ("生日", "import.two_digit_years", {"example": "1958-03-15"})]
    src, tab, options = _file([person("张三", "13812345678", birthday="04/03/1980")])
    analysis = analyse(engine, manager, src, tab, options, TODAY)
    assert (analysis.ambiguous_dates, analysis.good) == ([4], 0)
    answered = analyse(engine, manager, src, tab, Options(mapping=options.mapping, date_orders={4: "dmy"}), TODAY)
    assert (answered.good, answered.preview[0]["birthday"]) == (1, date(1980, 3, 4))


def test_the_bad_rows_come_back_as_they_were_with_their_reasons_and_import_once_fixed(engine, manager):
    rows = [*good(1), person("张三", "=1+1"), person("李四", "12", grade="gold"), *good(1, 1)]
    src, tab, options = _file(rows)
    with pytest.raises(ImportRefused) as refused:
        run_import(engine, manager, src, tab, options, NOW)
    problems = refused.value.problems
    assert message(problems[0], "zh") == "这是公式：公式不会被导入，请直接填写数值。"
    book = bad_rows_workbook(src, tab, problems, "zh")
    sheet = list(CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_index(0).iter_rows())
    assert sheet[0] == [*HEAD, "行号", "原因"]
    assert [r[:2] + r[-2:-1] for r in sheet[1:]] == [["张三", "=1+1", "3"], ["李四", "12", "4"]]
    assert "未知的等级“gold”" in sheet[2][-1] and "电话: 不是有效的电话号码。" in sheet[2][-1]
    fixed = [[*r[:1], "1381234567" + str(i), r[2], "VIP", *r[4:8]] for i, r in enumerate(sheet[1:])]
    src2 = read.source("坏行.xlsx", xlsx_bytes(fixed, head=sheet[0][:8]))
    tab2 = read.table(src2)
    assert run_import(engine, manager, src2, tab2, Options(mapping=guess(tab2.headers)), NOW).created == 2


def test_a_formula_comes_back_as_text_never_as_a_formula(engine, manager):
    src, tab, options = _file([person("=HYPERLINK(\"http://x\",\"点\")", "13812345678")])
    analysis = analyse(engine, manager, src, tab, options, TODAY)
    book = bad_rows_workbook(src, tab, analysis.problems, "en")
    with __import__("zipfile").ZipFile(io.BytesIO(book)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_a_csv_that_breaks_midway_is_refused_whole_and_nothing_is_written(engine, manager):
    src, tab, options = _file([*good(12), person("张三", "1" * 200_000)])  # past csv's field limit, row 14
    before = counts(engine)
    for attempt in (lambda: analyse(engine, manager, src, tab, options, TODAY),
                    lambda: run_import(engine, manager, src, tab, options, NOW)):
        with pytest.raises(Invalid) as refused:
            attempt()
        assert (refused.value.key, refused.value.params) == ("import.bad_csv", {"row": 14})
    assert counts(engine) == before


def test_an_imported_record_that_is_complete_is_marked_complete_from_the_import_c5(engine, manager):
    """C-5: the import marks in its own transaction the records it makes complete (name, a valid phone, address
    and city; no product delivered), and leaves the others to be completed."""
    head = ["姓名", "电话", "地址", "城市"]
    rows = [["完整客户", "13800000001", "人民路1号", "上海"], ["缺地址", "13800000002", "", "上海"]]
    src = read.source("c5.csv", csv_bytes(rows, head=head))
    tab = read.table(src)
    run_import(engine, manager, src, tab, Options(mapping=guess(tab.headers)), NOW)
    with session_scope(engine) as s:
        marks = dict(s.execute(select(Customer.name, Customer.archive_complete_at)).all())
    assert marks == {"完整客户": NOW, "缺地址": None}
