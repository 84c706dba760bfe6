"""My work opens on the role's own job, most urgent first, every item one click from its record (issue 10):
the specialist's next call, overdue and due callbacks, promised replies, findings, complaints and leads; the manager's
office-wide overdue and escalated work, re-check coverage and what waits on them; the director's L3 sample
and KPI headlines; the engineer's open orders and complaints; finance's fees and weeks; the admin's users and settings.
Each count tile opens the list it counts; the callback counts are the queue's own (core queue_counts)."""

import streamlit as st

from core.callbacks.queries import CallbackFilter, queue_counts
from core.fmt import fmt_percent
from core.leads.queries import due_leads
from core.my_work import agenda
from core.my_work.queries import office_today, week_of, weekly_activity, work_order_counts
from db.enums import CallbackLevel, Role, WorkOrderStatus
from ui import clock, customer_timeline, wo_work
from ui.auth import page_guard
from ui.context import engine, lang, office, tr
from ui.my_work import (
    CALLBACKS,
    COMPLAINTS,
    LEADS,
    WORK_ORDERS,
    callback_items,
    capa_items,
    complaint_items,
    items,
    next_call,
    tiles,
)
from ui.recheck import recheck_coverage
from ui.task_form import findings_sent, my_open_tasks
from ui.text import heading, phrase, plain
from ui.widgets import cell_formats, table

ACTIVITY_COLUMNS = {
    "specialist": ("mywork.specialist", "text"), "dialed": ("mywork.dialed", "text"),
    "completed": ("mywork.completed", "text"), "appointments": ("mywork.appointments", "text"),
    "recommendations": ("mywork.recommendations", "text"), "sales": ("mywork.sales", "text"),
    "sales_amount_cents": ("mywork.sales_amount", "money"),
}
KPIS = ("callback_completion_rate", "callback_on_time_rate", "reach_rate", "complaints_closed_by_deadline")


def callback_tiles(person: int | None, who: dict, extra: list) -> None:
    """Overdue and due today as the Callbacks queue counts them for the same assignee (`who` in its URL)."""
    counts = queue_counts(engine(), actor, CallbackFilter(assignee_id=person), tz, moment)
    tiles([("mywork.cb_overdue", counts["overdue"], CALLBACKS, who | {"due": "overdue"}),
           ("mywork.cb_due_today", counts["today"], CALLBACKS, who | {"due": "today"}), *extra])


def activity(person: int | None) -> None:
    start, end = week_of(office_today(moment, tz))
    heading("mywork.activity", start=cell_formats()["date"](start), end=cell_formats()["date"](end))
    table(weekly_activity(engine(), moment, tz, person).to_dict("records"), ACTIVITY_COLUMNS)


def specialist() -> None:
    next_call(actor, moment)
    replies = agenda.promised_replies(engine(), actor, actor.id, tz, moment)
    leads = due_leads(engine(), actor, actor.id, moment, tz, 1, agenda.SHOWN)
    callback_tiles(actor.id, {}, [("mywork.promised", replies.total, CALLBACKS, {"kind": "promised_reply"}),
                                  ("mywork.lead_due", leads.total, LEADS, {"due": "now"})])
    heading("mywork.due_list")
    callback_items(agenda.callbacks_due(engine(), actor, actor.id, tz, moment))
    heading("mywork.promised")
    callback_items(replies)
    my_open_tasks(actor, moment)  # CB-4: re-check findings sent to me
    complaint_items(actor, moment)  # CP-5: the complaints I own, what is due next first; CP-2: my CAPAs
    customer_timeline.records_to_complete(actor, moment)  # C-5: my customers' records still to complete
    heading("mywork.leads_due")
    items(leads, LEADS, lambda r: [r["name"], cell_formats()["datetime"](r["next_follow_up"])])
    activity(actor.id)


def manager() -> None:
    counts = work_order_counts(engine(), actor)
    attention = agenda.complaints_needing_attention(engine(), actor, tz, moment)
    callback_tiles(None, {"who": "all"}, [("mywork.cp_attention", attention.total, COMPLAINTS,
                                                   {"who": "all", "attention": "True"})])
    tiles([("mywork.wo_new", counts["wo_new"], WORK_ORDERS, {"status": WorkOrderStatus.NEW.value, "who": "all"}),
           ("mywork.wo_awaiting_acceptance", counts["wo_awaiting_acceptance"], WORK_ORDERS,
            {"status": [WorkOrderStatus.COMPLETED.value, WorkOrderStatus.RETURNED.value], "who": "all"})])
    heading("mywork.office_due")
    callback_items(agenda.callbacks_due(engine(), actor, None, tz, moment), with_assignee=True)
    wo_work.unfinished(actor, moment)  # WO-7: engineering chased by technician and reason
    heading("mywork.cp_attention")
    items(attention, COMPLAINTS, lambda r: [r["number"], r["customer"], cell_formats()["enum"](r["status"])])
    capa_items(actor, moment, only_if_any=True)  # CP-2: a corrective action the manager owns
    recheck_coverage(actor, moment)
    heading("mywork.my_rechecks")
    callback_items(agenda.callbacks_due(engine(), actor, actor.id, tz, moment, (CallbackLevel.L2,), False))
    findings_sent(actor, moment)
    activity(None)


def director() -> None:
    heading("mywork.kpis")
    headlines = agenda.kpi_headlines(engine(), actor, tz, moment)
    for column, name in zip(st.columns(len(KPIS)), KPIS, strict=True):
        column.metric(tr(f"kpi.metric.{name}"), plain(fmt_percent(headlines[name], lang())), help=tr(f"kpi.def.{name}"))
    st.page_link("pages/kpis.py", label=tr("mywork.open_kpis"), icon=":material/monitoring:")
    heading("mywork.l3_sample")
    callback_items(agenda.callbacks_due(engine(), actor, None, tz, moment, (CallbackLevel.L3,), False), True)
    capa_items(actor, moment, only_if_any=True)  # CP-2: a corrective action the director owns
    recheck_coverage(actor, moment)
    findings_sent(actor, moment)


def engineer() -> None:
    orders = agenda.my_open_orders(engine(), actor)
    tiles([("mywork.wo_open", orders.total, WORK_ORDERS, {"status": [s.value for s in agenda.OPEN_ORDERS]})])
    wo_work.my_orders(actor)  # each with its next step, one click from its record
    wo_work.unfinished(actor, moment)  # WO-7: my own, by reason
    complaint_items(actor, moment)


def finance() -> None:
    fees, total = agenda.fees_to_settle(engine(), actor)
    to_settle = {"fee": "True"}  # the work-order list filtered by the same condition (core fee_to_settle)
    tiles([("mywork.fees_open", fees.total, WORK_ORDERS, to_settle),
           ("mywork.fees_sum", cell_formats()["money"](total), WORK_ORDERS, to_settle)])
    wo_work.finance_week(actor, moment)  # WO-8: this week's paid orders to sign off
    heading("mywork.fees_list")
    items(fees, WORK_ORDERS, lambda r: [r["number"], r["customer"], cell_formats()["money"](r["fee_cents"])])


def admin() -> None:
    heading("mywork.admin")
    for page, key in (("pages/users.py", "nav.users"), ("pages/settings.py", "nav.settings"),
                      ("pages/audit.py", "nav.audit")):
        st.page_link(page=page, label=tr(key), icon=":material/arrow_forward:")


actor = page_guard("my_work")
st.title(tr("nav.my_work"))
moment, tz = clock.now(), office().timezone
st.caption(phrase("mywork.today", day=cell_formats()["date"](office_today(moment, tz))))
{Role.SPECIALIST: specialist, Role.MANAGER: manager, Role.DIRECTOR: director, Role.ENGINEER: engineer,
 Role.FINANCE: finance, Role.ADMIN: admin}[actor.role]()
