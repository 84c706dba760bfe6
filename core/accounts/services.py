"""Accounts: the first admin of a new office, admins creating, disabling, re-enabling users, resetting
passwords and changing roles, and everybody changing their own password. All audited; changes to a
user carry the version the admin loaded, so two admins cannot silently overwrite each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from core import inputs
from core.accounts.passwords import check_new_password, hash_password, verify_password
from core.accounts.queries import public_fields, usable_admins
from core.accounts.sessions import end_sessions_of, lockout_policy
from core.accounts.setup import Claim, claim_setup_code
from core.audit import log as audit
from core.audit.queries import latest_change
from core.checks import is_choice
from core.errors import Invalid, NotFound, StaleEdit
from core.permissions import Action, Actor, allowed, require
from core.versioning import save_versioned
from db.engine import session_scope
from db.enums import AuditAction, Role
from db.models import User


def needs_first_admin(engine: Engine) -> bool:
    """A new real office has no admin who can sign in yet: the first start asks for one instead of a
    default password."""
    with session_scope(engine) as s:
        return not usable_admins(s)


def _username(value: object) -> str:
    username = inputs.required(value, "username", inputs.limit_of(User.username), inputs.Kind.NAME,
                               missing="users.bad_username", too_long="users.bad_username")
    if any(c.isspace() for c in username):
        raise Invalid("users.bad_username", field="username")
    return username


def _check_username(s, username: object) -> str:
    username = _username(username)
    if s.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise Invalid("users.username_taken", username=username)
    return username


def _role(role: object) -> Role:
    if not is_choice(str(role), Role):
        raise Invalid("users.bad_role")
    return Role(str(role))


def _display_name(value: object) -> str:
    return inputs.required(value, "display_name", inputs.limit_of(User.display_name), inputs.Kind.NAME,
                           missing="users.bad_display_name")


def _new_user(s, actor: Actor | None, username: str, display_name: str, role: Role, password: str, now) -> User:
    username = _check_username(s, username)
    role = _role(role)
    display_name = _display_name(display_name)
    check_new_password(password, username)
    user = User(username=username, display_name=display_name, role=Role(role),
                password_hash=hash_password(password), active=True, created_at=now)
    s.add(user)
    s.flush()
    audit.record(s, actor, "user", user.id, AuditAction.CREATE, None, public_fields(user), at=now,
                 username=None if actor else username)
    return user


def create_first_admin(engine: Engine, setup_code: str, username: str, display_name: str, password: str,
                       now: datetime) -> int:
    """Only with the setup code the server printed (core.accounts.setup) and only while the office has no
    admin who can sign in: it is no back door, and whoever reaches the page first does not own the office.
    Claiming the code is the atomic step: of simultaneous submissions one creates the admin, the others
    are told the office has one. A wrong code is audited and counted like a failed sign-in.

    The fields are checked before the code is looked at, so no answer about the fields tells a right code from
    a wrong one, and a field no database stores cannot undo the count of a wrong guess."""
    name = _username(username)
    _display_name(display_name)
    check_new_password(password, name)
    policy = lockout_policy(engine)  # read before the transaction: it opens a session of its own
    with session_scope(engine) as s:
        claim = claim_setup_code(s, setup_code, now, policy)
        if claim == Claim.RIGHT:
            if usable_admins(s):
                raise Invalid("users.admin_exists")
            return _new_user(s, None, name, display_name, Role.ADMIN, password, now).id
        if claim == Claim.WRONG:
            audit.record(s, None, "session", None, AuditAction.SIGN_IN_FAILED, username=name[:64],
                         at=now, extra={"reason": "setup_code"})
    raise Invalid("auth.setup_code_wrong" if needs_first_admin(engine) else "users.admin_exists")


def create_user(engine: Engine, actor: Actor, username: str, display_name: str, role: Role, password: str,
                now: datetime) -> int:
    with session_scope(engine) as s:
        require(actor, Action.MANAGE_USERS)
        return _new_user(s, actor, username, display_name, role, password, now).id


def _load(s, user_id: int, version: int | None) -> User:
    user = s.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound()
    if version is not None and user.version != version:
        who, when = latest_change(s, "user", user_id)
        raise StaleEdit(who=who, when=when)
    return user


def _quality(quality: bool, role: Role) -> bool:
    """CP-2: a quality inspector verifies complaints, so only a role that reads complaints may be one."""
    if quality and not allowed(role, Action.VIEW_COMPLAINTS):
        raise Invalid("users.quality_needs_complaints", field="quality")
    return quality


def update_user(engine: Engine, actor: Actor, user_id: int, version: int, now: datetime, *,
                role: Role | None = None, active: bool | None = None, display_name: str | None = None,
                quality: bool | None = None) -> None:
    """Change role, enable/disable, rename, mark as quality inspector (CP-2: verifies complaints; only a
    role that reads complaints, refused otherwise). Admins cannot disable or demote themselves (the office
    would lose its last admin by one click); a disabled user's sessions end at once."""
    with session_scope(engine) as s:
        require(actor, Action.MANAGE_USERS)
        display_name = inputs.text(display_name, "display_name", inputs.limit_of(User.display_name), inputs.Kind.NAME)
        user = _load(s, user_id, version)
        if user.id == actor.id and (active is False or (role is not None and role != Role.ADMIN)):
            raise Invalid("users.not_yourself")
        changes = {"role": _role(role) if role is not None else user.role,
                   "active": active if active is not None else user.active,
                   "display_name": display_name or user.display_name}
        changes["quality"] = _quality(bool(quality if quality is not None else user.quality), Role(changes["role"]))
        save_versioned(s, actor, User, "user", user.id, version, changes, now)  # Unchanged when it changes nothing
        if not changes["active"]:
            end_sessions_of(s, user.id, now, "disabled")


def reset_password(engine: Engine, actor: Actor, user_id: int, new_password: str, now: datetime) -> None:
    with session_scope(engine) as s:
        require(actor, Action.MANAGE_USERS)
        user = _load(s, user_id, None)
        check_new_password(new_password, user.username)
        user.password_hash, user.failed_logins, user.locked_until = hash_password(new_password), 0, None
        user.version += 1
        end_sessions_of(s, user.id, now, "password_reset")
        audit.record(s, actor, "user", user.id, AuditAction.UPDATE, at=now, extra={"password": "reset"})


def change_own_password(engine: Engine, actor: Actor, current: str, new: str, now: datetime,
                        keep_token: str | None = None) -> None:
    """The user's other sessions end (a stolen cookie dies with the old password); the session holding
    `keep_token`, the one the change was made in, stays signed in, as a user expects."""
    with session_scope(engine) as s:
        require(actor, Action.CHANGE_OWN_PASSWORD)
        user = _load(s, actor.id, None)
        if not verify_password(user.password_hash, current):
            raise Invalid("users.wrong_current_password")
        check_new_password(new, user.username)
        user.password_hash = hash_password(new)
        user.version += 1
        end_sessions_of(s, user.id, now, "password_changed", keep_token)
        audit.record(s, actor, "user", user.id, AuditAction.UPDATE, at=now, extra={"password": "changed"})
