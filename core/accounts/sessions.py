"""Sign-in, server-side sessions, sign-out. The browser keeps a random token in an HttpOnly cookie;
the database keeps its hash. A session ends on sign-out, after the idle timeout or after its absolute
lifetime (settings). Five failed attempts lock the account for 15 minutes (settings); every attempt
is audited, and every failure gets the same message whether the user exists or not."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
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

_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")
TOUCH_EVERY = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role)


@dataclass(frozen=True)
class Lockout:
    attempts: int
    minutes: int


def _lockout(engine: Engine) -> Lockout:
    office = load_office(engine)
    return Lockout(int(office.get("auth.lockout_attempts")), int(office.get("auth.lockout_minutes")))


def sign_in(engine: Engine, username: str, password: str, now: datetime) -> str:
    """Check the password and open a session; returns the cookie token or raises SignInFailed."""
    policy = _lockout(engine)
    username = username if inputs.storable(username, None) else ""  # NUL cannot be looked up on PostgreSQL
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == username.strip()))
        token = _attempt(s, user, username, password, now, policy)
    if token is None:
        raise SignInFailed()
    return token


def _attempt(s: Session, user: User | None, username: str, password: str, now: datetime, policy: Lockout):
    """One attempt inside the caller's transaction: the failure counter and the audit row are kept
    even when the attempt fails (the caller raises only after committing)."""
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    if not ok or locked or not user.active:
        reason = ("unknown_user" if user is None else "locked" if locked
                  else "disabled" if not user.active else "password")
        if user is not None and reason == "password":
            _count_failure(s, user, now, policy)
        audit.record(s, None, "session", None, AuditAction.SIGN_IN_FAILED, username=username.strip()[:64],
                     at=now, extra={"reason": reason})
        return None
    user.failed_logins, user.locked_until = 0, None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    s.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    audit.record(s, actor_of(user), "session", user.id, AuditAction.SIGN_IN, at=now)
    return token


def _count_failure(s: Session, user: User, now: datetime, policy: Lockout) -> None:
    count = s.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
                      .returning(User.failed_logins).execution_options(synchronize_session=False)).scalar_one()
    if count >= policy.attempts:
        s.execute(update(User).where(User.id == user.id)
                  .values(failed_logins=0, locked_until=now + timedelta(minutes=policy.minutes))
                  .execution_options(synchronize_session=False))


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


def end_sessions_of(s: Session, user_id: int, now: datetime, reason: str) -> None:
    """Used when an admin disables a user or resets their password: their open sessions end now."""
    s.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
              .values(ended_at=now, end_reason=reason))
