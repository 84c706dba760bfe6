"""No lost updates: an editable record carries a version; a save names the version it was based on
and is applied with one compare-and-set UPDATE, so of two saves based on the same version exactly
one wins, on SQLite and PostgreSQL alike. The loser learns who changed the record and when. A save that
changes nothing (every value already as stored) is Unchanged: no write, no new version, no audit row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from core import inputs
from core.audit import log as audit
from core.audit.queries import latest_change
from core.errors import NotFound, StaleEdit, Unchanged
from core.permissions import Actor
from db.enums import AuditAction


def save_versioned(s: Session, actor: Actor, model, entity: str, record_id: int, version: int,
                   changes: dict, now: datetime) -> int:
    """Apply `changes` if the record is still at `version`; audit before/after; return the new version.
    Unchanged when no audited field differs from the stored record (a bare `updated_at` is no change)."""
    current = s.get(model, record_id)
    if current is None:
        raise NotFound()
    before = {k: getattr(current, k) for k in changes}
    if not audit.diff(before, changes):
        raise Unchanged()
    inputs.refuse_unstorable_values(model, changes)  # the flush net does not see an UPDATE statement
    result = s.execute(
        update(model).where(model.id == record_id, model.version == version)
        .values(**changes, version=model.version + 1).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        who, when = latest_change(s, entity, record_id)
        raise StaleEdit(who=who or "?", when=when)
    audit.record(s, actor, entity, record_id, AuditAction.UPDATE, before, changes, at=now)
    return version + 1
