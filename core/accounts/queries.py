"""Accounts, read side: staff by id and name for the people filters of the lists (technician, assignee,
owner, "View as"), and the user list admins manage."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, func, select

from core.lists import Page, enum_rank, ordered, paginate
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import Role
from db.models import User

PUBLIC_FIELDS = ("username", "display_name", "role", "active")


def public_fields(user: User) -> dict:
    """What an account shows and audits of itself: never its password hash."""
    return {f: getattr(user, f) for f in PUBLIC_FIELDS}


def usable_admins(s) -> int:
    """Admins who can sign in: active, with a password (demo staff loaded into a real office have none)."""
    return s.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.password_hash.is_not(None)))


def staff_names(engine: Engine, *conditions) -> dict[int, str]:
    """id → display name of the users meeting `conditions`, ordered by name; a name two of them share gets
    the user name added ("张伟 · zhangwei2"), so the filters never offer two identical choices."""
    with session_scope(engine) as s:
        rows = s.execute(select(User.id, User.display_name, User.username).where(*conditions)
                         .order_by(User.display_name, User.id)).all()
    shared = {name for name, n in Counter(r.display_name for r in rows).items() if n > 1}
    return {r.id: f"{r.display_name} · {r.username}" if r.display_name in shared else r.display_name for r in rows}


def list_users(engine: Engine, actor: Actor) -> list[dict]:
    with session_scope(engine) as s:
        require(actor, Action.MANAGE_USERS)
        users = s.scalars(select(User).order_by(User.role, User.username)).all()
        return [public_fields(u) | {"id": u.id, "version": u.version, "locked_until": u.locked_until} for u in users]


def _user_columns() -> dict:
    return {"username": User.username, "display_name": User.display_name, "role": enum_rank(User.role, Role),
            "active": User.active, "locked_until": User.locked_until}


SORTS = tuple(_user_columns())


def users_page(engine: Engine, actor: Actor, page: int = 1, page_size: int = 25, sort: str | None = None) -> Page:
    """The accounts admins manage, by role then user name or sorted by one of SORTS (then by id), one page
    read in SQL; never a password hash. MANAGE_USERS only."""
    require(actor, Action.MANAGE_USERS)
    order = ordered(sort, _user_columns(), User.id) or [enum_rank(User.role, Role), User.username, User.id]
    stmt = select(User.id, User.version, User.locked_until, *(getattr(User, f) for f in PUBLIC_FIELDS))
    with session_scope(engine) as s:
        return paginate(s, stmt.order_by(*order), page, page_size, select(func.count()).select_from(User))


def user_detail(engine: Engine, actor: Actor, user_id: int) -> dict | None:
    """One account to edit, as on the list; None when there is no such user. MANAGE_USERS only."""
    require(actor, Action.MANAGE_USERS)
    with session_scope(engine) as s:
        user = s.get(User, user_id)
        return None if user is None else public_fields(user) | {"id": user.id, "version": user.version,
                                                                   "locked_until": user.locked_until,
                                                                   "quality": user.quality}
