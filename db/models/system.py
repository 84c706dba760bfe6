"""Office settings (the configurable numbers of DOMAIN.md) and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.enums import AuditAction
from db.models.base import Base, UTCDateTime, enum_col, utcnow

AuditId = BigInteger().with_variant(Integer, "sqlite")


class Setting(Base):
    """One office setting, its value JSON-encoded; defaults live in core.office.defaults."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditEntry(Base):
    """Who (and in which role) did what to which record when, with the fields before and after.
    Append-only in the database itself: triggers abort any UPDATE or DELETE (migration 0002). The user
    is a snapshot (id, name, role at the time), not a foreign key, so the log constrains nothing."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[AuditAction] = mapped_column(enum_col(AuditAction))
    changes: Mapped[dict | None] = mapped_column(JSON)
