"""An import planned before anything is written (C-1): the mapping checked, the day/month order of each date
column inferred from the file (a first part above 12 means day first, a second part above 12 month first;
otherwise the user is asked), every row checked on its own (checks), against the rows above it (the same
phone, the same order number) and against the archive (a customer with the same canonical phone, or the same
name in the same city; an order number or customer code already stored), streamed in chunks, so memory
holds the rows' keys and the problems, never the file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.imports import rules
from core.imports.checks import Cleaned, Problem, clean_row, header
from core.imports.fields import FIELDS
from core.imports.read import Source, Table, rows, text_of
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.phones import canonical
from db.enums import Role
from db.models import Contact, Customer, ImportBatch, Product, User

__all__ = ["Analysis", "Options", "Problem", "analyse"]
CHUNK = 500
PREVIEW = 20
MODES = ("update", "skip", "refuse")


@dataclass(frozen=True)
class Options:
    mapping: dict[int, str]  # column index -> field; columns left out are ignored
    date_orders: dict[int, str] = field(default_factory=dict)  # the user's answers: column -> "dmy" | "mdy"
    duplicates: str = "refuse"  # rows matching the archive: "update" | "skip" | "refuse"
    take_good_rows: bool = False  # write the good rows though some were refused
    reimport: bool = False  # the same file (sha256) was imported before: go on anyway


@dataclass(frozen=True)
class Analysis:
    rows: int
    good: int
    problems: list[Problem]
    archive_duplicates: int
    ambiguous_dates: list[int]  # date columns whose day/month order the file does not tell: ask
    date_orders: dict[int, str]  # the order used per date column (inferred or answered)
    preview: list[dict]  # the first rows as they would be saved (field -> value)
    earlier: dict | None  # the same file imported before: {"at", "by", "created", "updated", "batch_id"}
    notes: list[Problem] = field(default_factory=list)  # what was read how (two-digit years, Excel serials)


@dataclass
class Checked:
    cleaned: Cleaned
    match: int | None = None  # the archive's customer this row is (duplicates "update")
    skip: bool = False
    known_product: bool = False  # the matched customer already has the row's order

    @property
    def good(self) -> bool:
        return not self.cleaned.problems


def check_mapping(tab: Table, options: Options) -> None:
    """Invalid when a column or field is unknown, a required field has no column, a field has two, or the
    duplicates mode or a date order is unknown (C-1): a date order is one parse_date knows for a day/month/year
    text (rules.ORDERS: "dmy", "mdy"); "ymd" is none, year-first text is read year-month-day whatever the
    answer, so it is refused rather than taken as "mdy"."""
    if any(f not in FIELDS or not 0 <= i < max(len(tab.headers), 1) for i, f in options.mapping.items()):
        raise Invalid("error.invalid", field="mapping")
    taken = list(options.mapping.values())
    for name in ("name", "phone"):
        if name not in taken:
            raise Invalid("import.missing_field", field=name)
    for name in taken:
        if taken.count(name) > 1:
            raise Invalid("import.same_column_twice", field=name)
    if options.duplicates not in MODES or any(o not in rules.ORDERS for o in options.date_orders.values()):
        raise Invalid("error.invalid", field="duplicates")


@dataclass(frozen=True)
class Survey:
    """A first pass over the file: the rows, each text-date column's day/month order (the user's answer, else
    what the file tells), the columns it does not tell (every value could be either and some differ, or values
    contradict each other), and
    the customer codes the file brings (so a generated code never takes one)."""

    rows: int
    orders: dict[int, str]
    ambiguous: list[int]
    codes: frozenset[str]


def survey(src: Source, tab: Table, options: Options) -> Survey:
    columns = [i for i, f in options.mapping.items() if FIELDS[f].kind == "date"]
    code_at = next((i for i, f in options.mapping.items() if f == "code"), None)
    seen = {i: {"dmy": False, "mdy": False, "either": False} for i in columns}
    count, codes = 0, set()
    for _row, values in rows(src, tab):
        count += 1
        if code_at is not None and code_at < len(values) and (code := text_of(values[code_at])):
            codes.add(code)
        for i in columns:
            parts = rules.day_month(values[i]) if i < len(values) else None
            if parts:
                first, second = parts
                seen[i]["dmy" if first > 12 else "mdy" if second > 12 else "either"] |= first != second
    orders, ambiguous = {}, []
    for i, flags in seen.items():
        told = options.date_orders.get(i) or _told(flags)
        if told:
            orders[i] = told
        elif flags["either"] or (flags["dmy"] and flags["mdy"]):
            ambiguous.append(i)
    return Survey(count, orders, ambiguous, frozenset(codes))


def _told(flags: dict[str, bool]) -> str | None:
    """The order the values tell: day first when a first part exceeds 12, month first when a second part does
    (both: the file contradicts itself, ask)."""
    if flags["dmy"] != flags["mdy"]:
        return "dmy" if flags["dmy"] else "mdy"
    return None


def checked(s: Session, src: Source, tab: Table, options: Options, orders: dict[int, str], region: str,
            today: date) -> Iterator[Checked]:
    """Every row checked, in file order (see the module); chunks of CHUNK rows meet the archive at once."""
    seen = {"phone": {}, "order_no": {}, "code": {}}
    chunk: list[Checked] = []
    for row, values in rows(src, tab):
        cleaned = clean_row(row, values, tab.headers, options.mapping, orders, region, today)
        chunk.append(Checked(cleaned))
        _against_file(chunk[-1], seen, tab, options)
        if len(chunk) >= CHUNK:
            yield from _against_archive(s, chunk, tab, options, region)
            chunk = []
    if chunk:
        yield from _against_archive(s, chunk, tab, options, region)


def _column(tab: Table, options: Options, name: str) -> str | None:
    found = [i for i, f in options.mapping.items() if f == name]
    return header(tab.headers, found[0]) if found else None


def _against_file(item: Checked, seen: dict, tab: Table, options: Options) -> None:
    cleaned = item.cleaned
    for name, key in (("phone", "import.duplicate_in_file"), ("order_no", "import.duplicate_order"),
                      ("code", "import.duplicate_code")):
        value = cleaned.values.get(name)
        if value is None:
            continue
        if value in seen[name]:
            cleaned.problems.append(Problem(cleaned.row, _column(tab, options, name), key,
                                            {"first": seen[name][value]}))
        else:
            seen[name][value] = cleaned.row


def _against_archive(s: Session, chunk: list[Checked], tab: Table, options: Options,
                     region: str) -> list[Checked]:
    values = [c.cleaned.values for c in chunk]
    by_phone = _stored_phones(s, {v["phone"] for v in values if v.get("phone")}, region)
    names = {v["name"] for v in values if v.get("name") and v.get("city")}
    by_name: dict[tuple[str, str], set[int]] = {}
    if names:
        for cid, name, city in s.execute(select(Customer.id, Customer.name, Customer.city)
                                         .where(Customer.name.in_(names))):
            by_name.setdefault((name, (city or "").casefold()), set()).add(cid)
    orders = _stored(s, Product.order_no, Product.customer_id, {v["order_no"] for v in values if v.get("order_no")})
    codes = _stored(s, Customer.code, Customer.id, {v["code"] for v in values if v.get("code")})
    matches = [_matches(item.cleaned.values, by_phone, by_name) for item in chunk]
    wanted = set().union(*matches)
    named = {cid: (code, name) for cid, code, name in s.execute(
        select(Customer.id, Customer.code, Customer.name).where(Customer.id.in_(wanted)))} if wanted else {}
    staff = _specialists(s, {v["specialist"] for v in values if v.get("specialist")})
    for item, found in zip(chunk, matches, strict=True):
        _match(item, [named[cid] for cid in sorted(found)], min(found, default=None), tab, options)
        _stored_keys(item, orders, codes, tab, options)
        _specialist(item, staff, tab, options)
    return chunk


def _specialists(s: Session, names: set[str]) -> dict[str, int | None]:
    """Each name -> the active specialist it names (a username, else a display name only one of them has);
    None: no such specialist, or several."""
    if not names:
        return {}
    found = s.execute(select(User.id, User.username, User.display_name)
                      .where(User.role == Role.SPECIALIST, User.active.is_(True),
                             or_(User.username.in_(names), User.display_name.in_(names)))).all()
    by_name = {u: i for i, u, _ in found}
    for name in names - by_name.keys():
        shown = [i for i, _, d in found if d == name]
        by_name[name] = shown[0] if len(shown) == 1 else None
    return by_name


def _specialist(item: Checked, staff: dict[str, int | None], tab: Table, options: Options) -> None:
    """C-5's lists are per specialist: a row naming one gets them (specialist_id), naming none that is active
    (or several by one display name) is refused; a file without the column leaves its customers unassigned."""
    name = item.cleaned.values.get("specialist")
    if name is None:
        return
    if staff.get(name) is None:
        item.cleaned.problems.append(Problem(item.cleaned.row, _column(tab, options, "specialist"),
                                             "import.unknown_specialist", {"text": name}))
    item.cleaned.values["specialist_id"] = staff.get(name)


def _stored_phones(s: Session, phones: set[str], region: str) -> dict[str, set[int]]:
    """Canonical phone -> the customers holding it (their own phone or a contact's), stored canonical or, as
    older records may be, as the bare national number (13812345678)."""
    spellings = phones | {national(p) for p in phones}
    out: dict[str, set[int]] = {}
    if not phones:
        return out
    for cid, stored in [*s.execute(select(Customer.id, Customer.phone).where(Customer.phone.in_(spellings))),
                        *s.execute(select(Contact.customer_id, Contact.phone).where(Contact.phone.in_(spellings)))]:
        out.setdefault(canonical(stored, region) or stored, set()).add(cid)
    return out


def national(e164: str) -> str:
    """+8613812345678 -> 13812345678: the number as the office's older records hold it."""
    return str(phonenumbers.parse(e164).national_number)


def _stored(s: Session, column, owner, wanted: set[str]) -> dict[str, int]:
    """Which of `wanted` values of a unique column are stored, and the customer each belongs to."""
    return dict(s.execute(select(column, owner).where(column.in_(wanted))).all()) if wanted else {}


def _matches(v: dict, by_phone: dict, by_name: dict) -> set[int]:
    """The archive's customers a row is: the same canonical phone, or the same name and city."""
    city = (v.get("city") or "").casefold()
    return set(by_phone.get(v.get("phone"), ())) | (set(by_name.get((v.get("name"), city), ())) if city else set())


def _match(item: Checked, found: list[tuple[str, str]], first: int | None, tab: Table, options: Options) -> None:
    """The row matching the archive's customers `found` (code, name; by id): refused, skipped or to be updated
    as the user chose; matching several is always refused."""
    if not found:
        return
    row, column = item.cleaned.row, _column(tab, options, "phone")
    if len(found) > 1:
        item.cleaned.problems.append(Problem(row, column, "import.duplicate_archive_many",
                                             {"codes": ", ".join(c for c, _ in found[:5])}))
    elif options.duplicates == "refuse":
        item.cleaned.problems.append(Problem(row, column, "import.duplicate_archive",
                                             {"code": found[0][0], "name": found[0][1]}))
    item.skip = options.duplicates == "skip" and len(found) == 1
    item.match = first


def _stored_keys(item: Checked, orders: dict[str, int], codes: dict[str, int], tab: Table,
                 options: Options) -> None:
    """An order number or a customer code the archive holds for another customer refuses the row; an order
    the matched customer already has is not added again."""
    if item.skip:
        return
    v, row = item.cleaned.values, item.cleaned.row
    order, code = v.get("order_no"), v.get("code")
    if order in orders and orders[order] != item.match:
        item.cleaned.problems.append(Problem(row, _column(tab, options, "order_no"), "import.order_in_archive"))
    item.known_product = order in orders and orders[order] == item.match
    if code in codes and codes[code] != item.match:
        item.cleaned.problems.append(Problem(row, _column(tab, options, "code"), "import.code_in_archive"))


def earlier(s: Session, sha256: str, excluding: int | None = None) -> dict | None:
    """The last import of the same file (other than the batch `excluding`), or None."""
    found = s.execute(select(ImportBatch, User.display_name).join(User, User.id == ImportBatch.user_id)
                      .where(ImportBatch.sha256 == sha256, ImportBatch.id != (excluding or 0))
                      .order_by(ImportBatch.id.desc()).limit(1)).first()
    if found is None:
        return None
    batch, by = found
    return {"batch_id": batch.id, "at": batch.imported_at, "by": by, "created": batch.rows_created,
            "updated": batch.rows_updated, "file_name": batch.file_name}


def analyse(engine, actor: Actor | None, src: Source, tab: Table, options: Options, today: date) -> Analysis:
    """Reads everything, writes nothing: every row's problems, the duplicates of the archive, the date
    columns to ask about, a preview of the first rows as they would be saved, and an earlier import of the
    same file."""
    require(actor, Action.IMPORT_CUSTOMERS)
    check_mapping(tab, options)
    region = str(load_office(engine).get("office.phone_region"))
    found = survey(src, tab, options)
    orders, ambiguous = found.orders, found.ambiguous
    count = good = matched = 0
    problems, preview, notes = [], [], {}
    with Session(engine) as s:
        for item in checked(s, src, tab, options, orders, region, today):
            count += 1
            good += item.good
            matched += item.match is not None
            problems += item.cleaned.problems
            _note(notes, item.cleaned, tab, options)
            if len(preview) < PREVIEW:
                preview.append({"row": item.cleaned.row, **item.cleaned.values})
        before = earlier(s, src.sha256)
    return Analysis(rows=count, good=good, problems=problems, archive_duplicates=matched,
                    ambiguous_dates=ambiguous, date_orders=orders, preview=preview, earlier=before,
                    notes=list(notes.values()))


def _note(notes: dict, cleaned: Cleaned, tab: Table, options: Options) -> None:
    """One note per column read a particular way: two-digit years, numbers taken as Excel dates."""
    for kind, columns, key in (("years", cleaned.two_digit_years, "import.two_digit_years"),
                               ("serials", cleaned.serials, "import.serial_dates")):
        for index in columns:
            found = cleaned.values.get(options.mapping[index])
            example = found.isoformat() if isinstance(found, date) else ""
            notes.setdefault((kind, index), Problem(cleaned.row, header(tab.headers, index), key,
                                                    {"example": example}))
