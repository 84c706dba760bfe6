"""Callbacks (CB-1..CB-11), their call attempts, incoming calls, re-check samples, leads (L-1, L-2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.enums import (
    CallbackKind,
    CallbackLevel,
    CallbackStatus,
    CallOutcome,
    Channel,
    IncomingCategory,
    LeadClass,
    LeadResult,
    LeadStatus,
    SampleGroup,
    Satisfaction,
    TaskStatus,
)
from db.models.base import Base, UTCDateTime, enum_col, utcnow


class RecheckSample(Base):
    """CB-4: one drawn sample per period and level; the seed makes it reproducible."""

    __tablename__ = "recheck_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    level: Mapped[CallbackLevel] = mapped_column(enum_col(CallbackLevel))
    seed: Mapped[int] = mapped_column(BigInteger)
    target_rate_pct: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("uq_recheck_samples_period_level", "period", "level", unique=True),)


class RecheckPopulation(Base):
    """CB-4: what a sample was drawn from: one row per group of the sample and customer in that group, and
    whether the customer was drawn for that group (a customer in two groups is drawn for one, counts for both)."""

    __tablename__ = "recheck_population"

    sample_id: Mapped[int] = mapped_column(ForeignKey("recheck_samples.id"), primary_key=True)
    sample_group: Mapped[SampleGroup] = mapped_column(enum_col(SampleGroup), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    drawn: Mapped[bool] = mapped_column(Boolean, default=False)


class Callback(Base):
    """A call the office owes (CB-2 kind, CB-1 level) with its due window [due_start, due_end]."""

    __tablename__ = "callbacks"
    __table_args__ = (
        Index("ix_callbacks_queue", "assignee_id", "status", "due_end"),
        Index("ix_callbacks_status_due_done", "status", "due_end", "completed_at"),  # queue order, K-1 counts
        Index("ix_callbacks_kind_due", "kind", "due_end"),
        # a drill-down list walks these in its order, newest due first then by id, instead of sorting every
        # callback of the range: at the large office (4M callbacks) a two-year list of the callbacks due
        # 50 s → 0.2 s, one specialist's 15 s → 0.15 s (issue 14, "a drill-down list ≤ 100 ms"; migration 0013);
        # the id is in the index for PostgreSQL, which sorted the 35,000 callbacks of one day's end per page
        # (SQLite's rowid did it already; migration 0018)
        Index("ix_callbacks_due_id", "due_end", "id"),
        Index("ix_callbacks_assignee_due_id", "assignee_id", "due_end", "id"),
        # K-1 re-check coverage counts each sample's callbacks drawn and done from the index alone, not a table
        # read per callback (82,000 sampled at the large office; migration 0015), and its drill-down walks one
        # sample's callbacks newest due first (PostgreSQL: 3.3-3.9 s -> ms; migration 0017)
        Index("ix_callbacks_sample_due", "sample_id", "due_end", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[CallbackKind] = mapped_column(enum_col(CallbackKind))
    level: Mapped[CallbackLevel] = mapped_column(enum_col(CallbackLevel), default=CallbackLevel.L1)
    status: Mapped[CallbackStatus] = mapped_column(enum_col(CallbackStatus), default=CallbackStatus.OPEN)
    due_start: Mapped[datetime] = mapped_column(UTCDateTime)
    due_end: Mapped[datetime] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("recheck_samples.id"))
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    purpose: Mapped[str | None] = mapped_column(Text)
    attempts_count: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The window length (or delay, or lead days) its kind's setting had when it was planned (CB-2): a changed
    # setting applies to callbacks planned after it, and to open ones only when an admin applies it.
    window_days: Mapped[int | None] = mapped_column(Integer)

    attempts: Mapped[list[CallAttempt]] = relationship(back_populates="callback", order_by="CallAttempt.attempted_at")


class CallAttempt(Base):
    """One try at a callback: channel (CB-5), outcome (CB-6), satisfaction and verbatim record (CB-7),
    promised reply (CB-8), quality checklist and score for complaint callbacks (CB-9); on an L2/L3 re-check
    the satisfaction is the customer's view of the specialist's service, plus whether the problem was
    solved (CB-4)."""

    __tablename__ = "call_attempts"
    __table_args__ = (
        Index("ix_call_attempts_at_outcome", "attempted_at", "outcome", "satisfaction", "score"),  # K-2 covering
        Index("ix_call_attempts_caller_at", "caller_id", "attempted_at"),
        # K-2 CB-7 drill of a dissatisfaction reason (issue 14 "Fast at scale"): the dissatisfied reached attempts
        # of a range with their reason, read from the index alone
        Index("ix_call_attempts_dissatisfied", "satisfaction", "outcome", "attempted_at", "dissatisfaction_reason"),
        # K-2 the checklist-scored attempts of one specialist (1% of attempts), newest first: their drill-down
        # list no longer reads all of the caller's attempts (a million at the large office) to count them,
        # 7 s → 0.1 s (issue 14, "a drill-down list ≤ 100 ms"; migration 0013)
        Index("ix_call_attempts_qa_caller_at", "caller_id", "attempted_at", sqlite_where=text("qa_score IS NOT NULL"),
              postgresql_where=text("qa_score IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)  # C-5: recorded the same day
    channel: Mapped[Channel] = mapped_column(enum_col(Channel))
    outcome: Mapped[CallOutcome] = mapped_column(enum_col(CallOutcome))
    satisfaction: Mapped[Satisfaction | None] = mapped_column(enum_col(Satisfaction))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    dissatisfaction_reason: Mapped[str | None] = mapped_column(Text)
    questions: Mapped[str | None] = mapped_column(Text)
    suggestions: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    promised_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_again_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    qa_checklist: Mapped[dict | None] = mapped_column(JSON)
    qa_score: Mapped[int | None] = mapped_column(SmallInteger)
    problem_solved: Mapped[bool | None] = mapped_column(Boolean)  # CB-4: asked on L2/L3 re-checks
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))  # CB-7 complaint opened

    callback: Mapped[Callback] = relationship(back_populates="attempts")


class Task(Base):
    """A re-check finding (CB-4 L2/L3, CB-9 checklist) sent back to the specialist whose service it concerns,
    linked to the re-check callback and the attempt that found it; open until the specialist records
    what they did about it."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assignee_status_due", "assignee_id", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempts.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finding: Mapped[str] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(enum_col(TaskStatus), default=TaskStatus.OPEN)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)


class IncomingCall(Base):
    """CB-11: a registered incoming call; missed or unresolved ones create a same-day call-back."""

    __tablename__ = "incoming_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    caller_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    category: Mapped[IncomingCategory] = mapped_column(enum_col(IncomingCategory))
    need: Mapped[str | None] = mapped_column(Text)
    heard_from: Mapped[str | None] = mapped_column(String(100))
    answered: Mapped[bool] = mapped_column(Boolean, default=True)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Lead(Base):
    """L-1: a prospect of class A/B/C whose next follow-up falls due after each contact."""

    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_owner_due", "specialist_id", "status", "next_follow_up"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    lead_class: Mapped[LeadClass] = mapped_column(enum_col(LeadClass))
    status: Mapped[LeadStatus] = mapped_column(enum_col(LeadStatus), default=LeadStatus.OPEN)
    interest: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(100))
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    next_follow_up: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_call_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_calls.id"), index=True)  # CB-11 register
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class LeadContact(Base):
    """L-2: one dial to a lead; weekly activity (dialed, completed, appointments, recommendations,
    sales count and amount) is derived from these rows, never typed in."""

    __tablename__ = "lead_contacts"
    __table_args__ = (Index("ix_lead_contacts_user_at", "user_id", "contacted_at"),
                      Index("ix_lead_contacts_at", "contacted_at"),
                      Index("ix_lead_contacts_lead_at", "lead_id", "contacted_at"),  # K-5 follow-ups: a lead's history
                      # K-5 one stage's contacts (the sales: 1 in 30) newest first, not every contact of the range
                      # read to count them: the sales' drill-down 1.5 s → 0.15 s at the large office (issue 14;
                      # migration 0013)
                      Index("ix_lead_contacts_result_at", "result", "contacted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[Channel] = mapped_column(enum_col(Channel))
    result: Mapped[LeadResult] = mapped_column(enum_col(LeadResult))
    sale_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    new_class: Mapped[LeadClass | None] = mapped_column(enum_col(LeadClass))
    notes: Mapped[str | None] = mapped_column(Text)
