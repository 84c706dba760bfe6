"""Leads, read side: the whole list (searched, filtered, sorted and paged in SQL), one lead with its contact
history, and the leads due for follow-up (L-1), with the rules in core.leads.rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from core.clock import office_day
from core.inputs import limit_of
from core.lists import Page, as_dict, day_bounds_utc, enum_rank, ordered, paginate, text_or_number
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import LeadClass, LeadStatus
from db.models import Customer, Lead, LeadContact, User

SEARCH_MAX = limit_of(Lead.name)  # the longest searched column: a longer term matches nothing
CONTACTS_LIMIT = 50


@dataclass(frozen=True)
class LeadFilter:
    """Free text (name, phone, interest), classes, statuses, the owning specialist (None: everyone), only
    those due now (open, follow-up before tonight: My work's "leads due"), and the sort (`-col` descending)."""

    search: str = ""
    classes: tuple[LeadClass, ...] = ()
    statuses: tuple[LeadStatus, ...] = ()
    specialist_id: int | None = None
    due_now: bool = False
    sort: str = ""


def _sort_columns() -> dict:
    """The columns a URL may sort leads by (`name` or `-name`): names whatever their case, class and status in
    their declared order. The next follow-up is the list's own order (the default), so it is not offered again."""
    return {"name": func.lower(Lead.name), "lead_class": enum_rank(Lead.lead_class, LeadClass),
            "status": enum_rank(Lead.status, LeadStatus), "created_at": Lead.created_at}


SORTS = tuple(_sort_columns())


def sort_order(sort: str) -> list:
    """core.lists.ordered over the allow-list (empty values last, the id breaking ties); anything else: the next
    follow-up soonest first, none last."""
    return ordered(sort, _sort_columns(), Lead.id) or [Lead.next_follow_up.asc().nulls_last(), Lead.id.asc()]


def lead_search(text: str):
    """The name or the interest contains it, or the phone is one of its spellings or starts with it."""
    return text_or_number(text, SEARCH_MAX, (Lead.name, Lead.interest), Lead.phone)


def _due_by_tonight(now: datetime, tz: str) -> list:
    today = office_day(now, tz)
    _, end_of_today = day_bounds_utc(today, today, tz)
    return [Lead.status == LeadStatus.OPEN, Lead.next_follow_up < end_of_today]


def _conditions(f: LeadFilter, now: datetime, tz: str) -> list:
    where = [lead_search(f.search)] if f.search.strip() else []
    where += [Lead.lead_class.in_(f.classes)] if f.classes else []
    where += [Lead.status.in_(f.statuses)] if f.statuses else []
    where += [Lead.specialist_id == f.specialist_id] if f.specialist_id else []
    return where + (_due_by_tonight(now, tz) if f.due_now else [])


def list_leads(engine: Engine, actor: Actor, f: LeadFilter, now: datetime, tz: str, page: int = 1,
               page_size: int = 25) -> Page:
    """Every lead the filter keeps, in the filter's order, with its owner's name; `overdue` when an open
    lead's follow-up time has passed. Counted on the leads table alone. For who works leads (WORK_CALLBACK)."""
    require(actor, Action.WORK_CALLBACK)
    where = _conditions(f, now, tz)
    owner = aliased(User)
    stmt = (select(Lead.id, Lead.name, Lead.phone, Lead.lead_class, Lead.status, Lead.interest,
                   Lead.next_follow_up, owner.display_name.label("specialist"), Lead.created_at)
            .outerjoin(owner, owner.id == Lead.specialist_id).where(*where).order_by(*sort_order(f.sort)))
    with session_scope(engine) as s:
        return paginate(s, stmt, page, page_size, select(func.count()).select_from(Lead).where(*where),
                        lambda rows: [r | {"overdue": r["status"] == LeadStatus.OPEN and r["next_follow_up"] is not None
                                           and r["next_follow_up"] < now} for r in rows])


def lead_detail(engine: Engine, actor: Actor, lead_id: int) -> dict | None:
    """One lead (its owner's name, the customer it belongs to) and its contacts, newest first (who, when,
    how, what came of it): `{"lead", "contacts", "contacts_total"}`; None when there is no such lead.
    For who works leads (WORK_CALLBACK)."""
    require(actor, Action.WORK_CALLBACK)
    with session_scope(engine) as s:
        lead = s.get(Lead, lead_id)
        if lead is None:
            return None
        row = as_dict(lead) | {
            "specialist": s.scalar(select(User.display_name).where(User.id == lead.specialist_id)),
            "customer": s.scalar(select(Customer.name).where(Customer.id == lead.customer_id))}
        contacts = s.execute(
            select(LeadContact.id, LeadContact.contacted_at, User.display_name.label("user"), LeadContact.channel,
                   LeadContact.result, LeadContact.sale_amount_cents, LeadContact.new_class, LeadContact.notes)
            .outerjoin(User, User.id == LeadContact.user_id).where(LeadContact.lead_id == lead_id)
            .order_by(LeadContact.contacted_at.desc(), LeadContact.id.desc()).limit(CONTACTS_LIMIT)).mappings()
        contacts = [dict(c) for c in contacts]
        total = s.scalar(select(func.count()).select_from(LeadContact).where(LeadContact.lead_id == lead_id))
    return {"lead": row, "contacts": contacts, "contacts_total": total}


def due_leads(engine: Engine, actor: Actor, user_id: int, now: datetime, tz: str, page: int = 1,
              page_size: int = 50) -> Page:
    """L-1: the specialist's open leads whose next follow-up falls before the end of today (office-local),
    overdue first (earliest follow-up first); `overdue` means the follow-up time has passed. For who works
    leads (WORK_CALLBACK); Forbidden to anyone else."""
    require(actor, Action.WORK_CALLBACK)
    where = (Lead.specialist_id == user_id, *_due_by_tonight(now, tz))
    stmt = (select(Lead.id, Lead.name, Lead.phone, Lead.lead_class, Lead.interest, Lead.customer_id,
                   Lead.next_follow_up).where(*where).order_by(Lead.next_follow_up, Lead.id))
    with session_scope(engine) as s:
        listed = paginate(s, stmt, page, page_size, select(func.count()).select_from(Lead).where(*where))
    rows = [r | {"overdue": r["next_follow_up"] < now} for r in listed.rows]
    return Page(rows, listed.total, listed.page, listed.page_size)
