"""Sign-in, server-side sessions, sign-out. The browser keeps a random token in an HttpOnly cookie;
the database keeps its hash. A session ends on sign-out, after the idle timeout or after its absolute
lifetime (settings). Five failed attempts lock the account for 15 minutes (settings), and no more than
five can be in flight at once; every attempt is audited, and every failure gets the same message and
costs the same time whether the user exists or not."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from core import inputs
from core.accounts.passwords import hash_password, needs_rehash, verify_password
from core.audit import log as audit
from core.errors import SignInFailed
from core.office.settings import load_office
from core.permissions import Actor
from db.engine import session_scope
from db.enums import AuditAction
from db.models import User, UserSession

TOUCH_EVERY = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role, user.quality)


@dataclass(frozen=True)
class Lockout:
    attempts: int
    minutes: int


def lockout_policy(engine: Engine) -> Lockout:
    office = load_office(engine)
    return Lockout(int(office.get("auth.lockout_attempts")), int(office.get("auth.lockout_minutes")))


def sign_in(engine: Engine, username: str, password: str, now: datetime) -> str:
    """Check the password and open a session; returns the cookie token or raises SignInFailed.

    The attempt is reserved first, in a short transaction of its own (`_reserve`): so no more guesses
    than the lockout allows are ever being checked at once, however many arrive together. Then one
    Argon2 verification, whatever happens: against the account's hash when the attempt was reserved,
    against a dummy hash otherwise (unknown user, disabled, locked, no password), so every failure
    costs the same time. The outcome is written in a second transaction."""
    policy = lockout_policy(engine)
    username = username if inputs.storable(username, None) else ""  # NUL cannot be looked up on PostgreSQL
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == username.strip()))
        reserved = _reserve(s, user, now, policy)
    ok = verify_password(reserved.password_hash if reserved else None, password) and reserved is not None
    with session_scope(engine) as s:
        token = (_open_session(s, user.id, password, now) if ok
                 else _failed(s, user, reserved, username, now, policy))
    if token is None:
        raise SignInFailed()
    return token


@dataclass(frozen=True)
class _Reserved:
    password_hash: str | None
    count: int  # failed attempts counted, this one included


def _reserve(s: Session, user: User | None, now: datetime, policy: Lockout) -> _Reserved | None:
    """Count this attempt as failed before it is checked, in one atomic UPDATE that only succeeds while
    the count is under the limit and the account is active and not locked. None: refused unchecked."""
    if user is None:
        return None
    row = s.execute(update(User).where(
        User.id == user.id, User.active.is_(True), User.failed_logins < policy.attempts,
        or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.password_hash, User.failed_logins).execution_options(synchronize_session=False)).first()
    return _Reserved(row.password_hash, row.failed_logins) if row else None


def _failed(s: Session, user: User | None, reserved: _Reserved | None, username: str, now: datetime,
            policy: Lockout) -> None:
    """A failed attempt: audited with its reason; the attempt that reaches the limit locks the account, and
    so does one refused because the limit is taken by attempts still being checked (a burst of guesses)."""
    reason = ("unknown_user" if user is None else "password" if reserved
              else "disabled" if not user.active else "locked")
    if reason == "locked" or (reserved and reserved.count >= policy.attempts):
        s.execute(update(User).where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
                  .values(failed_logins=0, locked_until=now + timedelta(minutes=policy.minutes))
                  .execution_options(synchronize_session=False))
    audit.record(s, None, "session", None, AuditAction.SIGN_IN_FAILED, username=username.strip()[:64],
                 at=now, extra={"reason": reason})


def _open_session(s: Session, user_id: int, password: str, now: datetime) -> str:
    """The password was right: the failure count starts again, a weak hash is renewed, a session opens."""
    user = s.get(User, user_id)
    user.failed_logins, user.locked_until = 0, None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    s.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    audit.record(s, actor_of(user), "session", user.id, AuditAction.SIGN_IN, at=now)
    return token


def resolve_session(engine: Engine, token: str | None, now: datetime) -> Actor | None:
    """The signed-in user for a cookie token, or None when it is unknown, ended, idle too long or
    past its lifetime (then it is ended here, on the server)."""
    if not token:
        return None
    office = load_office(engine)
    idle = timedelta(minutes=int(office.get("auth.idle_timeout_minutes")))
    lifetime = timedelta(hours=int(office.get("auth.session_lifetime_hours")))
    with session_scope(engine) as s:
        row = s.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))).first()
        if row is None:
            return None
        sess, user = row
        reason = ("disabled" if not user.active else "idle" if now - sess.last_seen_at > idle
                  else "expired" if now - sess.created_at > lifetime else None)
        if reason:
            sess.ended_at, sess.end_reason = now, reason
            return None
        if now - sess.last_seen_at > TOUCH_EVERY:
            sess.last_seen_at = now
        return actor_of(user)


def sign_out(engine: Engine, token: str | None, now: datetime) -> None:
    """End the session on the server; the cookie is then worthless, whatever the browser keeps."""
    if not token:
        return
    with session_scope(engine) as s:
        sess = s.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token),
                                                  UserSession.ended_at.is_(None)))
        if sess is None:
            return
        sess.ended_at, sess.end_reason = now, "sign_out"
        user = s.get(User, sess.user_id)
        audit.record(s, actor_of(user), "session", user.id, AuditAction.SIGN_OUT, at=now)


def end_sessions_of(s: Session, user_id: int, now: datetime, reason: str, keep_token: str | None = None) -> None:
    """A disabled user's, or one whose password changed: their open sessions end now, but for the one
    holding `keep_token` (the session in which users changed their own password stays signed in)."""
    keep = [UserSession.token_hash != token_hash(keep_token)] if keep_token else []
    s.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None), *keep)
              .values(ended_at=now, end_reason=reason))
