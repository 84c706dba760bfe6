"""Customers: the archive list and one customer's whole history (C-1..C-4)."""

import streamlit as st

from core.customers.queries import CustomerFilter, customer_detail, list_customers, specialists
from core.permissions import Action, allowed
from db.enums import ArchiveValidity, CustomerGrade
from ui import customer_timeline, listing
from ui.auth import page_guard
from ui.context import engine, office, tr
from ui.customer_form import customer_edit_form
from ui.detail import audit_history, fields
from ui.new_complaint_form import new_complaint_form
from ui.new_customer_form import new_customer_form
from ui.new_work_order_form import new_work_order_form
from ui.owned_forms import new_contact_form, new_product_form, product_details_form
from ui.product_dates_form import product_dates_form
from ui.text import heading, phrase, plain
from ui.widgets import table

CARD_FIELDS = {
    "code": "text", "name": "text", "is_company": "bool", "phone": "phone", "email": "text", "address": "text",
    "city": "text", "birthday": "date", "source_channel": "enum", "grade": "enum", "validity": "enum",
    "specialist": "text", "notes": "text", "created_at": "datetime", "updated_at": "datetime",
}
CONTACT_COLUMNS = {"name": ("cu.contact_name", "text"), "title": ("cu.contact_title", "text"),
                   "phone": ("cu.phone", "phone"), "email": ("cu.email", "text"), "primary": ("cu.primary", "text")}
HISTORY_COLUMNS = {
    "products": {"order_no": ("cu.order_no", "text"), "model": ("cu.model", "text"), "spec": ("cu.spec", "text"),
                 "serial_no": ("cu.serial_no", "text"), "purchase_date": ("cu.purchase_date", "date"),
                 "effective_date": ("cu.effective_date", "date"), "delivery_date": ("cu.delivery_date", "date"),
                 "place": ("cu.place", "text"), "usage": ("cu.usage", "text")},
}


def related(rows: list[dict], columns: dict, total: int) -> None:
    """One related list of the customer: its newest rows and, when cut short, how many there are in all."""
    if not rows:
        st.caption(tr("cu.nothing_yet"))
        return
    table(rows, columns)
    if total > len(rows):
        st.caption(phrase("cu.showing", shown=len(rows), total=total))


COLUMNS = {  # what a phone shows without scrolling first: who, how to reach them, their grade
    "name": ("cu.name", "text"), "phone": ("cu.phone", "phone"), "grade": ("cu.grade", "enum"),
    "validity": ("cu.validity", "enum"), "code": ("cu.code", "text"), "city": ("cu.city", "text"),
    "specialist": ("cu.specialist", "text"), "created_at": ("cu.created_at", "datetime"),
}
SORTS = {name: COLUMNS[name][0] for name in ("name", "code", "grade", "validity", "city", "specialist",
                                             "created_at")}


def new_customer(actor) -> None:
    """C-1: a new customer, above the list; once saved, its record opens."""
    if not allowed(actor.role, Action.EDIT_CUSTOMER):
        return
    with st.expander(tr("cu_new.title")):
        made = new_customer_form(actor)
    if made:
        st.query_params["id"] = str(made["id"])
        st.rerun()


def customer_list(actor) -> None:
    new_customer(actor)
    people = specialists(engine())
    with listing.filters("grade", "validity", "who", "created"):
        c1, c2 = st.columns(2)
        with c1:
            grades = listing.enum_filter("cu.grade", CustomerGrade, "grade")
            specialist = listing.person_filter("cu.specialist", people, "who")
        with c2:
            validities = listing.enum_filter("cu.validity", ArchiveValidity, "validity")
            start, end = listing.date_range("cu.created_range", "created")
    search, sort = listing.search_and_sort("search.list_hint", SORTS, "list.newest_first", by_index=True)
    flt = CustomerFilter(grades, validities, specialist, start, end, search)
    listing.listed(lambda n, size: list_customers(engine(), actor, flt, office().timezone, n, size, sort), COLUMNS,
                   export="customers")


def show_customer(actor, customer_id: int) -> None:
    detail = customer_detail(engine(), actor, customer_id)
    if detail is None:
        listing.not_found()
        return
    st.subheader(plain(f"{detail['customer']['code']} · {detail['customer']['name']}"))
    fields(detail["customer"], "cu", CARD_FIELDS)
    customer_timeline.archive_box(actor, customer_id)  # C-5: complete since when, on time, what is missing
    if allowed(actor.role, Action.EDIT_CUSTOMER):
        with st.expander(tr("cu.correct")):
            customer_edit_form(actor, detail["customer"])
    if allowed(actor.role, Action.REGISTER_COMPLAINT):
        with st.expander(tr("cp.new.title")):
            new_complaint_form(actor, customer_id=customer_id)  # CP-1: for this customer
    if allowed(actor.role, Action.CREATE_WORK_ORDER):
        with st.expander(tr("wo.intake.title")):
            new_work_order_form(actor, customer_id=customer_id)  # WO-1: for this customer
    audit_history(actor, "customer", customer_id)
    heading("cu.contacts")
    yes = tr("common.yes")
    contacts = [c | {"primary": yes if c["is_primary"] else ""} for c in detail["contacts"]]
    related(contacts, CONTACT_COLUMNS, len(contacts))
    editor = allowed(actor.role, Action.EDIT_CUSTOMER)
    if editor:
        with st.expander(tr("owned.title_contact")):
            new_contact_form(actor, customer_id)
    products = detail["products"]
    history_tab, products_tab = st.tabs([tr("tl.tab"), phrase("cu.tab_products", total=products.total)])
    with history_tab:  # C-4: every callback, call, complaint, work order, lead and incoming call, newest first
        customer_timeline.timeline(actor, customer_id)
    with products_tab:
        related(products.rows, HISTORY_COLUMNS["products"], products.total)
        if editor:
            with st.expander(tr("owned.title_product")):
                new_product_form(actor, customer_id)  # C-1, C-5: what the archive's list asks for
        if products.rows and editor:
            with st.expander(tr("product_form.title")):
                product_dates_form(actor, products.rows)
            with st.expander(tr("owned.title_details")):
                product_details_form(actor, products.rows)


actor = page_guard("customers")
st.title(tr("nav.customers"))
if allowed(actor.role, Action.IMPORT_CUSTOMERS):  # C-1: the office's spreadsheets come in through the wizard
    st.page_link("pages/imports.py", label=tr("import_ui.open"), icon=":material/upload_file:")
listing.list_or_record(lambda: customer_list(actor), lambda chosen: show_customer(actor, chosen))
