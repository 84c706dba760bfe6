"""CB-11 read side: the incoming-call register (searched, filtered, counted and paged in SQL, newest first, with
the customer, who took the call, and the callback or lead made from it), one call with what it led to, and
the caller lookup of the form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, aliased

from core.lists import Page, as_dict, day_bounds_utc, enum_rank, ordered, paginate, text_or_number
from core.office.settings import load_office
from core.permissions import Action, Actor, require
from core.phones import spellings
from core.scheduling.rules import missed_call_key
from db.engine import session_scope
from db.enums import IncomingCategory
from db.models import Callback, Contact, Customer, IncomingCall, Lead, User

NO_FOLLOW_UP = {"callback_id": None, "callback_status": None, "callback_assignee": None, "lead_id": None,
                "lead_owner": None}
LOOKUP_LIMIT = 10  # a number shared by more customers than this is a switchboard, not a caller
SEARCH_MAX = 2000  # `need` is TEXT: a search term is at most a long sentence of it


@dataclass(frozen=True)
class IncomingFilter:
    """Office days received (inclusive), answered / missed, resolved or not (None: either), categories, and
    free text (caller's name, number, need)."""

    day_from: date | None = None
    day_to: date | None = None
    answered: bool | None = None
    resolved: bool | None = None
    categories: tuple[IncomingCategory, ...] = ()
    search: str = ""


def call_search(text: str):
    """The caller's name or the need contains it, or the number is one of its spellings or starts with it."""
    return text_or_number(text, SEARCH_MAX, (IncomingCall.caller_name, IncomingCall.need), IncomingCall.phone)


def matching_customer_ids(s: Session, phone: str, region: str | None = None) -> list[int]:
    """The customers whose own number or a contact person's number is this one: exact matches of its
    spellings (core.phones; the archive's canonical form in the office's `region` among them) through the
    indexed phone columns."""
    numbers = spellings(phone, region)
    if not numbers:
        return []
    own = select(Customer.id).where(Customer.phone.in_(numbers))
    contacts = select(Contact.customer_id).where(Contact.phone.in_(numbers))
    return sorted(set(s.scalars(own.union(contacts))))[:LOOKUP_LIMIT]


def find_callers(engine: Engine, actor: Actor, phone: str) -> list[dict]:
    """The customer(s) a typed number belongs to, for the form: id, code, name, phone, own specialist.
    For who answers the office phone (REGISTER_INCOMING_CALL) only: it tells whose number a number is."""
    require(actor, Action.REGISTER_INCOMING_CALL)
    region = load_office(engine).phone_region
    with session_scope(engine) as s:
        ids = matching_customer_ids(s, phone, region)
        if not ids:
            return []
        rows = s.execute(select(Customer.id, Customer.code, Customer.name, Customer.phone,
                                User.display_name.label("specialist"))
                         .outerjoin(User, User.id == Customer.specialist_id)
                         .where(Customer.id.in_(ids)).order_by(Customer.name, Customer.id)).mappings()
        return [dict(r) for r in rows]


def _conditions(f: IncomingFilter, tz: str) -> list:
    where = [IncomingCall.category.in_(f.categories)] if f.categories else []
    where += [call_search(f.search)] if f.search.strip() else []
    if f.answered is not None:
        where.append(IncomingCall.answered.is_(f.answered))
    if f.resolved is not None:
        where.append(IncomingCall.resolved.is_(f.resolved))
    lo, hi = day_bounds_utc(f.day_from, f.day_to, tz)
    return where + ([IncomingCall.received_at >= lo] if lo else []) + ([IncomingCall.received_at < hi] if hi else [])


_TAKER = aliased(User, name="taker_user")


def _sort_columns() -> dict:
    """The columns a user may sort the register by (the `sort` URL parameter is checked against these)."""
    return {"received_at": IncomingCall.received_at, "caller_name": func.lower(IncomingCall.caller_name),
            "customer": Customer.name, "category": enum_rank(IncomingCall.category, IncomingCategory),
            "taken_by": _TAKER.display_name}


SORTS = tuple(_sort_columns())


def list_incoming(engine: Engine, actor: Actor, f: IncomingFilter, tz: str, page: int = 1,
                  page_size: int = 25, sort: str | None = None) -> Page:
    """CB-11 register, newest first or sorted by one of SORTS (`name` or `-name`, then by id) over the whole
    filtered register: each call with its customer's name, who took it, and the callback (id, status,
    assignee) or lead (id, owner) made from it. Counted on the calls table alone. REGISTER_INCOMING_CALL only
    (the register's page)."""
    require(actor, Action.REGISTER_INCOMING_CALL)
    where = _conditions(f, tz)
    taker = _TAKER
    order = (ordered(sort, _sort_columns(), IncomingCall.id)
             or [IncomingCall.received_at.desc(), IncomingCall.id.desc()])
    stmt = (select(IncomingCall.id, IncomingCall.received_at, IncomingCall.caller_name, IncomingCall.phone,
                   IncomingCall.customer_id, Customer.name.label("customer"), IncomingCall.category,
                   IncomingCall.need, IncomingCall.heard_from, IncomingCall.answered, IncomingCall.resolved,
                   taker.display_name.label("taken_by"))
            .outerjoin(Customer, Customer.id == IncomingCall.customer_id)
            .outerjoin(taker, taker.id == IncomingCall.taken_by_id)
            .where(*where).order_by(*order))
    with session_scope(engine) as s:
        return paginate(s, stmt, page, page_size, select(func.count()).select_from(IncomingCall).where(*where),
                        lambda rows: _with_follow_ups(s, rows))


def _with_follow_ups(s: Session, rows: list[dict]) -> list[dict]:
    follow = _follow_ups(s, [r["id"] for r in rows])
    return [r | follow[r["id"]] for r in rows]


def _follow_ups(s: Session, call_ids: list[int]) -> dict[int, dict]:
    """For one page of calls: the callback under each call's source key (unique index) with its assignee,
    and the newest lead made from the call with its owner."""
    if not call_ids:
        return {}
    keys = {missed_call_key(i): i for i in call_ids}
    callbacks = s.execute(select(Callback.source_key, Callback.id, Callback.status, User.display_name)
                          .outerjoin(User, User.id == Callback.assignee_id).where(Callback.source_key.in_(keys)))
    leads = s.execute(select(Lead.incoming_call_id, Lead.id, User.display_name)
                      .outerjoin(User, User.id == Lead.specialist_id)
                      .where(Lead.incoming_call_id.in_(call_ids)).order_by(Lead.id))
    out = {i: dict(NO_FOLLOW_UP) for i in call_ids}
    for key, cb_id, status, assignee in callbacks:
        out[keys[key]] |= {"callback_id": cb_id, "callback_status": status, "callback_assignee": assignee}
    for call_id, lead_id, owner in leads:
        out[call_id] |= {"lead_id": lead_id, "lead_owner": owner}
    return out


def incoming_detail(engine: Engine, actor: Actor, call_id: int) -> dict | None:
    """One call of the register: its fields, who took it, the customer it was matched to (id, code, name) and
    what it led to (the callback under its source key, the newest lead made from it); None when there is no
    such call. REGISTER_INCOMING_CALL only, like the register."""
    require(actor, Action.REGISTER_INCOMING_CALL)
    with session_scope(engine) as s:
        call = s.get(IncomingCall, call_id)
        if call is None:
            return None
        customer = s.execute(select(Customer.code, Customer.name).where(Customer.id == call.customer_id)).first()
        return as_dict(call) | _follow_ups(s, [call.id])[call.id] | {
            "taken_by": s.scalar(select(User.display_name).where(User.id == call.taken_by_id)),
            "customer_code": customer.code if customer else None, "customer": customer.name if customer else None}
