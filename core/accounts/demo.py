"""Demo mode only: one account per role, all with the demo password shown on the sign-in page.
Outside demo mode there is no default password: the first start asks for the first admin."""

from __future__ import annotations

from sqlalchemy import Engine, select

from core.accounts.passwords import hash_password
from db.engine import session_scope
from db.enums import Role
from db.models import User

DEMO_PASSWORD = "demo-office-2026"
DEMO_ACCOUNTS: dict[Role, str] = {
    Role.SPECIALIST: "specialist1", Role.MANAGER: "manager", Role.DIRECTOR: "director",
    Role.ENGINEER: "engineer1", Role.FINANCE: "finance", Role.ADMIN: "admin",
}


def set_demo_passwords(engine: Engine) -> int:
    """Give every demo user without a password the demo password (hashed once, Argon2id)."""
    hashed = hash_password(DEMO_PASSWORD)
    with session_scope(engine) as s:
        users = s.scalars(select(User).where(User.password_hash.is_(None))).all()
        for user in users:
            user.password_hash = hashed
        return len(users)
