"""The call screen: the callback I claimed (CB-1), its customer (C-2, C-3, C-4), the call script for its
kind (CB-10) and the form that records the call (CB-5..CB-9); after recording or releasing, back to the
queue (a recorded re-check opens there, where its finding is sent to the specialist, CB-4). The claimed
callback's id is kept in st.session_state["call_id"] by the Callbacks page."""


import streamlit as st

from core.callbacks.flow import holds
from core.callbacks.queries import callback_detail, my_claimed_call
from core.callbacks.script import prompts, purpose_key
from core.callbacks.services import record_call, release
from core.customers.queries import customer_detail
from core.i18n import enum_label
from db.enums import CallbackKind
from ui import clock
from ui.auth import page_guard
from ui.call_form import FORM, call_form, outcome_choice, result_message
from ui.context import engine, lang, tr
from ui.detail import fields
from ui.feedback import FLASH, FieldMarks, attempt
from ui.text import heading, phrase
from ui.widgets import cell_formats, table

CALL_KEY = "call_id"
QUEUE = "pages/callbacks.py"
CUSTOMER_FIELDS = {"code": "text", "name": "text", "phone": "phone", "email": "text", "grade": "enum",
                   "validity": "enum"}
RECENT = 3
HISTORY = {
    "products": {"model": ("cu.model", "text"), "spec": ("cu.spec", "text"), "serial_no": ("cu.serial_no", "text"),
                 "delivery_date": ("cu.delivery_date", "date"), "usage": ("cu.usage", "text")},
    "callbacks": {"kind": ("cu.cb_kind", "enum"), "status": ("cu.status", "enum"), "due_end": ("cu.cb_due", "datetime"),
                  "last_outcome": ("cu.cb_outcome", "enum")},
    "complaints": {"number": ("cu.cp_number", "text"), "status": ("cu.status", "enum"),
                   "received_at": ("cu.cp_received", "datetime")},
    "work_orders": {"number": ("cu.wo_number", "text"), "status": ("cu.status", "enum"),
                    "intake_at": ("cu.wo_intake", "datetime"), "completed_at": ("cu.completed_at", "datetime")},
}
TITLES = {"products": "callscreen.products", "callbacks": "callscreen.recent_callbacks",
          "complaints": "callscreen.recent_complaints", "work_orders": "callscreen.recent_work_orders"}



def back_to_queue(message: str | None = None, opened: int | None = None) -> None:
    """Back to the queue; `opened` opens that callback there (a recorded re-check, to send its finding)."""
    st.session_state.pop(CALL_KEY, None)
    if message:
        st.session_state[FLASH] = message
    st.switch_page(QUEUE, query_params={"id": str(opened)} if opened else None)


def customer_card(actor, customer_id: int) -> None:
    """C-2 grade, C-3 validity, and the newest few of the customer's products and history (C-4)."""
    detail = customer_detail(engine(), actor, customer_id, limit=RECENT)
    heading("callscreen.customer")
    fields(detail["customer"], "cb.cust", CUSTOMER_FIELDS)
    for name, columns in HISTORY.items():
        related = detail[name]
        st.caption(tr(TITLES[name]))
        if not related.rows:
            st.caption(tr("callscreen.nothing_yet"))
            continue
        table(related.rows, columns)
        if related.total > len(related.rows):
            st.caption(phrase("callscreen.showing", shown=len(related.rows), total=related.total))


def script(kind) -> None:
    """CB-10: the prompts as a checklist for the specialist's own use; nothing is stored."""
    heading("callscreen.script_title")
    st.caption(tr("callscreen.script_hint"))
    for i, key in enumerate(prompts(kind)):
        st.checkbox(tr(key), key=f"call_script_{i}")


def purpose(cb: dict, order: dict | None) -> str:
    """What the call is for: a progress call says its order's current state and reason in the user's
    language (WO-11); any other call its own purpose, or its kind's."""
    if order is None:
        return cb["purpose"] or tr(purpose_key(cb["kind"]))
    status = enum_label(order["status"], lang())
    if order["pending_reason"] is None:
        return tr("wo.progress.purpose", number=order["number"], status=status)
    return tr("wo.progress.purpose_reason", number=order["number"], status=status,
              reason=enum_label(order["pending_reason"], lang()))


def header(cb: dict, order: dict | None) -> None:
    when = cell_formats()["datetime"]
    st.subheader(enum_label(cb["kind"], lang()) + " · " + enum_label(cb["level"], lang()))
    fields({"purpose": purpose(cb, order)}, "cb", {"purpose": "text"})
    st.caption(phrase("callscreen.due", start=when(cb["due_start"]), end=when(cb["due_end"])))
    st.caption(phrase("callscreen.attempts", count=cb["attempts_count"]))


def record(actor, cb: dict, marks: FieldMarks) -> None:
    heading("callscreen.record")
    outcome = outcome_choice(marks)
    if outcome is None:
        st.info(tr("callscreen.outcome_hint"))
        return
    build = call_form(cb["kind"], cb["level"], outcome, marks)
    if build is None:
        return

    def run():
        now = clock.now()
        call = build(now)
        return call, record_call(engine(), actor, cb["id"], call, now)

    done = marks.attempt(run)
    if done is not None:
        call, result = done
        recheck = cb["kind"] == CallbackKind.RECHECK  # CB-4: the finding is sent from the callback's detail
        back_to_queue(result_message(result, call), cb["id"] if recheck else None)


actor = page_guard("call")
st.title(tr("nav.call"))

call_id = st.session_state.get(CALL_KEY) or my_claimed_call(engine(), actor)  # a refresh resumes the call
detail = attempt(lambda: callback_detail(engine(), actor, call_id, clock.now())) if call_id else None
callback = detail["callback"] if detail else None
if callback is None or not holds(callback, actor):
    st.info(tr("callscreen.none"))
    if st.button(tr("callscreen.back"), key="call_back"):
        back_to_queue()
    st.stop()

header(callback, detail["work_order"])
marks = FieldMarks(f"{FORM}_{callback['id']}")
left, right = st.columns([2, 3])  # the script beside the form on a wide screen; stacked on a phone
with left:
    script(callback["kind"])
    customer_card(actor, callback["customer_id"])
with right:
    record(actor, callback, marks)
    if st.button(tr("callscreen.release"), key="call_release"):
        if attempt(lambda: release(engine(), actor, call_id, clock.now()) or True):  # release returns None
            marks.forget()
            back_to_queue(tr("callscreen.released"))
