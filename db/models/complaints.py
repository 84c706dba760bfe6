"""Complaints (CP-1..CP-5) with their event history; every step keeps who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus, Remedy, Responsibility
from db.models.base import Base, UTCDateTime, enum_col, utcnow


class Complaint(Base):
    """CP-1 intake fields; CP-2 status, responsibility, CAPA and deadlines; CP-3 returned goods."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_received", "status", "received_at"),
        Index("ix_complaints_channel_received", "channel", "received_at"),
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
    status: Mapped[ComplaintStatus] = mapped_column(enum_col(ComplaintStatus), default=ComplaintStatus.RECEIVED)
    responsibility: Mapped[Responsibility] = mapped_column(
        enum_col(Responsibility), default=Responsibility.UNDECIDED
    )
    cause: Mapped[ComplaintCause | None] = mapped_column(enum_col(ComplaintCause))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    responsible_department: Mapped[str | None] = mapped_column(String(100))
    capa_action: Mapped[str | None] = mapped_column(Text)
    capa_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capa_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    return_quantity: Mapped[int | None] = mapped_column(Integer)
    inspection_full: Mapped[bool | None] = mapped_column(Boolean)
    inspection_result: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[Remedy | None] = mapped_column(enum_col(Remedy))
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
    note: Mapped[str | None] = mapped_column(Text)
