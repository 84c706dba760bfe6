"""The KPI rollups (issue 14): one row per office-local day and the few dimensions a dashboard filter
reads, the measures as plain counts and sums. Kept exact by the marks triggers write (kpi_marks) and
core.kpi.rollups recounts; the contracts A1, A2, A4 and A5 read them instead of the base tables."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

RollupId = BigInteger().with_variant(Integer, "sqlite")


class KpiCallbackDay(Base):
    """A1: callbacks not cancelled, by the office day of due_end."""

    __tablename__ = "kpi_callback_days"
    __table_args__ = (Index("ix_kpi_callback_days_day", "day", "assignee_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    due: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)


class KpiAttemptDay(Base):
    """A2: call attempts, by the office day of attempted_at."""

    __tablename__ = "kpi_attempt_days"
    __table_args__ = (Index("ix_kpi_attempt_days_day", "day", "caller_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    caller_id: Mapped[int] = mapped_column(Integer)
    technician_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer)
    reached: Mapped[int] = mapped_column(Integer)
    wrong_number: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[int] = mapped_column(BigInteger)
    scored: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    dissatisfied: Mapped[int] = mapped_column(Integer)
    qa_sum: Mapped[int] = mapped_column(BigInteger)
    qa_n: Mapped[int] = mapped_column(Integer)


class KpiOrderIntakeDay(Base):
    """A4: work orders, by the office day of intake_at (the within_k counts depend on the dispatch target)."""

    __tablename__ = "kpi_order_intake_days"
    __table_args__ = (Index("ix_kpi_order_intake_days_day", "day", "technician_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    technician_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    service_type: Mapped[str] = mapped_column(String(4))
    model: Mapped[str] = mapped_column(String(100))
    opened: Mapped[int] = mapped_column(Integer)
    dispatched: Mapped[int] = mapped_column(Integer)
    dispatch_s_sum: Mapped[int] = mapped_column(BigInteger)
    within_1: Mapped[int] = mapped_column(Integer)
    within_3: Mapped[int] = mapped_column(Integer)
    within_12: Mapped[int] = mapped_column(Integer)
    undispatched: Mapped[int] = mapped_column(Integer)


class KpiOrderDoneDay(Base):
    """A5: completed work orders, by the office day of completed_at."""

    __tablename__ = "kpi_order_done_days"
    __table_args__ = (Index("ix_kpi_order_done_days_day", "day", "technician_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    technician_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    service_type: Mapped[str] = mapped_column(String(4))
    model: Mapped[str] = mapped_column(String(100))
    completed: Mapped[int] = mapped_column(Integer)
    complete_s_sum: Mapped[int] = mapped_column(BigInteger)
    accepted: Mapped[int] = mapped_column(Integer)
    accepted_signed: Mapped[int] = mapped_column(Integer)
    accepted_special: Mapped[int] = mapped_column(Integer)
    fee_sum: Mapped[int] = mapped_column(BigInteger)
    fee_n: Mapped[int] = mapped_column(Integer)


# ---- dissatisfaction reasons (issue 14 "Fast at scale": the K-2 reasons chart) ----------------------------


class KpiDissatisfactionDay(Base):
    """K-2, CB-7: reached call attempts answered dissatisfied with a non-empty reason, by the office day of
    attempted_at and the reason's grouping key (core.kpi.call_quality.reason_key)."""

    __tablename__ = "kpi_dissatisfaction_days"
    __table_args__ = (Index("ix_kpi_dissatisfaction_days_day", "day", "caller_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    caller_id: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
class KpiComplaintDay(Base):
    """K-3: complaints, by the office day of received_at; every figure that depends on the complaint's own row
    (and, for `repeat`, on its customer's earlier complaints: marked by trigger). Seconds are kept in
    milliseconds (exact sums)."""

    __tablename__ = "kpi_complaint_days"
    __table_args__ = (Index("ix_kpi_complaint_days_day", "day", "owner_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))
    model: Mapped[str] = mapped_column(String(100))  # '' no product
    cause: Mapped[str] = mapped_column(String(16))  # '' not decided
    received: Mapped[int] = mapped_column(Integer)
    responded: Mapped[int] = mapped_column(Integer)
    response_ms: Mapped[int] = mapped_column(BigInteger)
    closed: Mapped[int] = mapped_column(Integer)
    close_ms: Mapped[int] = mapped_column(BigInteger)
    closed_promised: Mapped[int] = mapped_column(Integer)  # closed with a reply deadline: decided whatever `now`
    open_promised: Mapped[int] = mapped_column(Integer)  # open with a reply deadline: decided once it has passed
    kept: Mapped[int] = mapped_column(Integer)
    judged: Mapped[int] = mapped_column(Integer)
    ours: Mapped[int] = mapped_column(Integer)
    verified: Mapped[int] = mapped_column(Integer)
    repeat: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    ever_closed: Mapped[int] = mapped_column(Integer)


class KpiLeadContactDay(Base):
    """K-5: lead contacts, by the office day of contacted_at, with the grade of the lead's customer ('' none)."""

    __tablename__ = "kpi_lead_contact_days"
    __table_args__ = (Index("ix_kpi_lead_contact_days_day", "day", "user_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    dialed: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    appointments: Mapped[int] = mapped_column(Integer)
    recommendations: Mapped[int] = mapped_column(Integer)
    sales: Mapped[int] = mapped_column(Integer)
    sales_amount_cents: Mapped[int] = mapped_column(BigInteger)


class KpiLeadFollowUpDay(Base):
    """K-5 (L-1): follow-up contacts, by the office day of contacted_at, per the lead's specialist, its customer's
    grade ('' none) and the class the follow-up was due in (counted under the basis' follow-up intervals)."""

    __tablename__ = "kpi_lead_follow_up_days"
    __table_args__ = (Index("ix_kpi_lead_follow_up_days_day", "day", "specialist_id"),)

    id: Mapped[int] = mapped_column(RollupId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    specialist_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    lead_class: Mapped[str] = mapped_column(String(4))
    due: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
