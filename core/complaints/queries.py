"""Complaints, read side: the filtered complaint log and one complaint with its history (CP-1..CP-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Engine,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from core.complaints.services import context, round_start
from core.customers.search import search_region
from core.lists import Page, as_dict, customer_match, enum_rank, ordered, paginate, within
from core.permissions import Action, Actor, allowed, require
from db.engine import session_scope
from db.enums import CallbackKind, ComplaintCause, ComplaintChannel, ComplaintStatus, Responsibility, Role
from db.models import CallAttempt, Callback, Complaint, ComplaintEvent, Customer, Product, User

RETURN_FIELDS = ("return_quantity", "isolated_labelled", "inspection_full", "inspected_quantity", "defects_found",
                 "inspection_result", "remedy", "remedy_accepted")


@dataclass(frozen=True)
class ComplaintFilter:
    statuses: tuple[ComplaintStatus, ...] = ()
    channels: tuple[ComplaintChannel, ...] = ()
    responsibilities: tuple[Responsibility, ...] = ()
    causes: tuple[ComplaintCause, ...] = ()
    owner_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""
    only_attention: bool = False
    models: tuple[str, ...] = ()  # product models
    only_escalated: bool = False
    only_overdue: bool = False


OPEN_STATUSES = tuple(s for s in ComplaintStatus if s != ComplaintStatus.CLOSED)


def is_open():
    """Not closed, written as the open statuses so the (status, received_at) index serves it: most of a big
    office's complaints are closed, and `status != closed` would walk them all."""
    return Complaint.status.in_(OPEN_STATUSES)


def overdue(now: datetime):
    """CP-5 overdue: not closed, and past either deadline without its step: the first response (due one
    working day after receipt) not given, or the reply promised to the customer not given."""
    late_response = and_(Complaint.first_response_at.is_(None), Complaint.first_response_due < now)
    late_reply = and_(Complaint.replied_at.is_(None), Complaint.reply_deadline < now)
    return and_(is_open(), or_(late_response, late_reply))


def needs_attention(now: datetime):
    """CP-5: an escalated or overdue complaint stays visible to the manager until it is closed."""
    return and_(is_open(), or_(Complaint.escalated.is_(True), overdue(now)))


def next_due():
    """What is due next on a complaint (CP-5): its first response until given, then the promised reply until
    given; nothing once replied or closed."""
    return case((Complaint.status == ComplaintStatus.CLOSED, None),
                (and_(Complaint.first_response_at.is_(None), Complaint.first_response_due.is_not(None)),
                 Complaint.first_response_due),
                (Complaint.replied_at.is_(None), Complaint.reply_deadline), else_=None).label("next_due")


def _overdue_flag(now: datetime):
    return type_coerce(case((overdue(now), True), else_=False), Boolean).label("overdue")


def _where(stmt, f: ComplaintFilter, now: datetime, region: str):
    pairs = ((f.statuses, Complaint.status), (f.channels, Complaint.channel),
             (f.responsibilities, Complaint.responsibility), (f.causes, Complaint.cause))
    for chosen, column in pairs:
        if chosen:
            stmt = stmt.where(column.in_(chosen))
    if f.owner_id:
        stmt = stmt.where(Complaint.owner_id == f.owner_id)
    if f.search.strip():
        stmt = stmt.where(customer_match(f.search, Complaint.customer_id, Complaint.number, region=region))
    if f.only_attention:
        stmt = stmt.where(needs_attention(now))
    if f.only_escalated:
        stmt = stmt.where(is_open(), Complaint.escalated.is_(True))
    if f.only_overdue:
        stmt = stmt.where(overdue(now))
    if f.models:
        stmt = stmt.where(Complaint.product_id.in_(select(Product.id).where(Product.model.in_(f.models))))
    return stmt


_OWNER = aliased(User, name="owner_user")


def _sort_columns() -> dict:
    """The columns a user may sort complaints by (the `sort` URL parameter is checked against these)."""
    return {"number": Complaint.number, "customer": Customer.name,
            "status": enum_rank(Complaint.status, ComplaintStatus),
            "channel": enum_rank(Complaint.channel, ComplaintChannel), "received_at": Complaint.received_at,
            "reply_deadline": Complaint.reply_deadline, "owner": _OWNER.display_name, "next_due": next_due()}


SORTS = tuple(_sort_columns())


def _list_stmt(f: ComplaintFilter, tz: str, now: datetime, sort: str | None, region: str):
    owner = _OWNER
    order = ordered(sort, _sort_columns(), Complaint.id) or [Complaint.received_at.desc(), Complaint.id.desc()]
    stmt = (
        select(Complaint.id, Complaint.number, Customer.name.label("customer"), Complaint.channel,
               func.coalesce(Complaint.product_desc, Product.model).label("product"), Complaint.status,
               Complaint.responsibility, Complaint.received_at, Complaint.reply_deadline, Complaint.escalated,
               _overdue_flag(now), owner.display_name.label("owner"), next_due())
        .outerjoin(Customer, Customer.id == Complaint.customer_id)  # outer: SQLite can then drop it when counting
        .outerjoin(Product, Product.id == Complaint.product_id)
        .outerjoin(owner, owner.id == Complaint.owner_id)
        .order_by(*order)
    )
    return within(_where(stmt, f, now, region), Complaint.received_at, f.received_from, f.received_to, tz)


def list_complaints(engine: Engine, actor: Actor, f: ComplaintFilter, tz: str, now: datetime,
                    page: int = 1, page_size: int = 25, sort: str | None = None) -> Page:
    """The complaint log (CP-4), newest first or sorted by one of SORTS (then by id) over the whole filtered
    log; `now` decides which are overdue (CP-5). VIEW_COMPLAINTS only."""
    require(actor, Action.VIEW_COMPLAINTS)
    region = search_region(engine, f.search)
    count = within(_where(select(func.count()).select_from(Complaint), f, now, region), Complaint.received_at,
                   f.received_from, f.received_to, tz)  # the filters alone: no joins for display columns
    with session_scope(engine) as s:
        return paginate(s, _list_stmt(f, tz, now, sort, region), page, page_size, count)


def complaint_owners(engine: Engine) -> dict[int, str]:
    """Users who own at least one complaint, for the owner filter (one index probe per user)."""
    with session_scope(engine) as s:
        owns = exists().where(Complaint.owner_id == User.id)
        rows = s.execute(select(User.id, User.display_name).where(owns).order_by(User.display_name, User.id))
        return {r.id: r.display_name for r in rows}


def complaint_people(engine: Engine) -> dict[int, str]:
    """Active users who read complaints (CP-2): whom a complaint or its corrective action may be given to."""
    roles = [role for role in Role if allowed(role, Action.VIEW_COMPLAINTS)]
    with session_scope(engine) as s:
        rows = s.execute(select(User.id, User.display_name).where(User.active.is_(True), User.role.in_(roles))
                         .order_by(User.display_name, User.id))
        return {r.id: r.display_name for r in rows}


def product_models(engine: Engine) -> list[str]:
    """The product models complaints may be filtered by (the archive's models, A to Z)."""
    with session_scope(engine) as s:
        return list(s.scalars(select(Product.model).where(Product.model.is_not(None)).distinct()
                              .order_by(Product.model).limit(500)))


def complaint_calls(s, complaint_id: int) -> list[dict]:
    """The complaint's CB-2 complaint call(s): status, window, and the CB-9 checklist score of its last call."""
    score = (select(CallAttempt.qa_score).where(CallAttempt.callback_id == Callback.id)
             .order_by(CallAttempt.attempted_at.desc(), CallAttempt.id.desc()).limit(1).scalar_subquery())
    rows = s.execute(select(Callback.id, Callback.status, Callback.due_end, Callback.completed_at,
                            score.label("qa_score"))
                     .where(Callback.complaint_id == complaint_id, Callback.kind == CallbackKind.COMPLAINT)
                     .order_by(Callback.id))
    return [dict(r._mapping) for r in rows]


def _events(s, complaint_id: int, names: dict[int, str]) -> list[dict]:
    rows = s.execute(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
                     .order_by(ComplaintEvent.at, ComplaintEvent.id)).scalars()
    return [as_dict(e) | {"user": names.get(e.user_id)} for e in rows]


def complaint_detail(engine: Engine, actor: Actor, complaint_id: int, now: datetime) -> dict | None:
    """CP-1 intake, CP-2 handling with who and when, CP-3 returned goods (return channel only), the history.
    VIEW_COMPLAINTS only."""
    require(actor, Action.VIEW_COMPLAINTS)
    with session_scope(engine) as s:
        found = s.execute(select(Complaint, _overdue_flag(now), next_due())
                          .where(Complaint.id == complaint_id)).one_or_none()
        if found is None:
            return None
        cp, is_overdue, due = found
        names = dict(s.execute(select(User.id, User.display_name)).all())
        customer = s.get(Customer, cp.customer_id)
        product = s.get(Product, cp.product_id) if cp.product_id else None
        record = as_dict(cp) | {
            "customer": customer.name, "customer_phone": customer.phone, "overdue": is_overdue,
            "product": cp.product_desc or (product.model if product else None),
            "received_by": names.get(cp.received_by_id), "owner": names.get(cp.owner_id),
            "capa_verified_by": names.get(cp.capa_verified_by_id), "capa_owner": names.get(cp.capa_owner_id),
            "escalated_by": names.get(cp.escalated_by_id), "version": cp.version, "round_start": round_start(s, cp),
            "next_due": due,
            "next_step": None if due is None else "first_response" if cp.first_response_at is None else "reply",
        }
        returned = {k: record[k] for k in RETURN_FIELDS} if cp.channel == ComplaintChannel.RETURN else None
        return {"complaint": record, "returned": returned, "events": _events(s, cp.id, names),
                "calls": complaint_calls(s, cp.id), "context": context(s, cp)}
