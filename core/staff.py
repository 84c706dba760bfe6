"""Staff by id and name, for the people filters of the lists (technician, assignee, owner, "View as")."""

from __future__ import annotations

from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import User


def staff_names(engine: Engine, *conditions) -> dict[int, str]:
    """id → display name of the users meeting `conditions`, ordered by name."""
    with session_scope(engine) as s:
        rows = s.execute(select(User.id, User.display_name).where(*conditions).order_by(User.display_name, User.id))
        return {r.id: r.display_name for r in rows}
