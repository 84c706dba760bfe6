"""A new complaint (CP-1), taken in on the Complaints page, on a customer's page or from an incoming call:
the customer searched in the archive (or fixed by the page it is opened from), one of their products or
none, the order number (from the product, editable), channel, severity, a specific defect description,
quantity and defect rate where they apply, and the time it came in today (default: now). Received by is the
signed-in user. Before saving, the customer's open complaints about the same product are shown (the
duplicate guard), with the choice to add this report to one of them as a note or to save it anyway. The
form only collects: core.complaints checks every rule and writes, or refuses and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

from core.complaints.intake import intake_customer, intake_customers, intake_products
from core.complaints.rules import ORDER_MAX, QUANTITY_MAX, TEXT_MAX, NewComplaint, check_intake
from core.complaints.services import add_note, open_duplicates, take_in
from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.permissions import Action, Actor, allowed
from core.phones import grouped
from db.enums import ComplaintChannel, ComplaintSeverity
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, clear_after_save, required_legend
from ui.text import phrase, plain

RECORD_PAGE = "pages/complaints.py"
GUARD = "nc_guard"  # the open complaints found for the customer and product on the last save: {"for", "rows"}
DONE = "nc_done"  # the saved complaint's id and number, said once after the rerun that follows a save
PRESET = "nc_time_preset"  # the time the received-at box was preset to (kept: "now" at save)
DRAFT_OF = "nc_draft_of"  # where the description's draft came from (an incoming call)
EMPTY = {"nc_search": "", "nc_order": "", "nc_channel": None, "nc_description": "", "nc_quantity": None,
         "nc_rate": ""}
DROPPED = ("nc_customer", "nc_severity", "nc_time", PRESET, GUARD)


def _customer_label(c: dict) -> str:
    return " · ".join(str(v) for v in (c["name"], c["code"], grouped(c["phone"], office().phone_region)) if v)


def _product_label(p: dict | None) -> str:
    if p is None:
        return tr("cp.new.no_product")
    return " · ".join(str(v) for v in (p["model"], p["order_no"], p["serial_no"]) if v)


def _customer(actor: Actor, fixed: int | None, marks: FieldMarks) -> int | None:
    """CP-1: the customer is chosen from the archive (searched), or fixed by the page the form is on."""
    if fixed is not None:
        found = intake_customer(engine(), actor, fixed)
        st.markdown(phrase("cp.new.for_customer", customer=_customer_label(found) if found else "?"))
        return fixed
    left, right = st.columns(2)
    text = left.text_input(tr("cp.new.search"), key="nc_search", max_chars=100, placeholder=tr("search.picker_hint"))
    matches = {c["id"]: c for c in intake_customers(engine(), actor, text)}
    if st.session_state.get("nc_customer") not in matches:
        st.session_state.pop("nc_customer", None)  # a choice the new search no longer lists
    chosen = right.selectbox(tr("cp.customer") + tr(MARK), list(matches), index=None, key="nc_customer",
                             format_func=lambda i: _customer_label(matches[i]),
                             placeholder=tr("cp.new.pick_customer" if matches else "cp.new.search_first"))
    marks.under("customer_id", "nc_search", "nc_customer", where=right)
    return chosen


def _prefill_order(key: str, products: dict) -> None:
    """The order number follows the chosen product (still editable)."""
    product = products.get(st.session_state.get(key))
    st.session_state["nc_order"] = (product or {}).get("order_no") or ""


def _product(actor: Actor, customer_id: int | None, marks: FieldMarks) -> tuple[int | None, str]:
    """One of the customer's products (or none) and the order number, prefilled from the product."""
    products = {p["id"]: p for p in intake_products(engine(), actor, customer_id)} if customer_id else {}
    key = f"nc_product_{customer_id or 0}"  # per customer: another customer's product is never kept
    left, right = st.columns(2)
    chosen = left.selectbox(tr("cp.product"), [None, *products], key=key, on_change=_prefill_order,
                            args=(key, products), format_func=lambda i: _product_label(products.get(i)))
    marks.under("product_id", key, where=left)
    order = right.text_input(tr("cp.order_no"), key="nc_order", max_chars=ORDER_MAX)
    marks.under("order_no", "nc_order", where=right)
    return chosen, order


def _received(marks: FieldMarks) -> datetime | None:
    """CP-1 received at: a time today in office time, preset to now; left at the preset it is "now" (None)."""
    tz = ZoneInfo(office().timezone)
    local = clock.now().astimezone(tz)
    if "nc_time" not in st.session_state:
        st.session_state["nc_time"] = st.session_state[PRESET] = local.time().replace(second=0, microsecond=0)
    at: time | None = st.time_input(tr("cp.new.received_time"), key="nc_time", step=300)
    marks.under("received_at", "nc_time")
    if at is None or at == st.session_state.get(PRESET):
        return None
    return datetime.combine(local.date(), at, tzinfo=tz).astimezone(UTC)


def _details(marks: FieldMarks) -> tuple:
    """Channel, severity, description, and the quantity and rate where they apply."""
    lg = lang()
    channel = st.radio(tr("cp.channel") + tr(MARK), list(ComplaintChannel), index=None, horizontal=True,
                       key="nc_channel", format_func=lambda m: enum_label(m, lg))
    marks.under("channel", "nc_channel")
    severity = st.radio(tr("cp.new.severity"), list(ComplaintSeverity), horizontal=True, key="nc_severity",
                        index=list(ComplaintSeverity).index(ComplaintSeverity.NORMAL),
                        format_func=lambda m: enum_label(m, lg))
    marks.under("severity", "nc_severity")
    description = st.text_area(tr("cp.description") + tr(MARK), key="nc_description", max_chars=TEXT_MAX,
                               placeholder=tr("cp.new.description_hint"))
    marks.under("description", "nc_description")
    left, right = st.columns(2)
    quantity = left.number_input(tr("cp.defect_quantity"), min_value=1, max_value=QUANTITY_MAX, value=None, step=1,
                                 key="nc_quantity")
    marks.under("defect_quantity", "nc_quantity", where=left)
    rate = right.text_input(tr("cp.new.defect_rate"), key="nc_rate", max_chars=16, placeholder="2.5")
    marks.under("defect_rate_pct", "nc_rate", where=right)
    return channel, severity, description, quantity, rate


def _reset() -> None:
    """After a save the form starts empty on the next run (it cannot be saved twice by mistake)."""
    for key in DROPPED:
        st.session_state.pop(key, None)
    clear_after_save(EMPTY)


def _saved(result: dict, channel, opened: Callable[[int], None]) -> None:
    """A saved complaint is said with its number and a link to it; a return of goods opens at once (its
    returned goods are recorded next, on the record)."""
    _reset()
    if channel == ComplaintChannel.RETURN:
        st.session_state[FLASH] = phrase("cp.new.saved", number=result["number"])
        opened(result["id"])  # reruns on the record: it does not return
    st.session_state[DONE] = result
    st.rerun()


def _take_in(actor: Actor, data: NewComplaint, marks: FieldMarks, opened: Callable[[int], None]) -> None:
    now = clock.now()
    result = marks.attempt(lambda: take_in(engine(), actor, data, office(), now))
    if result is not None:
        _saved(result, data.channel, opened)


def _noted(actor: Actor, row: dict, data: NewComplaint, marks: FieldMarks) -> None:
    """CP-1 duplicate guard: the report is added to the open complaint's history, no second complaint."""
    now = clock.now()
    if marks.attempt(lambda: add_note(engine(), actor, row["id"], data.description, now) or True):
        _reset()
        st.session_state[FLASH] = phrase("cp.new.noted", number=row["number"])
        st.rerun()


def _guard(actor: Actor, data: NewComplaint, marks: FieldMarks, opened: Callable[[int], None]) -> None:
    """CP-1: the customer's open complaints about this product, found on the last save, each offered to take
    this report as a note; or the new complaint saved anyway. Gone when the customer or product changes."""
    guard = st.session_state.get(GUARD)
    if not guard or guard["for"] != (data.customer_id, data.product_id):
        st.session_state.pop(GUARD, None)
        return
    lg, tz = lang(), office().timezone
    st.warning(phrase("cp.new.duplicates", count=len(guard["rows"])))
    for row in guard["rows"]:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(phrase("cp.new.duplicate", number=row["number"], status=enum_label(row["status"], lg),
                             received=fmt_datetime(row["received_at"], lg, tz)))
        left.caption(plain(row["description"]))
        if right.button(phrase("cp.new.add_note", number=row["number"]), key=f"nc_note_{row['id']}"):
            _noted(actor, row, data, marks)
    if st.button(tr("cp.new.save_anyway"), key="nc_anyway"):
        _take_in(actor, data, marks, opened)


def _submit(actor: Actor, data: NewComplaint, marks: FieldMarks, opened: Callable[[int], None]) -> None:
    """Every field checked at once first (CP-1); then the duplicate guard, or the complaint is saved."""
    now = clock.now()
    if marks.attempt(lambda: check_intake(data, now, office().timezone)) is None:
        st.session_state.pop(GUARD, None)
        return
    found = open_duplicates(engine(), actor, data.customer_id, data.product_id)
    if found:
        st.session_state[GUARD] = {"for": (data.customer_id, data.product_id), "rows": found}
        return
    _take_in(actor, data, marks, opened)


def _done(opened: Callable[[int], None]) -> None:
    """The complaint saved on the last run: its number, and the way to it (a button, not a page link: a link
    to the page one is on drops its query parameters in the browser, so ?id= would never arrive)."""
    done = st.session_state.get(DONE)
    if done:
        st.success(phrase("cp.new.saved", number=done["number"]))
        if st.button(phrase("cp.new.open", number=done["number"]), icon=":material/open_in_new:", key="nc_open"):
            st.session_state.pop(DONE, None)
            opened(done["id"])


def _draft(origin: object, draft: str) -> None:
    """An incoming call's notes start the description once (not over what the user has typed since)."""
    if draft and st.session_state.get(DRAFT_OF) != origin:
        st.session_state[DRAFT_OF] = origin
        st.session_state["nc_description"] = draft[:TEXT_MAX]


def to_record(complaint_id: int) -> None:
    """Open the complaint's record page (from a page other than the Complaints page)."""
    st.switch_page(RECORD_PAGE, query_params={"id": str(complaint_id)})


def new_complaint_form(actor: Actor, opened: Callable[[int], None] = to_record, customer_id: int | None = None,
                       draft: str = "", origin: object = None) -> None:
    """CP-1 intake for REGISTER_COMPLAINT (specialist, manager); `customer_id` fixes the customer, `draft`
    starts the description; `opened(id)` shows a new return of goods. All refused fields at once."""
    if not allowed(actor.role, Action.REGISTER_COMPLAINT):
        return
    marks = FieldMarks("new_complaint")
    _done(opened)
    _draft(origin, draft)
    chosen = _customer(actor, customer_id, marks)
    product, order = _product(actor, chosen, marks)
    channel, severity, description, quantity, rate = _details(marks)
    received = _received(marks)
    st.caption(phrase("cp.new.received_by", name=actor.display_name))
    required_legend()
    data = NewComplaint(chosen, channel, description, product, order, quantity, rate, severity, received)
    if st.button(tr("cp.new.save"), type="primary", key="nc_save"):
        _submit(actor, data, marks, opened)
    _guard(actor, data, marks, opened)
