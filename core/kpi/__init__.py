"""The KPIs of DOMAIN.md K-1..K-6, one named function each (STYLE habit 3): its docstring is the
definition, the English catalog carries the same text under `kpi.def.<name>` (a test keeps them equal),
and the page shows it, translated, as the chart's help. Everything is aggregated in SQL. The callback, call
and work-order figures are pure functions of four daily frames (A1 callback_days, A2 attempt_days, A4
order_intake_days, A5 order_done_days) read here from the rollups kept exact by triggers (core.kpi.rollups);
the complaint aggregates and the lead contact days likewise (core.kpi.rollups.areas; core.kpi.complaints and
core.kpi.leads keep the base-table reference);
the same frames computed from the base tables (core.kpi.call_days, core.kpi.order_days) are the reference the
rollups must equal and the benchmark's SQL baseline."""

from __future__ import annotations

import inspect
import re

from sqlalchemy import Engine

from core.accounts.queries import staff_names
from core.kpi.call_quality import (
    callback_rates_by_kind,
    dissatisfaction_reasons,
    invalid_number_rate,
    qa_score_per_specialist,
    recheck_coverage,
)
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
    complaint_ours_share,
    complaint_reopen_rate,
    complaint_repeat_share,
    complaint_response_hours,
    complaints_by_cause,
    complaints_by_model,
)
from core.kpi.leads import (
    lead_conversion_rate,
    lead_follow_up_on_time_rate,
    lead_follow_ups_on_schedule,
    lead_funnel_per_specialist,
    lead_funnel_per_week,
    lead_funnel_per_weekday,
    lead_sales_amount,
)
from core.kpi.rollups.areas import (
    complaint_counts,
    complaints_by_channel,
    complaints_closed_by_deadline,
    lead_contact_days,
    lead_follow_ups,
)
from core.kpi.rollups.read import attempt_days, callback_days, order_done_days, order_intake_days
from core.kpi.sql import KpiFilter, default_range, earliest, partial_weeks, week_bounds
from core.kpi.work_orders import (
    AGES,
    BACKLOG,
    DISPATCH_BUCKETS,
    accepted_signed_share,
    accepted_special_share,
    average_dispatch_time,
    average_time_to_complete,
    awaiting_dispatch,
    awaiting_dispatch_by_technician,
    dispatch_counts,
    dispatch_time_distribution,
    dispatch_within_target,
    paid_service_revenue,
    pending_reasons,
    revenue_per_week,
    work_order_backlog,
    work_orders_per_week,
)
from db.enums import Role
from db.models import User

KPIS = {fn.__name__: fn for fn in (
    callback_completion_rate, callback_on_time_rate, reach_rate, average_score, complaints_closed_by_deadline,
    dispatch_within_target, paid_service_revenue, work_orders_per_week, complaints_by_channel,
    callbacks_per_week, work_order_backlog, dispatch_time_distribution, satisfaction_distribution,
    average_dispatch_time, average_time_to_complete, accepted_signed_share, accepted_special_share, pending_reasons,
    revenue_per_week,
    lead_funnel_per_week, lead_funnel_per_specialist, lead_funnel_per_weekday, lead_sales_amount, lead_conversion_rate,
    lead_follow_ups_on_schedule, lead_follow_up_on_time_rate,
    callback_rates_by_kind, recheck_coverage, invalid_number_rate, dissatisfaction_reasons, qa_score_per_specialist,
    complaints_by_model, complaints_by_cause, complaint_response_hours, complaint_close_days, complaint_ours_share,
    complaint_capa_verified, complaint_repeat_share, complaint_reopen_rate,
)}

STAFF_ROLES = (Role.SPECIALIST, Role.MANAGER, Role.DIRECTOR, Role.ENGINEER)

__all__ = [
    "AGES", "BACKLOG", "DISPATCH_BUCKETS", "KPIS", "KpiFilter", "attempt_counts", "attempt_days", "awaiting_dispatch",
    "awaiting_dispatch_by_technician",
    "callback_days", "callback_weeks", "complaint_counts", "default_range", "definition", "dispatch_counts",
    "earliest", "lead_contact_days", "lead_follow_ups", "order_done_days", "order_intake_days", "partial_weeks",
    "staff", "week_bounds", *KPIS,
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
