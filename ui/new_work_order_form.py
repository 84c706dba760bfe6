"""A new work order (WO-1, WO-2, WO-6 sender's side), taken in on the Work orders page, on a customer's page or
from an incoming call. Two steps: the order typed (the customer searched in the archive or fixed by the page,
one of their products, contact, phone and address prefilled from the archive and editable, what to repair,
the service type with "paid" following it), then read back: the order shown as it will be sent, as plain
text, and sent only once the specialist confirms they read it back to the customer. Back to edit keeps what
was typed; nothing is saved before Send. The form only collects: core.work_orders checks and writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from core.complaints.intake import intake_customer, intake_customers, intake_products
from core.i18n import enum_label
from core.permissions import Action, Actor, allowed
from core.phones import grouped
from core.work_orders.flow import is_paid
from core.work_orders.rules import ADDRESS_MAX, CONTACT_MAX, PHONE_MAX, REQUEST_MAX, NewWorkOrder, check_intake
from core.work_orders.services import intake_defaults, take_in
from db.enums import ServiceType
from ui import clock
from ui.context import engine, lang, office, tr
from ui.detail import fields
from ui.feedback import FLASH, MARK, FieldMarks, required_legend
from ui.text import phrase

RECORD_PAGE = "pages/work_orders.py"
CREATE = Action.CREATE_WORK_ORDER
STAGE = "nw_stage"  # "edit", or "read_back" once every field passed the intake checks
DRAFT = "nw_draft"  # what was typed, kept while the read-back step hides the edit widgets
FILLED_FOR = "nw_filled_for"  # the (customer, product) the contact, phone and address were prefilled from
DRAFT_OF = "nw_draft_of"  # where the request's draft came from (an incoming call)
PLACE = "nw_place"  # the (origin, fixed customer) the typed order and its read-back belong to
TYPED = ("nw_search", "nw_customer", "nw_product", "nw_contact", "nw_phone", "nw_address", "nw_request", "nw_type")
READ_BACK = {"customer": "text", "product": "text", "contact_name": "text", "phone": "text", "address": "text",
             "request": "text", "service_type": "text"}


def _customer_label(c: dict | None) -> str:
    if not c:
        return "?"
    return " · ".join(str(v) for v in (c["name"], c["code"], grouped(c["phone"], office().phone_region)) if v)


def _product_label(p: dict | None) -> str:
    if p is None:
        return tr("wo.intake.no_product")
    return " · ".join(str(v) for v in (p["model"], p["order_no"], p["serial_no"]) if v)


def _customer(actor: Actor, fixed: int | None, marks: FieldMarks) -> int | None:
    """WO-1: the customer is chosen from the archive (searched), or fixed by the page the form is on."""
    if fixed is not None:
        found = intake_customer(engine(), actor, fixed, CREATE)
        st.markdown(phrase("wo.intake.for_customer", customer=_customer_label(found)))
        return fixed
    text = st.text_input(tr("wo.intake.search"), key="nw_search", max_chars=100, placeholder=tr("search.picker_hint"))
    matches = {c["id"]: c for c in intake_customers(engine(), actor, text, CREATE)}
    if st.session_state.get("nw_customer") not in matches:
        st.session_state.pop("nw_customer", None)  # a choice the new search no longer lists
    chosen = st.selectbox(tr("wo.customer") + tr(MARK), list(matches), index=None, key="nw_customer",
                          format_func=lambda i: _customer_label(matches[i]),
                          placeholder=tr("wo.intake.pick_customer" if matches else "wo.intake.search_first"))
    marks.under("customer_id", "nw_search", "nw_customer")
    return chosen


def _product(actor: Actor, customer_id: int | None, marks: FieldMarks) -> tuple[int | None, dict]:
    """One of the customer's products (or none); another customer's product is never kept."""
    products = {p["id"]: p for p in intake_products(engine(), actor, customer_id, CREATE)} if customer_id else {}
    if st.session_state.get("nw_product") not in products:
        st.session_state.pop("nw_product", None)
    chosen = st.selectbox(tr("wo.intake.product"), [None, *products], key="nw_product",
                          format_func=lambda i: _product_label(products.get(i)))
    marks.under("product_id", "nw_product")
    return chosen, products


def _prefill(actor: Actor, customer_id: int | None, product_id: int | None) -> None:
    """WO-1: contact, phone and address come from the archive when the customer or product changes."""
    if customer_id is None or st.session_state.get(FILLED_FOR) == (customer_id, product_id):
        return
    st.session_state[FILLED_FOR] = (customer_id, product_id)
    found = intake_defaults(engine(), actor, customer_id, product_id)
    for key, field in (("nw_contact", "contact_name"), ("nw_phone", "phone"), ("nw_address", "address")):
        value = found.get(field) or ""
        st.session_state[key] = grouped(value, office().phone_region) if field == "phone" else value


def _contact(marks: FieldMarks) -> tuple[str, str, str]:
    contact = st.text_input(tr("wo.contact_name") + tr(MARK), key="nw_contact", max_chars=CONTACT_MAX)
    marks.under("contact_name", "nw_contact")
    phone = st.text_input(tr("wo.phone") + tr(MARK), key="nw_phone", max_chars=PHONE_MAX)
    marks.under("phone", "nw_phone")
    address = st.text_input(tr("wo.address") + tr(MARK), key="nw_address", max_chars=ADDRESS_MAX)
    marks.under("address", "nw_address")
    return contact, phone, address


def _request(marks: FieldMarks) -> tuple[str, ServiceType | None]:
    """What to repair (specific: the hint is an example of a good one) and the type, paid following it."""
    lg = lang()
    request = st.text_area(tr("wo.request") + tr(MARK), key="nw_request", max_chars=REQUEST_MAX,
                           placeholder=tr("wo.intake.request_hint"))
    marks.under("request", "nw_request")
    kind = st.radio(tr("wo.service_type") + tr(MARK), list(ServiceType), index=None, key="nw_type",
                    format_func=lambda m: enum_label(m, lg))
    marks.under("service_type", "nw_type")
    if kind is not None:
        st.caption(tr("wo.intake.paid") if is_paid({"service_type": kind}) else tr("wo.intake.not_paid"))
    return request, kind


def _to_read_back(data: NewWorkOrder, names: dict, marks: FieldMarks) -> None:
    """Every field checked at once (WO-1, WO-6) before the read-back; what was typed is kept as the draft (the
    read-back step does not draw the edit widgets, so Streamlit forgets their values)."""
    if marks.attempt(lambda: check_intake(replace(data, read_back=True))) is None:
        return
    typed = {key: st.session_state.get(key) for key in TYPED}
    st.session_state[DRAFT] = {"data": data, "names": names, "typed": typed}
    st.session_state[STAGE] = "read_back"
    st.session_state.pop("nw_read_back", None)
    st.rerun()


def _back() -> None:
    """Back to edit: the typed values return to their widgets (a callback: before they are drawn)."""
    for key, value in (st.session_state.get(DRAFT) or {}).get("typed", {}).items():
        if value is not None:
            st.session_state[key] = value
    st.session_state[STAGE] = "edit"


def _reset() -> None:
    for key in (*TYPED, STAGE, DRAFT, FILLED_FOR, "nw_read_back"):
        st.session_state.pop(key, None)


def _at(place: tuple) -> None:
    """The session's keys are shared by every page: an order typed or read back elsewhere (another page,
    another customer's page, another incoming call) is dropped, so a read-back never shows, and Send never
    creates, an order other than the one this page is for."""
    if st.session_state.get(PLACE) != place:
        _reset()
        st.session_state.pop(DRAFT_OF, None)
        st.session_state[PLACE] = place


def _send(actor: Actor, data: NewWorkOrder, marks: FieldMarks, opened: Callable[[int], None]) -> None:
    now = clock.now()
    result = marks.attempt(lambda: take_in(engine(), actor, data, office(), now))
    if result is not None:
        _reset()
        st.session_state[FLASH] = phrase("wo.intake.saved", number=result["number"])
        opened(result["id"])  # reruns on the order: it does not return


def _read_back(actor: Actor, data: NewWorkOrder, names: dict, marks: FieldMarks,
               opened: Callable[[int], None]) -> None:
    """WO-1: the order as it will be sent, read back to the customer before it is sent."""
    st.info(tr("wo.intake.read_back_intro"))
    kind = enum_label(data.service_type, lang())
    paid = tr("wo.intake.paid") if is_paid({"service_type": data.service_type}) else tr("wo.intake.not_paid")
    shown = names | {"contact_name": data.contact_name, "phone": data.phone,
             "address": data.address, "request": data.request, "service_type": f"{kind} · {paid}"}
    fields(shown, "wo.intake.rb", READ_BACK)
    confirmed = st.checkbox(tr("wo.intake.read_back_done") + tr(MARK), key="nw_read_back")
    marks.under("read_back", "nw_read_back")
    left, right = st.columns(2)
    right.button(tr("wo.intake.back"), key="nw_back", on_click=_back, icon=":material/edit:")
    if left.button(tr("wo.intake.send"), type="primary", key="nw_send"):
        _send(actor, replace(data, read_back=confirmed), marks, opened)


def _draft(origin: object, draft: str) -> None:
    """An incoming call's need starts the request once (not over what the user has typed since)."""
    if draft and st.session_state.get(DRAFT_OF) != origin:
        st.session_state[DRAFT_OF] = origin
        st.session_state["nw_request"] = draft[:REQUEST_MAX]


def to_record(order_id: int) -> None:
    """Open the work order's record page (from a page other than the Work orders page)."""
    st.switch_page(RECORD_PAGE, query_params={"id": str(order_id)})


def _typed(actor: Actor, customer_id: int | None, marks: FieldMarks) -> tuple[NewWorkOrder, dict]:
    """The edit step: the order as typed, and how the read-back names its customer and product."""
    chosen = _customer(actor, customer_id, marks)
    product, products = _product(actor, chosen, marks)
    _prefill(actor, chosen, product)
    contact, phone, address = _contact(marks)
    request, kind = _request(marks)
    found = intake_customer(engine(), actor, chosen, CREATE) if chosen else None
    names = {"customer": _customer_label(found), "product": _product_label(products.get(product))}
    return NewWorkOrder(chosen, product, contact, phone, address, request, kind), names


def new_work_order_form(actor: Actor, opened: Callable[[int], None] = to_record, customer_id: int | None = None,
                        draft: str = "", origin: object = None) -> None:
    """WO-1 intake for CREATE_WORK_ORDER (specialist, manager); `customer_id` fixes the customer, `draft`
    starts the request; `opened(id)` shows the saved order."""
    if not allowed(actor.role, CREATE):
        return
    _at((origin, customer_id))
    marks = FieldMarks("new_work_order")
    if st.session_state.get(STAGE) == "read_back":
        kept = st.session_state[DRAFT]
        _read_back(actor, kept["data"], kept["names"], marks, opened)
        return
    _draft(origin, draft)
    data, names = _typed(actor, customer_id, marks)
    st.caption(phrase("wo.intake.taken_by", name=actor.display_name))
    required_legend()
    if st.button(tr("wo.intake.to_read_back"), type="primary", key="nw_next"):
        _to_read_back(data, names, marks)
