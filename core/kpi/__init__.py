"""The KPIs of DOMAIN.md K-1..K-4, one named function each (STYLE habit 3): its docstring is the
definition, the English catalog carries the same text under `kpi.def.<name>` (a test keeps them equal),
and the page shows it, translated, as the chart's help. Everything is aggregated in SQL; where several
KPIs read one table, one aggregate (callback_weeks, attempt_counts, dispatch_counts) feeds them all."""

from __future__ import annotations

import inspect
import re

from sqlalchemy import Engine

from core.accounts.queries import staff_names
from core.kpi.calls import (
    attempt_counts,
    average_score,
    callback_completion_rate,
    callback_on_time_rate,
    callback_weeks,
    callbacks_per_week,
    reach_rate,
    satisfaction_distribution,
)
from core.kpi.complaints import (
    complaint_capa_verified,
    complaint_close_days,
    complaint_counts,
    complaint_ours_share,
    complaint_reopen_rate,
    complaint_repeat_share,
    complaint_response_hours,
    complaints_by_cause,
    complaints_by_channel,
    complaints_by_model,
    complaints_closed_by_deadline,
)
from core.kpi.sql import KpiFilter, default_range, earliest, partial_weeks, week_bounds
from core.kpi.work_orders import (
    AGES,
    BACKLOG,
    DISPATCH_BUCKETS,
    dispatch_counts,
    dispatch_time_distribution,
    dispatch_within_target,
    paid_service_revenue,
    work_order_backlog,
    work_orders_per_week,
)
from db.enums import Role
from db.models import User

KPIS = {fn.__name__: fn for fn in (
    callback_completion_rate, callback_on_time_rate, reach_rate, average_score, complaints_closed_by_deadline,
    dispatch_within_target, paid_service_revenue, work_orders_per_week, complaints_by_channel,
    callbacks_per_week, work_order_backlog, dispatch_time_distribution, satisfaction_distribution,
    complaints_by_model, complaints_by_cause, complaint_response_hours, complaint_close_days, complaint_ours_share,
    complaint_capa_verified, complaint_repeat_share, complaint_reopen_rate,
)}

STAFF_ROLES = (Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR, Role.ENGINEER)

__all__ = [
    "AGES", "BACKLOG", "DISPATCH_BUCKETS", "KPIS", "KpiFilter", "attempt_counts", "callback_weeks", "complaint_counts",
    "default_range", "definition", "dispatch_counts", "earliest", "partial_weeks", "staff", "week_bounds", *KPIS,
]


RULE_IDS = re.compile(r" \((?:[A-Z]{1,2}-\d+(?:, )?)+\)")  # " (K-1, CB-3)": DOMAIN.md's rules


def definition(name: str) -> str:
    """A KPI's docstring on one line as managers read it, the text the English catalog must carry under
    `kpi.def.<name>`: the ids of DOMAIN.md's rules and Python's None are for developers and stay out."""
    text = " ".join(inspect.getdoc(KPIS[name]).split())
    return RULE_IDS.sub("", text).replace("(None, ", "(").replace(" (None)", "")


def staff(engine: Engine) -> dict[int, str]:
    """People whose work the KPIs can be narrowed to (K-6): specialists, managers, the director, engineers."""
    return staff_names(engine, User.role.in_(STAFF_ROLES), User.active)
