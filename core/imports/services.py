"""The import written (C-1): all or nothing. The good rows go in ONE transaction, in chunks, with the search
terms rewritten in the same transaction (core.customers.search.reindex), the batch row, the remembered mapping
and one audit entry (who, file name, sha256, counts); when any row is refused and the user did not choose to
take the good rows, or the same file was imported before and the user did not ask to import it again, nothing
is written. A process killed midway leaves the database as it was: the transaction never committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from core.audit.log import record
from core.clock import office_day
from core.customers.search import reindex
from core.customers.timeliness import refresh_many
from core.errors import Invalid
from core.imports.checks import Problem
from core.imports.fields import remember, shape
from core.imports.plan import Checked, Options, check_mapping, checked, earlier, survey
from core.imports.read import Source, Table
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import ArchiveValidity, AuditAction, CustomerGrade
from db.models import Contact, Customer, ImportBatch, Product

CUSTOMER_FIELDS = ("name", "is_company", "phone", "email", "address", "city", "birthday", "grade",
                   "source_channel", "notes")
FLUSH_ROWS = 500  # rows written per chunk, between two progress reports
PRODUCT_FIELDS = ("order_no", "model", "spec", "serial_no", "purchase_date", "delivery_date", "place", "usage")


class ImportRefused(Invalid):
    """Rows were refused and the user did not choose to take the good ones: nothing was written."""

    key = "import.rows_refused"

    def __init__(self, problems: list[Problem], refused: int) -> None:
        super().__init__(count=refused)
        self.problems = problems


@dataclass(frozen=True)
class Result:
    batch_id: int
    created: int
    updated: int
    skipped: int
    refused: int
    problems: list[Problem]


def run_import(engine, actor: Actor | None, src: Source, tab: Table, options: Options, now: datetime,
               progress: Callable[[int, int], None] | None = None) -> Result:
    """Writes the file's good rows (see the module): permission, mapping, the day/month orders, then the rows
    chunk by chunk in one transaction; raises ImportRefused (with every problem) or Invalid
    import.imported_before, and then nothing at all was written."""
    actor = require(actor, Action.IMPORT_CUSTOMERS)
    check_mapping(tab, options)
    office = load_office(engine)
    today, region = office_day(now, office.timezone), str(office.get("office.phone_region"))
    found = survey(src, tab, options)  # a date column left ambiguous refuses its rows that could be either
    with session_scope(engine) as s:
        _refuse_repeat(s, src, options)
        batch = ImportBatch(kind="customers", file_name=src.name[:255], sha256=src.sha256,
                            mode=options.duplicates, user_id=actor.id, imported_at=now)
        s.add(batch)
        s.flush()
        writer = _Writer(s, now, found.codes)
        for item in checked(s, src, tab, options, found.orders, region, today):
            writer.take(item)
            if len(writer.pending) >= FLUSH_ROWS:
                writer.flush()
                _tell(progress, writer.read, found.rows)
        writer.flush()
        _tell(progress, writer.read, found.rows)
        if writer.refused and not options.take_good_rows:
            raise ImportRefused(writer.problems, writer.refused)
        _finish(s, actor, batch, writer, tab, options, now)
    return Result(batch.id, writer.created, writer.updated, writer.skipped, writer.refused, writer.problems)


def _tell(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _refuse_repeat(s: Session, src: Source, options: Options) -> None:
    before = earlier(s, src.sha256)
    if before and not options.reimport:
        raise Invalid("import.imported_before", at=before["at"], by=before["by"], created=before["created"])


def _finish(s: Session, actor: Actor, batch: ImportBatch, writer: _Writer, tab: Table, options: Options,
            now: datetime) -> None:
    counts = {"rows_read": writer.read, "rows_created": writer.created, "rows_updated": writer.updated,
              "rows_skipped": writer.skipped, "rows_refused": writer.refused}
    for key, value in counts.items():
        setattr(batch, key, value)
    remember(s, shape(tab.headers), options.mapping, actor.id, now)
    record(s, actor, "import_batch", batch.id, AuditAction.IMPORT, at=now,
           extra={"file_name": batch.file_name, "sha256": batch.sha256, "mode": batch.mode, **counts})


class _Writer:
    """Collects checked rows and writes them a chunk at a time (inserts with their new ids returned)."""

    def __init__(self, s: Session, now: datetime, taken_codes: frozenset[str]) -> None:
        self.s, self.now, self.taken = s, now, taken_codes
        self.pending: list[Checked] = []
        self.problems: list[Problem] = []
        self.read = self.created = self.updated = self.skipped = self.refused = 0
        self.next_code = (s.scalar(select(func.max(Customer.id))) or 0) + 1

    def take(self, item: Checked) -> None:
        self.read += 1
        if not item.good:
            self.refused += 1
            self.problems += item.cleaned.problems
        elif item.skip:
            self.skipped += 1
        else:
            self.pending.append(item)

    def flush(self) -> None:
        if not self.pending:
            return
        new = [i for i in self.pending if i.match is None]
        old = [i for i in self.pending if i.match is not None]
        ids = self._insert(new) + [self._update(i) for i in old]
        items = new + old
        self._children(items, ids)
        reindex(self.s, ids)
        refresh_many(self.s, ids, self.now)  # C-5: an imported record complete is complete from now
        self.created += len(new)
        self.updated += len(old)
        self.pending = []

    def _insert(self, items: list[Checked]) -> list[int]:
        if not items:
            return []
        codes = self._codes(sum(1 for i in items if not i.cleaned.values.get("code")))
        rows = [self._customer(i.cleaned.values, i.cleaned.values.get("code") or next(codes)) for i in items]
        return list(self.s.scalars(insert(Customer).returning(Customer.id, sort_by_parameter_order=True), rows))

    def _customer(self, values: dict, code: str) -> dict:
        row = {k: values.get(k) for k in CUSTOMER_FIELDS}
        row["is_company"] = bool(row["is_company"])
        row["grade"] = row["grade"] or CustomerGrade.NORMAL
        return row | {"code": code, "validity": ArchiveValidity.VALID, "created_at": self.now,
                      "updated_at": self.now, "version": 1}

    def _codes(self, count: int):
        """`count` new customer codes C0000001…, none stored and none the file brings itself."""
        made: list[str] = []
        while len(made) < count:
            wanted = [f"C{n:07d}" for n in range(self.next_code, self.next_code + count - len(made))]
            self.next_code += len(wanted)
            stored = set(self.s.scalars(select(Customer.code).where(Customer.code.in_(wanted))))
            made += [c for c in wanted if c not in stored and c not in self.taken]
        return iter(made)

    def _update(self, item: Checked) -> int:
        """A row matching the archive (duplicates "update"): the fields the file fills overwrite the stored."""
        values = {k: item.cleaned.values[k] for k in CUSTOMER_FIELDS if item.cleaned.values.get(k) is not None}
        self.s.execute(update(Customer).where(Customer.id == item.match)
                       .values(**values, updated_at=self.now, version=Customer.version + 1))
        return item.match

    def _children(self, items: list[Checked], ids: list[int]) -> None:
        contacts, products = [], []
        for item, cid in zip(items, ids, strict=True):
            v = item.cleaned.values
            if v.get("contact_name") or v.get("contact_phone"):
                contacts.append({"customer_id": cid, "name": v.get("contact_name") or v["name"][:100],
                                 "phone": v.get("contact_phone"), "is_primary": True})
            if item.cleaned.product and not item.known_product:
                products.append({"customer_id": cid, "created_at": self.now,
                                 **{k: v.get(k) for k in PRODUCT_FIELDS}})
        if contacts:
            self.s.execute(insert(Contact), contacts)
        if products:
            self.s.execute(insert(Product), products)
