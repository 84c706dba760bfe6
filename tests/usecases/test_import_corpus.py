"""Issue 13's acceptance on the import (C-1), on both databases: every file of the corpus (tests/import_corpus.py)
gives its result row by row (row, column, reason), and nothing at all is committed where anything was refused
unless the user chose to take the good rows; then the good rows, and only they, are written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.errors import Invalid
from core.imports import read
from core.imports.fields import guess
from core.imports.plan import Options, analyse
from core.imports.services import ImportRefused, run_import
from db.engine import session_scope
from db.enums import Role
from db.models import AuditEntry, Contact, Customer, CustomerSearchTerm, ImportBatch, ImportMapping, Product
from tests.factories import NOW, make_account, make_customer
from tests.import_corpus import ARCHIVE, CASES, Case

TODAY = date(2026, 11, 20)  # NOW in Shanghai
COUNTED = (Customer, Contact, Product, CustomerSearchTerm, ImportBatch, ImportMapping, AuditEntry)


def counts(engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in COUNTED}


@pytest.fixture
def manager(engine):
    with session_scope(engine) as s:
        return make_account(s, Role.MANAGER)


def _archive(engine) -> None:
    with session_scope(engine) as s:
        for values in ARCHIVE:
            make_customer(s, **values)


def test_the_corpus_holds_at_least_thirty_files_of_each_kind_the_issue_names():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.refused], ids=lambda c: c.id)
def test_a_file_that_cannot_be_read_is_refused_whole_with_its_reason(case: Case):
    src = read.source(case.name, case.build())
    with pytest.raises(Invalid) as refused:
        read.table(src, case.sheet)
    assert refused.value.key == case.refused


@pytest.mark.parametrize("case", [c for c in CASES if not c.refused], ids=lambda c: c.id)
def test_each_file_is_checked_row_by_row_and_written_all_or_nothing(engine, manager, case: Case):
    if case.archive:
        _archive(engine)
    src = read.source(case.name, case.build())
    tab = read.table(src, case.sheet)
    if case.encoding:
        assert tab.encoding == case.encoding
    options = Options(mapping=guess(tab.headers), **case.options)
    analysis = analyse(engine, manager, src, tab, options, TODAY)
    found = sorted((p.row, p.column, p.key) for p in analysis.problems)
    assert found == sorted(case.problems)
    created = analysis.rows if case.created == -1 else case.created
    assert analysis.good == created + case.updated + case.skipped
    before = counts(engine)
    if case.problems:
        with pytest.raises(ImportRefused) as refused:
            run_import(engine, manager, src, tab, options, NOW)
        assert sorted((p.row, p.column, p.key) for p in refused.value.problems) == found
        assert counts(engine) == before  # nothing committed: not a customer, a term, a batch nor an audit row
        options = Options(**{**options.__dict__, "take_good_rows": True})
    result = run_import(engine, manager, src, tab, options, NOW)
    assert (result.created, result.updated, result.skipped) == (created, case.updated, case.skipped)
    assert result.refused == len({p.row for p in analysis.problems})
    after = counts(engine)
    assert after["customers"] == before["customers"] + created
    assert after["import_batches"] == before["import_batches"] + 1
    assert after["audit_log"] == before["audit_log"] + 1 + case.updated  # the batch, and each correction (C-3)
