"""Work orders: the filtered list with the new-order intake (WO-1), and one order with where it stands, its
fields, what this user may do next (WO-3..WO-8) and its history."""

import streamlit as st

from core.permissions import Action, allowed
from core.work_orders.queries import WorkOrderFilter, list_work_orders, technicians, work_order_detail
from db.enums import Role, ServiceType, WorkOrderStatus
from ui import listing
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.detail import audit_history, history
from ui.new_work_order_form import new_work_order_form
from ui.wo_record import show_record, stage

COLUMNS = {  # what a phone shows without scrolling first: which order, whose, where it stands, what is next
    "number": ("wo.number", "text"), "customer": ("wo.customer", "text"), "status": ("wo.status", "enum"),
    "next": ("wo.ui.next_step", "text"),
    "technician": ("wo.technician", "text"), "intake_at": ("wo.intake_at", "datetime"),
    "service_type": ("wo.service_type", "enum"), "pending_reason": ("wo.pending_reason", "enum"),
    "phone": ("wo.phone", "phone"), "completed_at": ("wo.completed_at", "datetime"), "fee_cents": ("wo.fee", "money"),
}
SORTS = {name: COLUMNS[name][0] for name in ("number", "customer", "status", "technician", "intake_at",
                                             "service_type", "completed_at", "fee_cents")}


def order_list(actor) -> None:
    techs = technicians(engine())
    mine = actor.id if actor.role == Role.ENGINEER and actor.id in techs else None  # an engineer's own orders
    if allowed(actor.role, Action.CREATE_WORK_ORDER):
        with st.expander(tr("wo.intake.title")):
            new_work_order_form(actor, listing.open_record)
    with listing.filters("status", "type", "who", "intake", "fee"):
        c1, c2 = st.columns(2)
        with c1:
            statuses = listing.enum_filter("wo.status", WorkOrderStatus, "status")
            # an engineer reads only their own orders: no technician to choose (core.work_orders.queries.readable)
            tech = mine if mine else listing.person_filter("wo.technician", techs, "who")
        with c2:
            types = listing.enum_filter("wo.service_type", ServiceType, "type")
            start, end = listing.date_range("wo.intake_range", "intake")
        on_change, args = listing.bind(listing.choice("fee", (False, True), False))
        fee_open = st.toggle(tr("wo.only_fee_open"), key="fee", help=tr("wo.only_fee_open_help"),
                             on_change=on_change, args=args)
    search, sort = listing.search_and_sort("wo.search_hint", SORTS, "wo.sort_default", by_index=True)
    flt = WorkOrderFilter(statuses, types, tech, start, end, search, fee_open)
    listing.listed(lambda n, size: list_work_orders(engine(), actor, flt, office().timezone, n, size, sort), COLUMNS,
                   lambda rows: [r | {"next": tr(f"wo.ui.step.{stage(r)}")} for r in rows], export="work_orders")


def show_order(actor, order_id: int) -> None:
    detail = work_order_detail(engine(), actor, order_id)
    if detail is None:
        listing.not_found()
        return
    show_record(actor, detail)
    history(detail["events"], "wo", steps="wo.moves.done")
    audit_history(actor, "work_order", order_id)


actor = page_guard("work_orders")
st.title(tr("nav.work_orders"))
listing.list_or_record(lambda: order_list(actor), lambda chosen: show_order(actor, chosen))
