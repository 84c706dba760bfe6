"""The audit trail: every write of a business record, every sign-in and every user, role or setting
change adds one row in the same transaction as the change. The table refuses UPDATE and DELETE
(database triggers), so nobody edits the past."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy.orm import Session

from core.permissions import Actor
from db.enums import AuditAction
from db.models import AuditEntry


def _plain(value: object) -> object:
    """JSON-safe: datetimes as ISO text, enums as their value, Decimals as text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(before: dict | None, after: dict | None) -> dict[str, list]:
    """Changed fields only, as {field: [old, new]}; secrets (password hashes) never enter the log."""
    before, after = before or {}, after or {}
    keys = [k for k in {**before, **after} if "password" not in k and k not in ("version", "updated_at")]
    return {k: [_plain(before.get(k)), _plain(after.get(k))] for k in keys if before.get(k) != after.get(k)}


def record(session: Session, actor: Actor | None, entity: str, entity_id: object, action: AuditAction,
           before: dict | None = None, after: dict | None = None, *, username: str | None = None,
           at: datetime | None = None, extra: dict | None = None) -> AuditEntry:
    """Add one audit row to the caller's transaction (the caller commits once, with its change)."""
    changes = diff(before, after) | ({"_": extra} if extra else {})
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        username=actor.username if actor else username,
        role=actor.role.value if actor else None,
        entity=entity, entity_id=None if entity_id is None else str(entity_id), action=action,
        changes=changes or None,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry
