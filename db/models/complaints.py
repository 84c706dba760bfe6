"""Complaints (CP-1..CP-5) with their event history; every step keeps who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.enums import (
    Channel,
    ComplaintCause,
    ComplaintChannel,
    ComplaintSeverity,
    ComplaintStatus,
    Remedy,
    Responsibility,
)
from db.models.base import Base, UTCDateTime, enum_col, utcnow


class Complaint(Base):
    """CP-1 intake fields; CP-2 status, responsibility, CAPA and deadlines; CP-3 returned goods."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_received", "status", "received_at"),
        Index("ix_complaints_channel_received", "channel", "received_at"),
        Index("ix_complaints_customer_product", "customer_id", "product_id"),  # CP-1 duplicate guard
        Index("ix_complaints_reply_deadline", "reply_deadline"),  # CP-5 overdue
        Index("ix_complaints_open_deadline", "reply_deadline", "received_at", sqlite_where=text("closed_at IS NULL"),
              postgresql_where=text("closed_at IS NULL")),  # K-3: open complaints not due yet at `now` (issue 14)
        Index("ix_complaints_first_response_due", "first_response_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    order_no: Mapped[str | None] = mapped_column(String(40))
    product_desc: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[ComplaintChannel] = mapped_column(enum_col(ComplaintChannel))
    description: Mapped[str] = mapped_column(Text)
    defect_quantity: Mapped[int | None] = mapped_column(Integer)
    defect_rate_pct: Mapped[str | None] = mapped_column(String(16))
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    severity: Mapped[ComplaintSeverity] = mapped_column(enum_col(ComplaintSeverity), default=ComplaintSeverity.NORMAL)
    status: Mapped[ComplaintStatus] = mapped_column(enum_col(ComplaintStatus), default=ComplaintStatus.RECEIVED)
    responsibility: Mapped[Responsibility] = mapped_column(
        enum_col(Responsibility), default=Responsibility.UNDECIDED
    )
    cause: Mapped[ComplaintCause | None] = mapped_column(enum_col(ComplaintCause))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    verification_note: Mapped[str | None] = mapped_column(Text)  # what was checked: stock, WIP, inspection records
    explanation: Mapped[str | None] = mapped_column(Text)  # not ours: what the customer was told
    responsible_department: Mapped[str | None] = mapped_column(String(100))
    capa_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    capa_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capa_action: Mapped[str | None] = mapped_column(Text)  # the corrective action
    preventive_action: Mapped[str | None] = mapped_column(Text)
    solution: Mapped[str | None] = mapped_column(Text)  # what was done
    solution_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_channel: Mapped[Channel | None] = mapped_column(enum_col(Channel, "reply_channel"))
    late_reason: Mapped[str | None] = mapped_column(Text)  # a reply after the promised time says why
    verification_evidence: Mapped[str | None] = mapped_column(Text)  # effectiveness: the evidence seen
    capa_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capa_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    return_quantity: Mapped[int | None] = mapped_column(Integer)
    isolated_labelled: Mapped[bool | None] = mapped_column(Boolean)
    inspection_full: Mapped[bool | None] = mapped_column(Boolean)
    inspected_quantity: Mapped[int | None] = mapped_column(Integer)
    defects_found: Mapped[int | None] = mapped_column(Integer)
    inspection_result: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[Remedy | None] = mapped_column(enum_col(Remedy))
    remedy_accepted: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[ComplaintEvent]] = relationship(order_by="ComplaintEvent.at")


class ComplaintEvent(Base):
    """One step of a complaint's history: who moved it from which status to which, and when."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[ComplaintStatus | None] = mapped_column(enum_col(ComplaintStatus, "from_status"))
    to_status: Mapped[ComplaintStatus] = mapped_column(enum_col(ComplaintStatus, "to_status"))
    move: Mapped[str | None] = mapped_column(String(24))  # core.complaints.flow.Move, or note / escalate / goods
    note: Mapped[str | None] = mapped_column(Text)


class ComplaintEvidence(Base):
    """CP-1 evidence: a photo or file attached to a complaint, kept in the database with it (so a backup holds
    it and only a reader of the complaint is ever sent it)."""

    __tablename__ = "complaint_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
