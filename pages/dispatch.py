"""Dispatch (WO-3): the orders taken in and not yet dispatched, those carried over from an earlier day first,
then the oldest, each with the minutes it has waited (red past the office's target); the technician chosen
from the active engineers, each shown with their open orders; dispatching records who and when (the flow's
DISPATCH move). Below, each technician's load."""

import streamlit as st

from core.work_orders import board, services
from core.work_orders.flow import Move
from core.work_orders.steps import MoveInput
from ui import clock, feedback
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.text import Markdown, heading, joined, phrase, plain
from ui.widgets import cell_formats, table
from ui.wo_moves import technician_choices

LOAD_COLUMNS = {"name": ("wo.board.name", "text"), "to_receive": ("wo.board.to_receive", "text"),
                "working": ("wo.board.working", "text"), "pending": ("wo.board.pending", "text"),
                "open": ("wo.board.open", "text")}


def dispatch(order: dict) -> None:
    """The DISPATCH move with the technician chosen on the order's card (run before the page redraws)."""
    technician_id = st.session_state.get(f"tech_{order['id']}")
    done = feedback.attempt_in_callback(lambda: services.apply_move(
        engine(), actor, order["id"], order["version"], Move.DISPATCH, MoveInput(technician_id=technician_id),
        office(), clock.now()))
    if done is not None:
        st.session_state[feedback.FLASH] = phrase("wo.board.dispatched", number=order["number"],
                                                  technician=names.get(technician_id, ""))


def waiting(order: dict) -> Markdown:
    text = phrase("wo.board.waiting", minutes=order["minutes"])
    late = Markdown(f":red[**{text}**]") if order["late"] else text
    return joined([late, phrase("wo.board.carried_over")], " · ") if order["carried_over"] else late


def card(order: dict) -> None:
    with st.container(border=True):
        st.markdown(joined([order["number"], order["customer"], cell_formats()["enum"](order["service_type"])], " · "))
        st.markdown(plain(waiting(order)))
        st.caption(plain(order["request"]))
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox(tr("wo.board.technician"), list(names), key=f"tech_{order['id']}", index=least_loaded,
                       format_func=lambda tid: choices[tid])
        right.button(tr("wo.board.dispatch"), key=f"dispatch_{order['id']}", on_click=dispatch, args=(order,),
                     type="primary", icon=":material/send:")


actor = page_guard("dispatch")
st.title(tr("nav.dispatch"))
feedback.show_flash()
feedback.show_refusal()
loads = board.technician_loads(engine(), actor)
names = {r["id"]: r["name"] for r in loads}
choices = technician_choices(actor)
least_loaded = min(range(len(loads)), key=lambda i: loads[i]["open"], default=0)  # the choice offered first
heading("wo.board.title")
st.caption(phrase("wo.board.caption", minutes=office().get("work_order.dispatch_target_minutes")))
board_page = board.dispatch_board(engine(), actor, office(), clock.now())
orders = board_page.rows
if board_page.total > len(orders):
    st.caption(phrase("wo.scope.board_showing", shown=len(orders), total=board_page.total))
if not orders:
    st.info(tr("wo.board.empty"))
elif not loads:
    st.warning(tr("wo.board.no_technicians"))
for order in orders if loads else []:
    card(order)
heading("wo.board.loads")
table(loads, LOAD_COLUMNS)
