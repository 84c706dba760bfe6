"""Repair work orders (WO-1..WO-10) with their event history, and finance's weekly sign-off (WO-8)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.enums import PendingReason, ServiceType, SignatureKind, WorkOrderStatus
from db.models.base import Base, UTCDateTime, enum_col, utcnow


class FinanceBatch(Base):
    """WO-8: the weekly list of paid order numbers that finance receives and signs off."""

    __tablename__ = "finance_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, unique=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkOrder(Base):
    """WO-1 intake, WO-2 service type, WO-3 dispatch/receipt times, WO-4 status and pending reason,
    WO-5/WO-6 signatures and return checks, WO-8 fee."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_status_intake", "status", "intake_at"),
        Index("ix_work_orders_tech_status", "technician_id", "status"),
        Index("ix_work_orders_type_intake", "service_type", "intake_at"),
        Index("ix_work_orders_intake_dispatch", "intake_at", "dispatched_at"),  # list order, WO-3 dispatch KPI
        Index("ix_work_orders_done_type_fee", "completed_at", "service_type", "fee_cents"),  # K-4 per-week completed
        Index("ix_work_orders_type_done_fee", "service_type", "completed_at", "fee_cents"),  # WO-8 paid revenue
        Index("ix_work_orders_status_pending", "status", "pending_reason"),  # WO-7 pending by reason
        Index("ix_work_orders_tech_intake", "technician_id", "intake_at"),
        Index("ix_work_orders_type_accepted", "service_type", "accepted_at"),  # WO-8 finance's week
        # K-4 WO-7 backlog (issue 14 "Fast at scale"): range counts per status and age, the filters from the index
        Index("ix_work_orders_open_cover", "status", "intake_at", "technician_id", "service_type", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300))
    request: Mapped[str] = mapped_column(Text)
    read_back_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    service_type: Mapped[ServiceType] = mapped_column(enum_col(ServiceType))
    status: Mapped[WorkOrderStatus] = mapped_column(enum_col(WorkOrderStatus), default=WorkOrderStatus.NEW)
    pending_reason: Mapped[PendingReason | None] = mapped_column(enum_col(PendingReason))
    pending_from: Mapped[WorkOrderStatus | None] = mapped_column(enum_col(WorkOrderStatus, "pending_from"))  # WO-4
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    intake_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    intake_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    service_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    service_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    work_done: Mapped[str | None] = mapped_column(Text)
    delay_reason: Mapped[str | None] = mapped_column(Text)
    incomplete_reason: Mapped[str | None] = mapped_column(Text)
    technician_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manager_countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_signed_name: Mapped[str | None] = mapped_column(String(100))
    customer_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    special_approval_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    special_approval_note: Mapped[str | None] = mapped_column(Text)
    special_approval_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    fee_collected_on_site: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_no: Mapped[str | None] = mapped_column(String(40))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finance_batch_id: Mapped[int | None] = mapped_column(ForeignKey("finance_batches.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[WorkOrderEvent]] = relationship(order_by="WorkOrderEvent.at")


class WorkOrderEvent(Base):
    """One step of a work order's history (WO-4): who, when, from which status to which, and why."""

    __tablename__ = "work_order_events"
    # by order, then the status moved to and when: when an order last went pending is one seek (migration 0014)
    __table_args__ = (Index("ix_work_order_events_order_to_at", "work_order_id", "to_status", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[WorkOrderStatus | None] = mapped_column(enum_col(WorkOrderStatus, "from_status"))
    to_status: Mapped[WorkOrderStatus] = mapped_column(enum_col(WorkOrderStatus, "to_status"))
    pending_reason: Mapped[PendingReason | None] = mapped_column(enum_col(PendingReason))
    note: Mapped[str | None] = mapped_column(Text)
    move: Mapped[str | None] = mapped_column(String(24))  # core.work_orders.flow's Move or Act; None: intake


class WorkOrderSignature(Base):
    """WO-5: a signature drawn on the device (a PNG), with who signed and when. The technician's is drawn
    by the assigned technician's own account; the customer's on that technician's phone at the site, with
    the customer's printed name. One of each kind per order; none is replaced once the order is accepted."""

    __tablename__ = "work_order_signatures"
    __table_args__ = (UniqueConstraint("work_order_id", "kind", name="uq_work_order_signatures_order_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    kind: Mapped[SignatureKind] = mapped_column(enum_col(SignatureKind))
    signer_name: Mapped[str] = mapped_column(String(100))  # the technician's display name or the customer's
    captured_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # whose account held the pad
    png: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
