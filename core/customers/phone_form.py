"""The archive's phones brought to their canonical form once (C-1): an office that kept numbers as typed
(`138-1234-5678`, `(0755) 8888 1234`) before the archive stored E.164 has them converted on its next start
(cli.setup), those libphonenumber understands in the office's region; the others are left as typed and
reported, to be corrected by hand. Each change is audited with the spelling it replaced (nothing is lost),
a customer's version moves on (a correction loaded before is then refused, not overwritten), and the
customers' search terms are rewritten in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, or_, select, update

from core.audit import log as audit
from core.customers.search import reindex
from core.office.settings import load_office
from core.phones import canonical
from db.engine import session_scope
from db.enums import AuditAction
from db.models import Contact, Customer

CHUNK = 1000
SETUP = "setup"  # the audit's username for what the start-up itself changed


@dataclass
class Converted:
    """What a run changed, and what it could not read: (table, id, phone as stored)."""

    changed: int = 0
    left: list[tuple[str, int, str]] = field(default_factory=list)


def not_canonical(column):
    """Stored numbers that cannot be E.164: without the leading +, or with a blank or a sign in them."""
    return or_(~column.startswith("+"), *(column.contains(c) for c in " -()./"))


def convert_phones(engine: Engine, now: datetime) -> Converted:
    """Convert every customer's and contact's phone that is not canonical yet; run it as often as you like
    (what is canonical is never touched again)."""
    region, done = load_office(engine).phone_region, Converted()
    for model in (Customer, Contact):
        after = 0
        while True:
            with session_scope(engine) as s:
                rows = s.execute(select(model.id, model.phone).where(model.id > after, model.phone.is_not(None),
                                                                     not_canonical(model.phone))
                                 .order_by(model.id).limit(CHUNK)).all()
                if not rows:
                    break
                after = rows[-1].id
                _convert(s, model, rows, region, now, done)
    return done


def _convert(s, model, rows, region: str, now: datetime, done: Converted) -> None:
    touched = set()
    for row in rows:
        stored = canonical(row.phone, region)
        if stored is None:
            done.left.append((model.__tablename__, row.id, row.phone))
            continue
        values = {"phone": stored} | ({"version": Customer.version + 1, "updated_at": now} if model is Customer
                                      else {})
        s.execute(update(model).where(model.id == row.id).values(**values).execution_options(
            synchronize_session=False))
        entity = "customer" if model is Customer else "contact"
        audit.record(s, None, entity, row.id, AuditAction.UPDATE, {"phone": row.phone}, {"phone": stored},
                     username=SETUP, at=now)
        touched.add(row.id)
        done.changed += 1
    if model is Contact and touched:
        touched = set(s.scalars(select(Contact.customer_id).where(Contact.id.in_(touched))))
    if touched:
        reindex(s, touched)
