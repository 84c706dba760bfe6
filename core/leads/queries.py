"""Leads, read side: the leads due for follow-up (L-1), with the rules in core.leads.rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from core.clock import office_day
from core.lists import Page, day_bounds_utc, paginate
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import LeadStatus
from db.models import Lead


def due_leads(engine: Engine, actor: Actor, user_id: int, now: datetime, tz: str, page: int = 1,
              page_size: int = 50) -> Page:
    """L-1: the specialist's open leads whose next follow-up falls before the end of today (office-local),
    overdue first (earliest follow-up first); `overdue` means the follow-up time has passed. For who works
    leads (WORK_CALLBACK); Forbidden to anyone else."""
    require(actor, Action.WORK_CALLBACK)
    today = office_day(now, tz)
    _, end_of_today = day_bounds_utc(today, today, tz)
    where = (Lead.specialist_id == user_id, Lead.status == LeadStatus.OPEN, Lead.next_follow_up < end_of_today)
    stmt = (select(Lead.id, Lead.name, Lead.phone, Lead.lead_class, Lead.interest, Lead.customer_id,
                   Lead.next_follow_up).where(*where).order_by(Lead.next_follow_up, Lead.id))
    with session_scope(engine) as s:
        listed = paginate(s, stmt, page, page_size, select(func.count()).select_from(Lead).where(*where))
    rows = [r | {"overdue": r["next_follow_up"] < now} for r in listed.rows]
    return Page(rows, listed.total, listed.page, listed.page_size)
