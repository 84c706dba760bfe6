"""C-5, kept and read: `customers.archive_complete_at` is set in the transaction of the write that makes a
record complete (core.customers.completeness says what complete means) and cleared by one that makes it
incomplete again (a new delivered product without its serial number); the customer's page shows where the
record stands, and each specialist gets the list of their delivered customers whose record is incomplete or
was completed late. Every writer of a customer or of its products calls `refresh_completeness` before its
transaction commits: update_customer, set_order_dates, the creation form, the import."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Engine, case, cast, exists, func, or_, select, update
from sqlalchemy.orm import Session

from core.clock import office_day
from core.customers.completeness import Missing, RecordTimeliness, deadline, missing_fields, record_timeliness
from core.lists import Page, paginate
from core.office.defaults import DEFAULTS
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.models import Customer, Product, Setting

FACTS = (Customer.name, Customer.phone, Customer.address, Customer.city)
PRODUCT_FACTS = (Product.customer_id, Product.order_no, Product.model, Product.serial_no, Product.purchase_date,
                 Product.effective_date, Product.delivery_date, Product.created_at)
BACKFILL_CHUNK = 1000


def setting(s: Session, key: str):
    """One office setting read inside the caller's transaction (its stored value, else the default)."""
    raw = s.scalar(select(Setting.value).where(Setting.key == key))
    return json.loads(raw) if raw is not None else DEFAULTS[key]


def _products(s: Session, customer_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {cid: [] for cid in customer_ids}
    rows = s.execute(select(*PRODUCT_FACTS).where(Product.customer_id.in_(customer_ids))).mappings()
    for row in rows:
        out[row["customer_id"]].append(dict(row))
    return out


def refresh_completeness(s: Session, customer_id: int, now: datetime) -> datetime | None:
    """C-5: after a write to the customer or its products (in the same session, before the commit): the
    record complete and not yet marked gets `archive_complete_at = now`; one marked complete that lacks
    something again is cleared (so its new deadline counts). Returns the value kept (None: incomplete)."""
    return refresh_many(s, [customer_id], now)[customer_id]


def refresh_many(s: Session, customer_ids: list[int], now: datetime) -> dict[int, datetime | None]:
    """`refresh_completeness` for many customers at once (an import's chunk): two reads per BACKFILL_CHUNK
    customers, and one update per new mark (now, or None) for those whose mark changes."""
    region, kept = setting(s, "office.phone_region"), {}
    today = office_day(now, setting(s, "office.timezone"))  # a product delivered later asks nothing yet
    ids = sorted(set(customer_ids))
    for at in range(0, len(ids), BACKFILL_CHUNK):
        chunk = ids[at:at + BACKFILL_CHUNK]
        rows = s.execute(select(Customer.id, *FACTS, Customer.archive_complete_at)
                         .where(Customer.id.in_(chunk))).mappings().all()
        products, changed = _products(s, chunk), {}
        for row in rows:
            complete = not missing_fields(row, products[row["id"]], region, today)
            kept[row["id"]] = (row["archive_complete_at"] or now) if complete else None
            if kept[row["id"]] != row["archive_complete_at"]:
                changed.setdefault(kept[row["id"]], []).append(row["id"])
        for mark, marked in changed.items():  # one UPDATE per new mark (now, or None), not one per customer
            s.execute(update(Customer).where(Customer.id.in_(marked))  # derived: updated_at stays
                      .values(archive_complete_at=mark, updated_at=Customer.updated_at)
                      .execution_options(synchronize_session=False))
    return kept


def backfill_completeness(s: Session, today: date) -> int:
    """C-5 for records written before it was kept (the demo office, an upgraded archive): each record
    complete on the office day `today` (a product delivered later asks nothing yet) and not yet marked gets
    the best moment its rows can tell, the latest of its own and its products' creation; returns how many
    were marked. Read in chunks by id, so memory stays flat."""
    region, after, marked = setting(s, "office.phone_region"), 0, 0
    while True:
        rows = s.execute(select(Customer.id, Customer.created_at, *FACTS)
                         .where(Customer.id > after, Customer.archive_complete_at.is_(None))
                         .order_by(Customer.id).limit(BACKFILL_CHUNK)).mappings().all()
        if not rows:
            return marked
        products = _products(s, [r["id"] for r in rows])
        for row in rows:
            if not missing_fields(row, products[row["id"]], region, today):
                at = max([row["created_at"], *(p["created_at"] for p in products[row["id"]] if p["created_at"])])
                s.execute(update(Customer).where(Customer.id == row["id"])
                          .values(archive_complete_at=at, updated_at=Customer.updated_at)
                          .execution_options(synchronize_session=False))
                marked += 1
        after = rows[-1]["id"]


@dataclass(frozen=True)
class ArchiveStatus:
    """What the customer's page shows of C-5."""

    complete_at: datetime | None
    deadline: date | None
    timeliness: RecordTimeliness
    missing: list[Missing]
    days: int


def archive_status(engine: Engine, actor: Actor, customer_id: int, today: date, tz: str) -> ArchiveStatus | None:
    """C-5 for one customer: complete since when (or what is missing), its deadline (the latest delivery up
    to `today` + archive.complete_within_days) and whether it was, or is still, on time. VIEW_CUSTOMERS."""
    require(actor, Action.VIEW_CUSTOMERS)
    with session_scope(engine) as s:
        row = s.execute(select(*FACTS, Customer.archive_complete_at).where(Customer.id == customer_id)).mappings()
        row = row.one_or_none()
        if row is None:
            return None
        products = _products(s, [customer_id])[customer_id]
        days = int(setting(s, "archive.complete_within_days"))
        missing = missing_fields(row, products, setting(s, "office.phone_region"), today)
    due = deadline([p["delivery_date"] for p in products], today, days)
    complete_at = row["archive_complete_at"] if not missing else None
    return ArchiveStatus(complete_at, due, record_timeliness(due, complete_at, today, tz), missing, days)


def latest_delivery(today: date):
    """The customer's latest delivery on or before `today` (a correlated subquery, by products' customer_id)."""
    return (select(func.max(Product.delivery_date))
            .where(Product.customer_id == Customer.id, Product.delivery_date <= today).scalar_subquery())


def _blank(column):
    return or_(column.is_(None), func.trim(column) == "")


def delivered_unrecorded(today: date):
    """A product of the customer delivered by `today` that lacks one of its C-5 fields (a correlated EXISTS,
    by products' customer_id): the record is incomplete whatever its mark says, since the mark was kept while
    that product's delivery was still planned and so asked nothing (core.customers.completeness)."""
    lacking = or_(_blank(Product.model), _blank(Product.serial_no), Product.purchase_date.is_(None),
                  Product.effective_date.is_(None))
    return exists().where(Product.customer_id == Customer.id, Product.delivery_date <= today, lacking)


def _office_date(column, dialect: str, tz: str, now: datetime):
    """The office-local day of a stored instant, in SQL: PostgreSQL converts by the zone's own rules; SQLite
    (which stores UTC as text) by the zone's offset at `now`."""
    if dialect == "postgresql":
        return cast(func.timezone(tz, column), Date)
    offset = ZoneInfo(tz).utcoffset(now.replace(tzinfo=None)) or timedelta()
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def _plus_days(day, days: int, dialect: str):
    return day + days if dialect == "postgresql" else func.date(day, f"+{days} days")


def incomplete_records(engine: Engine, actor: Actor, user_id: int, now: datetime, tz: str, page: int = 1,
                       page_size: int = 10) -> Page:
    """C-5 "incomplete records listed for the specialist": `user_id`'s customers with a product delivered by
    today whose record is incomplete, or was completed after its deadline (the latest delivery + N days);
    the incomplete first (a mark kept while a product's delivery was planned does not hide that product's
    missing fields once it is delivered: `delivered_unrecorded`), the most overdue first, then the late ones.
    Paginated in SQL, through customers' specialist_id index and products' customer_id index. Each row
    carries its `deadline` and `timeliness`."""
    require(actor, Action.VIEW_CUSTOMERS)
    today = office_day(now, tz)
    with session_scope(engine) as s:
        days, dialect = int(setting(s, "archive.complete_within_days")), s.get_bind().dialect.name
        delivered = latest_delivery(today)
        late = _office_date(Customer.archive_complete_at, dialect, tz, now) > _plus_days(delivered, days, dialect)
        incomplete = or_(Customer.archive_complete_at.is_(None), delivered_unrecorded(today))
        conds = [Customer.specialist_id == user_id, delivered.is_not(None), or_(incomplete, late)]
        stmt = (select(Customer.id, Customer.code, Customer.name, Customer.phone,
                       case((incomplete, None), else_=Customer.archive_complete_at).label("archive_complete_at"),
                       delivered.label("delivered")).where(*conds)
                .order_by(case((incomplete, 0), else_=1), delivered, Customer.id))
        found = paginate(s, stmt, page, page_size, select(func.count()).select_from(Customer).where(*conds))
    rows = []
    for row in found.rows:
        due = row["delivered"] + timedelta(days=days)
        rows.append(row | {"deadline": due,
                           "timeliness": record_timeliness(due, row["archive_complete_at"], today, tz)})
    return replace(found, rows=rows)
