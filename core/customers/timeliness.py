"""C-5, kept and read: `customers.archive_complete_at` is set in the transaction of the write that makes a
record complete (core.customers.completeness says what complete means) and cleared by one that makes it
incomplete again (a new delivered product without its serial number); the customer's page shows where the
record stands (completed late included), and each specialist gets the list of their delivered customers whose
record is still incomplete. Every writer of a customer or of its products calls `refresh_completeness` before its
transaction commits: update_customer, set_order_dates, the creation form, the import."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, exists, func, or_, select, update
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


def backfill_moment(created: list[datetime], delivered: list[date], tz: str) -> datetime:
    """C-5, the backfill's moment for a complete record whose true completion time nobody kept: the latest
    creation of its rows, but never after the start (office-local) of its latest delivery day. An archive
    upgraded or imported today creates every row today; taking that would read every historic delivery as
    "completed late", a claim the data cannot support. With the moment unknown the record gets the benefit of
    the doubt: it counts on time. A record with no delivery has no deadline, so its creation is kept."""
    latest = max(created)
    if not delivered:
        return latest
    day = max(delivered)
    return min(latest, datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(UTC))


def backfill_completeness(s: Session, today: date) -> int:
    """C-5 for records written before it was kept (the demo office, an upgraded archive): each record
    complete on the office day `today` (a product delivered later asks nothing yet) and not yet marked gets
    `backfill_moment` (its rows' latest creation, capped at its latest delivery day, so a historic delivery is
    not read as completed late); returns how many were marked. Read in chunks by id, so memory stays flat."""
    region, tz = setting(s, "office.phone_region"), setting(s, "office.timezone")
    after, marked = 0, 0
    while True:
        rows = s.execute(select(Customer.id, Customer.created_at, *FACTS)
                         .where(Customer.id > after, Customer.archive_complete_at.is_(None))
                         .order_by(Customer.id).limit(BACKFILL_CHUNK)).mappings().all()
        if not rows:
            return marked
        products = _products(s, [r["id"] for r in rows])
        for row in rows:
            own = products[row["id"]]
            if not missing_fields(row, own, region, today):
                at = backfill_moment([row["created_at"], *(p["created_at"] for p in own if p["created_at"])],
                                     [p["delivery_date"] for p in own if p["delivery_date"]], tz)
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


def incomplete_records(engine: Engine, actor: Actor, user_id: int, now: datetime, tz: str, page: int = 1,
                       page_size: int = 10) -> Page:
    """C-5 "incomplete records listed for the specialist": `user_id`'s customers with a product delivered by
    today whose record is still incomplete (due, or overdue past the latest delivery + N days), the most
    overdue first. A record completed late is done: nobody can act on it, so it is shown on the customer's
    page only, not here. Paginated in SQL, through customers' specialist_id index and products' customer_id
    index; a mark kept while a product's delivery was planned does not hide that product's missing fields
    once it is delivered (`delivered_unrecorded`). Each row carries its `deadline` and `timeliness` (DUE or
    OVERDUE)."""
    require(actor, Action.VIEW_CUSTOMERS)
    today = office_day(now, tz)
    with session_scope(engine) as s:
        days = int(setting(s, "archive.complete_within_days"))
        delivered = latest_delivery(today)
        incomplete = or_(Customer.archive_complete_at.is_(None), delivered_unrecorded(today))
        conds = [Customer.specialist_id == user_id, delivered.is_not(None), incomplete]
        stmt = (select(Customer.id, Customer.code, Customer.name, Customer.phone, delivered.label("delivered"))
                .where(*conds).order_by(delivered, Customer.id))
        found = paginate(s, stmt, page, page_size, select(func.count()).select_from(Customer).where(*conds))
    rows = []
    for row in found.rows:
        due = row["delivered"] + timedelta(days=days)
        rows.append(row | {"deadline": due, "timeliness": record_timeliness(due, None, today, tz)})
    return replace(found, rows=rows)
