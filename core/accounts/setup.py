"""The setup code of a new real office: whoever reaches the sign-in page first must not own the office.
When the server starts and the office has no admin who can sign in, it issues a one-time code and prints
it to its own console (as notebook servers print their token); the first-admin form asks for it. Only
the code's SHA-256 is stored, compared in constant time; a wrong code counts like a failed sign-in
(the lockout settings), and the right one is consumed by the admin it creates."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, delete, or_, update
from sqlalchemy.orm import Session

from core.accounts.queries import usable_admins
from core.accounts.sessions import Lockout
from db.engine import session_scope
from db.models import SetupCode

FIRST_ADMIN = "first_admin"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: it is read off a console and typed


class Claim(StrEnum):
    RIGHT = "right"  # the code matched and is consumed (in the caller's transaction)
    WRONG = "wrong"  # counted as a failed attempt; the caller commits, then refuses
    NONE = "none"  # nothing to claim: none issued, already used, or locked after too many wrong codes


def _digest(code: str) -> str:
    """Case, spaces and dashes do not matter when the code is typed."""
    return hashlib.sha256("".join(c for c in code.upper() if c.isalnum()).encode()).hexdigest()


def issue_setup_code(engine: Engine, now: datetime) -> str | None:
    """At the server's start: a fresh code (any earlier one stops working) when the office has no admin who
    can sign in, else None and no code at all."""
    with session_scope(engine) as s:
        s.execute(delete(SetupCode).where(SetupCode.purpose == FIRST_ADMIN))
        if usable_admins(s):
            return None
        chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
        s.add(SetupCode(purpose=FIRST_ADMIN, code_hash=_digest(chars), failed_attempts=0, created_at=now))
    return f"{chars[:4]}-{chars[4:]}"


def claim_setup_code(s: Session, code: str, now: datetime, policy: Lockout) -> Claim:
    """The atomic step of creating the first admin, inside the caller's transaction. One UPDATE counts the
    attempt and takes the code's row (a row lock on PostgreSQL, the write lock on SQLite) until the caller
    commits: of simultaneous claims one holds it, and the others then find it consumed."""
    row = s.execute(update(SetupCode).where(
        SetupCode.purpose == FIRST_ADMIN, SetupCode.failed_attempts < policy.attempts,
        or_(SetupCode.locked_until.is_(None), SetupCode.locked_until <= now))
        .values(failed_attempts=SetupCode.failed_attempts + 1)
        .returning(SetupCode.code_hash, SetupCode.failed_attempts).execution_options(synchronize_session=False)).first()
    if row is None:
        return Claim.NONE
    if hmac.compare_digest(row.code_hash, _digest(code)):
        s.execute(delete(SetupCode).where(SetupCode.purpose == FIRST_ADMIN))
        return Claim.RIGHT
    if row.failed_attempts >= policy.attempts:
        s.execute(update(SetupCode).where(SetupCode.purpose == FIRST_ADMIN)
                  .values(failed_attempts=0, locked_until=now + timedelta(minutes=policy.minutes)))
    return Claim.WRONG
