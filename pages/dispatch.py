"""Dispatch (WO-3): the orders taken in and not yet dispatched, those carried over from an earlier day first,
then the oldest, each with how long it has waited (red past the office's target); the technician chosen
from the active engineers, each shown with their open orders; dispatching records who and when (the flow's
DISPATCH move). Below, each technician's load."""

import streamlit as st

from core.errors import DomainError, StaleEdit
from core.work_orders import board, queries, services
from core.work_orders.flow import Move
from core.work_orders.steps import MoveInput
from db.enums import WorkOrderStatus
from ui import clock, feedback
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.text import Markdown, heading, joined, phrase, plain
from ui.widgets import cell_formats, table
from ui.wo_moves import technician_choices

LOAD_COLUMNS = {"name": ("wo.board.name", "text"), "to_receive": ("wo.board.to_receive", "text"),
                "working": ("wo.board.working", "text"), "pending": ("wo.board.pending", "text"),
                "open": ("wo.board.open", "text")}


DONE = "_dispatched"  # the last dispatch's outcome, shown in the page (a toast alone is lost to a second click)


def dispatch(order: dict) -> None:
    """The DISPATCH move with the technician chosen on the order's card (run before the page redraws). A second
    click on the same card says the order was already dispatched, and by whom, rather than a bare conflict."""
    technician_id = st.session_state.get(f"tech_{order['id']}")
    try:
        services.apply_move(engine(), actor, order["id"], order["version"], Move.DISPATCH,
                            MoveInput(technician_id=technician_id), office(), clock.now())
    except DomainError as err:
        if isinstance(err, StaleEdit) and already_dispatched(order["id"]):
            st.session_state[DONE] = ("info", phrase("wo.fin2.already_dispatched", number=order["number"],
                                                     who=err.params.get("who", "?")))
        else:
            st.session_state[feedback.REFUSED] = feedback.message_of(err)
        return
    except Exception as exc:  # a callback runs before the entry script's guard: the database's state said here
        if not feedback.kept_database_trouble(exc):
            raise
        return
    st.session_state[DONE] = ("success", phrase("wo.board.dispatched", number=order["number"],
                                                technician=names.get(technician_id, "")))


def already_dispatched(order_id: int) -> bool:
    return (queries.work_order_detail(engine(), actor, order_id) or {}).get("status") != WorkOrderStatus.NEW


def show_outcome() -> None:
    kind, message = st.session_state.pop(DONE, (None, None))
    if kind:
        (st.success if kind == "success" else st.info)(plain(message))


def wait_text(minutes: int) -> str:
    """A wait as people read it: days and hours, hours and minutes, or minutes."""
    days, rest = divmod(max(int(minutes), 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return tr("wo.fin2.wait_days", days=days, hours=hours)
    return tr("wo.fin2.wait_hours", hours=hours, minutes=mins) if hours else tr("wo.fin2.wait_minutes", minutes=mins)


def waiting(order: dict) -> Markdown:
    text = phrase("wo.board.waiting", wait=wait_text(order["minutes"]))
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
show_outcome()
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
