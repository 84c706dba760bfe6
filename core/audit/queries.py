"""Reading the audit trail: a record's history in sentences, and the filtered log for the audit page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlalchemy import Engine, func, select
from sqlalchemy import Enum as SAEnum

from core.callbacks.flow import require_view
from core.fmt import fmt_datetime
from core.i18n import catalog, enum_label, t
from core.lists import Page, day_bounds_utc, ordered, paginate
from core.permissions import Action, Actor, allowed, require
from db.engine import session_scope
from db.enums import AuditAction
from db.models import (
    AuditEntry,
    Callback,
    Complaint,
    Customer,
    FinanceBatch,
    IncomingCall,
    Lead,
    Product,
    RecheckSample,
    Setting,
    Task,
    User,
    WorkOrder,
)

ENTITIES = {"customer": Customer, "product": Product, "callback": Callback, "task": Task,
            "incoming_call": IncomingCall, "complaint": Complaint, "work_order": WorkOrder, "lead": Lead,
            "campaign": None, "recheck_sample": RecheckSample, "sweep": None, "user": User, "setting": Setting,
            "session": None, "finance_batch": FinanceBatch, "import_batch": None,
            "export": None}


def _enum_of(entity: str, field: str) -> type[Enum] | None:
    model = ENTITIES.get(entity)
    column = model.__table__.columns.get(field) if model is not None else None
    return column.type.enum_class if column is not None and isinstance(column.type, SAEnum) else None


def _value(entity: str, field: str, raw: object, lang: str) -> str:
    enum_cls = _enum_of(entity, field)
    if raw is None or raw == "":
        return t("audit.empty", lang)
    if enum_cls is not None:
        return enum_label(enum_cls(raw), lang)
    return str(raw)


def record_label(entity: str, entity_id: str | None, lang: str) -> str:
    """The audit log's record column as read: an export's record is the list it took (its EXPORTS key, such as
    "callbacks"), named in `lang`; any other record keeps its id."""
    key = f"audit.list.{entity_id}"
    return t(key, lang) if entity == "export" and key in catalog(lang) else entity_id or ""


def describe(entry: dict, lang: str, tz: str) -> list[str]:
    """Sentences such as "王芳 changed status from Dispatched to In repair, 2026-11-20 14:03"."""
    who, when = entry["username"] or t("audit.system", lang), fmt_datetime(entry["at"], lang, tz)
    action = AuditAction(entry["action"])
    fields = {k: v for k, v in (entry["changes"] or {}).items() if k != "_"}
    if action in (AuditAction.UPDATE, AuditAction.TRANSITION, AuditAction.SETTINGS) and fields:
        return [t("audit.changed", lang, who=who, field=_field_label(k, lang),
                  old=_value(entry["entity"], k, old, lang), new=_value(entry["entity"], k, new, lang), when=when)
                for k, (old, new) in fields.items()]
    return [t("audit.did", lang, who=who, action=enum_label(action, lang), when=when)]


def _field_label(field: str, lang: str) -> str:
    key = f"field.{field}"
    return t(key, lang) if key in catalog(lang) else field


# The records whose history a page shows beside the record, and the action that reads each kind of record.
HISTORY_OF = {"callback": Action.VIEW_CALLBACKS, "complaint": Action.VIEW_COMPLAINTS,
              "work_order": Action.VIEW_WORK_ORDERS, "customer": Action.VIEW_CUSTOMERS}


def record_history(engine: Engine, actor: Actor, entity: str, entity_id: object, lang: str, tz: str,
                   limit: int = 200) -> list[str]:
    """A record's audit history, oldest first, in readable form: for VIEW_HISTORY, of a record whose kind the
    actor may read (HISTORY_OF; any other kind, such as a user or a setting, only with the whole log), and of a
    callback only for who may read its level or the whole log (a re-check's history holds its results);
    Forbidden else."""
    require(actor, Action.VIEW_HISTORY)
    if not allowed(actor.role, Action.VIEW_AUDIT):  # who reads the whole log reads any part of it
        require(actor, HISTORY_OF.get(entity, Action.VIEW_AUDIT))
    with session_scope(engine) as s:
        callback = s.get(Callback, int(entity_id)) if entity == "callback" else None
        if callback is not None and not allowed(actor.role, Action.VIEW_AUDIT):
            require_view(actor, callback.level)
        rows = s.execute(
            select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.id).limit(limit)
        ).scalars().all()
        entries = [_entry(r) for r in rows]
    return [line for e in entries for line in describe(e, lang, tz)]


def _entry(row: AuditEntry) -> dict:
    return {"id": row.id, "at": row.at, "username": row.username, "role": row.role, "entity": row.entity,
            "entity_id": row.entity_id, "action": row.action.value, "changes": row.changes}


@dataclass(frozen=True)
class AuditFilter:
    start: date | None = None
    end: date | None = None
    username: str = ""
    entity: str = ""
    actions: tuple[AuditAction, ...] = ()


SORTS = ("at", "username", "entity")


def list_audit(engine: Engine, actor: Actor, f: AuditFilter, tz: str, page: int = 1, page_size: int = 50,
               sort: str | None = None) -> Page:
    """The whole log, newest first or sorted by one of SORTS (then by id), filtered by day range, user, entity
    and action (VIEW_AUDIT only)."""
    require(actor, Action.VIEW_AUDIT)
    conds = []
    lo, hi = day_bounds_utc(f.start, f.end, tz)
    conds += [AuditEntry.at >= lo] if lo else []
    conds += [AuditEntry.at < hi] if hi else []
    conds += [AuditEntry.username == f.username.strip()] if f.username.strip() else []
    conds += [AuditEntry.entity == f.entity] if f.entity else []
    conds += [AuditEntry.action.in_(f.actions)] if f.actions else []
    columns = {"at": AuditEntry.at, "username": AuditEntry.username, "entity": AuditEntry.entity}
    order = ordered(sort, columns, AuditEntry.id) or [AuditEntry.id.desc()]
    stmt = (select(AuditEntry.id, AuditEntry.at, AuditEntry.username, AuditEntry.role, AuditEntry.entity,
                   AuditEntry.entity_id, AuditEntry.action, AuditEntry.changes)
            .where(*conds).order_by(*order))
    with session_scope(engine) as s:
        return paginate(s, stmt, page, page_size, select(func.count()).select_from(AuditEntry).where(*conds))


def latest_change(session, entity: str, entity_id: object) -> tuple[str | None, datetime | None]:
    """Who last wrote this record and when: named in the stale-edit message."""
    row = session.execute(
        select(AuditEntry.username, AuditEntry.at)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row.username, row.at) if row else (None, None)
