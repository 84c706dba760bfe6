"""The import written (C-1): all or nothing. The good rows go in ONE transaction, in chunks, with the search
terms rewritten in the same transaction (core.customers.search.reindex), the batch row, the remembered mapping
and one audit entry (who, file name, sha256, counts); when any row is refused and the user did not choose to
take the good rows, or the same file was imported before and the user did not ask to import it again, nothing
is written. A process killed midway leaves the database as it was: the transaction never committed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from core.audit.log import record
from core.clock import office_day
from core.customers.create import free_code
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
                   "source_channel", "notes", "specialist_id")
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
        batch = _batch(s, actor, src, options, now)
        writer = _Writer(s, actor, batch.id, now, found.codes)
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


def _batch(s: Session, actor: Actor, src: Source, options: Options, now: datetime) -> ImportBatch:
    """The batch row, written before the file's earlier imports are looked up, so that of two imports of the
    same file at once the second waits for the first and then sees it: PostgreSQL through a transaction lock
    on the file's hash, SQLite through its one writer (the write comes first, as finance.sign_week's)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(src.sha256)})
    batch = ImportBatch(kind="customers", file_name=src.name[:255], sha256=src.sha256,
                        mode=options.duplicates, user_id=actor.id, imported_at=now)
    s.add(batch)
    s.flush()
    before = earlier(s, src.sha256, excluding=batch.id)
    if before and not options.reimport:
        raise Invalid("import.imported_before", at=before["at"], by=before["by"], created=before["created"])
    return batch


def _lock_key(sha256: str) -> int:
    """The file's hash as the signed 64-bit key an advisory lock takes."""
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


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

    def __init__(self, s: Session, actor: Actor, batch_id: int, now: datetime, taken_codes: frozenset[str]) -> None:
        self.s, self.actor, self.batch_id, self.now, self.taken = s, actor, batch_id, now, taken_codes
        self.pending: list[Checked] = []
        self.problems: list[Problem] = []
        self.read = self.created = self.updated = self.skipped = self.refused = 0

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
        ids = self._insert(new) + self._update(old)
        items = new + old
        self._children(items, ids, len(new))
        reindex(self.s, ids)
        refresh_many(self.s, ids, self.now)  # C-5: an imported record complete is complete from now
        self.created += len(new)
        self.updated += len(old)
        self.pending = []

    def _insert(self, items: list[Checked]) -> list[int]:
        """The new customers, each code the file's own or, once its id is known, C + the id (as a customer
        made on the Customers page gets: a code no concurrent writer can take, core.customers.create)."""
        if not items:
            return []
        rows = [self._customer(i.cleaned.values, i.cleaned.values.get("code") or f"~{uuid.uuid4().hex[:19]}")
                for i in items]
        ids = list(self.s.scalars(insert(Customer).returning(Customer.id, sort_by_parameter_order=True), rows))
        made = [cid for cid, item in zip(ids, items, strict=True) if not item.cleaned.values.get("code")]
        if made:
            self.s.execute(update(Customer), [{"id": cid, "code": code} for cid, code in self._codes(made)])
        return ids

    def _customer(self, values: dict, code: str) -> dict:
        row = {k: values.get(k) for k in CUSTOMER_FIELDS}
        row["is_company"] = bool(row["is_company"])
        row["grade"] = row["grade"] or CustomerGrade.NORMAL
        return row | {"code": code, "validity": ArchiveValidity.VALID, "created_at": self.now,
                      "updated_at": self.now, "version": 1}

    def _codes(self, ids: list[int]) -> list[tuple[int, str]]:
        """C0000123 from each id; one stored or brought by the file takes the first free -2, -3 …"""
        bases = {cid: f"C{cid:07d}" for cid in ids}
        stored = set(self.s.scalars(select(Customer.code).where(Customer.code.in_(bases.values()))))
        return [(cid, base if base not in stored and base not in self.taken else self._free(cid))
                for cid, base in bases.items()]

    def _free(self, cid: int) -> str:
        code = free_code(self.s, cid)
        suffix = 2
        while code in self.taken:
            code, suffix = f"C{cid:07d}-{suffix}", suffix + 1
        return code

    def _update(self, items: list[Checked]) -> list[int]:
        """Rows matching the archive (duplicates "update"): the fields the file fills overwrite the stored; a
        correction, so each customer changed gets its own audit row, before and after (C-3); one unchanged is
        left as it is."""
        ids = [i.match for i in items]
        if not ids:
            return []
        stored = {r["id"]: r for r in self.s.execute(select(Customer.id, *(getattr(Customer, k) for k in
                                                                             CUSTOMER_FIELDS))
                                                      .where(Customer.id.in_(ids))).mappings()}
        for item in items:
            before = stored[item.match]
            after = {k: item.cleaned.values[k] for k in CUSTOMER_FIELDS if item.cleaned.values.get(k) is not None}
            changed = {k: v for k, v in after.items() if before[k] != v}
            if not changed:
                continue
            self.s.execute(update(Customer).where(Customer.id == item.match)
                           .values(**changed, updated_at=self.now, version=Customer.version + 1)
                           .execution_options(synchronize_session=False))
            record(self.s, self.actor, "customer", item.match, AuditAction.UPDATE,
                   {k: before[k] for k in changed}, changed, at=self.now, extra={"import_batch": self.batch_id})
        return ids

    def _children(self, items: list[Checked], ids: list[int], new: int) -> None:
        """Contacts and products: a matched customer gets a contact only when it is not one of its own yet
        (same phone, or same name without a phone), and as primary only when it has none."""
        known = _contacts(self.s, ids[new:])
        contacts, products = [], []
        for item, cid in zip(items, ids, strict=True):
            v = item.cleaned.values
            if v.get("contact_name") or v.get("contact_phone"):
                contact = {"customer_id": cid, "name": v.get("contact_name") or v["name"][:100],
                           "phone": v.get("contact_phone")}
                own = known.setdefault(cid, ([], False))
                if not _known_contact(own[0], contact):
                    contacts.append(contact | {"is_primary": not own[1]})
                    known[cid] = ([*own[0], contact], True)
            if item.cleaned.product and not item.known_product:
                products.append({"customer_id": cid, "created_at": self.now,
                                 **{k: v.get(k) for k in PRODUCT_FIELDS}})
        if contacts:
            self.s.execute(insert(Contact), contacts)
        if products:
            self.s.execute(insert(Product), products)


def _contacts(s: Session, ids: list[int]) -> dict[int, tuple[list[dict], bool]]:
    """Each customer's contacts (name, phone) and whether one is primary."""
    out: dict[int, tuple[list[dict], bool]] = {}
    if ids:
        for cid, name, phone, primary in s.execute(select(Contact.customer_id, Contact.name, Contact.phone,
                                                          Contact.is_primary).where(Contact.customer_id.in_(ids))):
            own = out.get(cid, ([], False))
            out[cid] = ([*own[0], {"name": name, "phone": phone}], own[1] or bool(primary))
    return out


def _known_contact(own: list[dict], contact: dict) -> bool:
    if contact["phone"]:
        return any(c["phone"] == contact["phone"] for c in own)
    return any(c["name"] == contact["name"] and not c["phone"] for c in own)
