"""A new customer (C-1, C-2, C-3), typed on the Customers page or for an unknown caller on the incoming-call
register: a person or a company, its contact persons and the products it owns (added and removed one by one).
"Check and save" first looks for likely duplicates (same phone in any spelling, or same name and city): when
there are any they are listed, each a link that opens it, and saving needs a second, conscious click ("it is a
different customer"). The form only collects: core.customers.services checks every field and writes, or
refuses and writes nothing, every message beside its field; the typed input stays on screen."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.clock import office_day
from core.customers.services import create_customer, likely_duplicates
from core.i18n import enum_label
from core.phones import PHONE_MAX, grouped
from db.enums import ArchiveValidity, CustomerGrade, SourceChannel
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, MARK, FieldMarks, attempt, required_legend
from ui.text import joined, phrase

OWN = ("name", "phone", "email", "city", "address")
CONTACT = ("name", "title", "phone", "email")
PRODUCT = ("model", "order_no", "spec", "serial_no", "place", "usage")
DATES = ("purchase_date", "effective_date", "delivery_date")
MUST = {"name", "phone", "model", "order_no", "purchase_date"}
OLDEST = date(1900, 1, 1)


class Keys:
    """The form's session keys, `<prefix><generation>_…`: a save starts a new generation, an empty form."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.base = f"{prefix}{st.session_state.setdefault(f'{prefix}_gen', 0)}"

    def __call__(self, *parts: object) -> str:
        return "_".join((self.base, *map(str, parts)))

    def rows(self, kind: str) -> list[int]:
        return st.session_state.setdefault(self(kind, "rows"), [])


def _add(keys: Keys, kind: str) -> None:
    rows = keys.rows(kind)
    st.session_state[keys(kind, "rows")] = [*rows, max(rows, default=-1) + 1]


def _remove(keys: Keys, kind: str, row: int) -> None:
    st.session_state[keys(kind, "rows")] = [r for r in keys.rows(kind) if r != row]


def _label_key(field: str, contact: bool = False) -> str:
    return "cu." + ("contact_name" if contact and field == "name" else "contact_title" if field == "title" else field)


def _today() -> date:
    return office_day(clock.now(), office().timezone)


def _texts(keys: Keys, marks: FieldMarks, fields: tuple, where: str, row: str, start: dict,
           contact: bool = False) -> dict:
    """Text inputs two to a row, each refusal (core names it `<where><field>`) under its own input (keyed by
    `row`, which stays with a contact or product when one above it is removed)."""
    values = {}
    for i, field in enumerate(fields):
        if i % 2 == 0:
            pair = st.columns(2)
        key = keys(f"{row}{field}")
        extra = {"max_chars": PHONE_MAX, "placeholder": tr("incoming.phone_hint")} if field == "phone" else {}
        extra |= {"help": tr("cu_new.usage_hint")} if field == "usage" else {}
        label = tr(_label_key(field, contact)) + (tr(MARK) if field in MUST else "")
        values[field] = pair[i % 2].text_input(label, value=start.get(field, ""), key=key, **extra)
        marks.under(f"{where}{field}", key, where=pair[i % 2])
    return values


def _own(keys: Keys, marks: FieldMarks, start: dict) -> dict:
    """The customer's own fields; grade starts NORMAL and validity VALID (C-2: a quickly typed customer is
    never a VIP by default, whatever order the enum lists its grades in)."""
    lg = lang()
    company = st.radio(tr("cu_new.kind"), [False, True], horizontal=True, key=keys("company"),
                       format_func=lambda c: tr("cu_new.company" if c else "cu_new.person"))
    values = {"is_company": company} | _texts(keys, marks, OWN, "", "", start)
    left, mid, right = st.columns(3)
    for where, field, start in ((left, "grade", CustomerGrade.NORMAL), (mid, "validity", ArchiveValidity.VALID)):
        enum_cls = type(start)
        options = [m.value for m in enum_cls]
        values[field] = where.selectbox(tr(f"cu.{field}"), options, key=keys(field), index=options.index(start),
                                        format_func=lambda v, e=enum_cls: enum_label(e(v), lg))
        marks.under(field, keys(field), where=where)
    values["source_channel"] = right.selectbox(tr("cu.source_channel"), [None, *(m.value for m in SourceChannel)],
                                               key=keys("source"), format_func=lambda v: "—" if v is None else
                                               enum_label(SourceChannel(v), lg))
    marks.under("source_channel", keys("source"), where=right)
    if not company:
        values["birthday"] = st.date_input(tr("cu.birthday"), value=None, key=keys("birthday"), format="YYYY-MM-DD",
                                           min_value=OLDEST, max_value=_today())
        marks.under("birthday", keys("birthday"))
    values["notes"] = st.text_area(tr("cu.notes"), key=keys("notes"))
    marks.under("notes", keys("notes"))
    return values


def _rows(keys: Keys, kind: str, draw) -> list[dict]:
    """Each contact or product in its own box (`draw(i, row)` its inputs) with a Remove button; then Add."""
    out = []
    for i, row in enumerate(keys.rows(kind)):
        with st.container(border=True):
            st.caption(phrase(f"cu_new.{kind}_n", n=i + 1))
            out.append(draw(i, row))
            st.button(tr("cu_new.remove"), key=keys(kind, row, "remove"), on_click=_remove, args=(keys, kind, row))
    st.button(tr(f"cu_new.add_{kind}"), key=keys(f"add_{kind}"), on_click=_add, args=(keys, kind),
              icon=":material/add:")
    return out


def _contacts(keys: Keys, marks: FieldMarks) -> list[dict]:
    st.markdown("#### " + tr("cu_new.contacts"))
    marks.under("contacts", *(keys(f"c{r}_primary") for r in keys.rows("contact")))

    def draw(i: int, row: int) -> dict:
        values = _texts(keys, marks, CONTACT, f"contact.{i}.", f"c{row}_", {}, contact=True)
        return values | {"is_primary": st.checkbox(tr("cu.primary"), key=keys(f"c{row}_primary"))}

    return _rows(keys, "contact", draw)


def _products(keys: Keys, marks: FieldMarks) -> list[dict]:
    st.markdown("#### " + tr("cu_new.products"))
    latest = date(_today().year + 2, 12, 31)

    def draw(i: int, row: int) -> dict:
        values = _texts(keys, marks, PRODUCT, f"product.{i}.", f"p{row}_", {})
        for column, field in zip(st.columns(3), DATES, strict=True):
            key = keys(f"p{row}_{field}")
            label = tr(_label_key(field)) + (tr(MARK) if field in MUST else "")
            values[field] = column.date_input(label, value=None, key=key, format="YYYY-MM-DD", min_value=OLDEST,
                                              max_value=latest)
            marks.under(f"product.{i}.{field}", key, where=column)
        return values

    return _rows(keys, "product", draw)


def new_customer_form(actor, prefix: str = "ncu", phone: str = "", name: str = "") -> dict | None:
    """The form; returns the saved customer's id and code on the run that saved it (the form is then empty)."""
    keys, marks = Keys(prefix), FieldMarks(prefix)
    st.caption(tr("cu_new.intro"))
    fields = _own(keys, marks, {"phone": phone, "name": name})
    contacts, products = _contacts(keys, marks), _products(keys, marks)
    required_legend()
    wanted = (fields["phone"], fields["name"], fields["city"], tuple(c["phone"] for c in contacts))
    if st.button(tr("cu_new.check"), type="primary", key=keys("check")):
        found = attempt(lambda: likely_duplicates(engine(), actor, *wanted))
        st.session_state[keys("duplicates")] = (wanted, found or [])
        if not found and found is not None:
            return _save(actor, keys, marks, fields, contacts, products)
    shown, found = st.session_state.get(keys("duplicates"), (None, []))
    if found and shown == wanted:
        _duplicates(found)
        if st.button(tr("cu_new.save_anyway"), key=keys("anyway")):
            return _save(actor, keys, marks, fields, contacts, products)
    return None


def _duplicates(found: list[dict]) -> None:
    """C-1: the likely duplicates, each a link that opens it, with why it is one."""
    st.warning(tr("cu_new.duplicates"))
    region = office().phone_region
    for row in found:
        label = joined([row["code"], row["name"], grouped(row["phone"], region), row["city"] or "",
                        phrase(f"cu_new.reason_{row['reason']}")], " · ")
        st.page_link("pages/customers.py", label=label, query_params={"id": str(row["id"])},
                     icon=":material/open_in_new:")


def _save(actor, keys: Keys, marks: FieldMarks, fields: dict, contacts: list[dict],
          products: list[dict]) -> dict | None:
    now = clock.now()
    made = marks.attempt(lambda: create_customer(engine(), actor, fields, contacts, products, now,
                                                 office_day(now, office().timezone)))
    if made is not None:
        st.session_state[f"{keys.prefix}_gen"] += 1  # the next run draws an empty form
        st.session_state[FLASH] = phrase("cu_new.saved", code=made["code"])
    return made

