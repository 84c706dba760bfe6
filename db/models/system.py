"""Office settings (the configurable numbers of DOMAIN.md) and the audit log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
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


class KpiMark(Base):
    """K-1..K-6 rollups stay exact: a trigger on every table a rollup counts writes, in the writer's own
    transaction, the rollup and the timestamp whose office day must be recounted (core.kpi.rollups)."""

    __tablename__ = "kpi_marks"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    rollup: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class KpiRollupState(Base):
    """What a rollup was counted under (the office's time zone, the settings its measures depend on): a
    change of basis rebuilds it (core.kpi.rollups)."""

    __tablename__ = "kpi_rollup_state"

    rollup: Mapped[str] = mapped_column(String(24), primary_key=True)
    basis: Mapped[str] = mapped_column(String(200))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobLease(Base):
    """A scheduled job runs once however many server processes are up: the one that takes the lease (a row
    updated only when free or expired) runs it until `until`."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class WeeklyReport(Base):
    """The weekly office report (issue 14): last week's figures as built on the Monday, kept for every past
    week; `data` is what the printable page and the PDF show, `pdf` the file mailed."""

    __tablename__ = "weekly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, unique=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_to: Mapped[str | None] = mapped_column(Text)
    mail_error: Mapped[str | None] = mapped_column(Text)
