"""Complaint KPIs (K-3). Each docstring is the definition managers read."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, case, func, select

from core.complaints.log import promise_decided, promise_kept
from core.kpi.sql import KpiFilter, in_range, narrow, ratio
from db.engine import session_scope
from db.models import Complaint


def _complaints(f: KpiFilter, tz: str, *columns):
    stmt = narrow(select(*columns), f, staff=Complaint.owner_id, customer=Complaint.customer_id,
                  channels=Complaint.channel)
    return in_range(stmt, Complaint.received_at, f, tz)


def complaints_by_channel(engine: Engine, f: KpiFilter, tz: str) -> pd.DataFrame:
    """Complaints by channel (K-3, CP-1): complaints received in the date range, counted per intake channel
    and current status. Timestamp: the time received. No complaint: an empty chart. Filters: staff (the
    owner), customer grade, complaint channel."""
    stmt = _complaints(f, tz, Complaint.channel, Complaint.status, func.count().label("count"))
    with session_scope(engine) as s:
        rows = s.execute(stmt.group_by(Complaint.channel, Complaint.status)).all()
    return pd.DataFrame([{"channel": r.channel, "status": r.status, "count": r.count} for r in rows],
                        columns=["channel", "status", "count"])


def complaints_closed_by_deadline(engine: Engine, f: KpiFilter, tz: str, now: datetime) -> float | None:
    """Complaints closed within the promised deadline (K-3, CP-2). Numerator: complaints closed no later
    than their reply deadline. Denominator: complaints received in the date range that have a reply deadline
    and are closed or past it (an open complaint still inside its deadline is not decided yet). Timestamps:
    the time received selects them; the closing time is compared with the deadline. Nothing decided: no data
    (None, shown as —). Filters: staff (the owner), customer grade, complaint channel."""
    on_time = func.sum(case((promise_kept(), 1), else_=0))  # the log's summary shares both conditions
    stmt = _complaints(f, tz, func.count().label("n"), on_time.label("on_time")).where(promise_decided(now))
    with session_scope(engine) as s:
        row = s.execute(stmt).one()
    return ratio(row.on_time, row.n)
