"""Passwords: Argon2id (argon2-cffi), rehashed at sign-in when the parameters change. A plain or
reversible password is never stored or logged. Every check costs one Argon2 verification, also when
there is no hash to check against (an unknown user, an account without a password, a refused attempt):
then a dummy hash is verified, so the answer's timing tells nobody which accounts exist."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 256  # a pass phrase fits; a megabyte posted as a "password" is refused before it is hashed
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash (None: nothing to check against) the dummy hash is
    verified anyway and the answer is False, so every call costs the same one verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_new_password(password: str, username: str) -> None:
    """A new password has MIN_LENGTH to MAX_LENGTH characters, no NUL (issue 9's input policy) and is not
    the user name."""
    if len(password) < MIN_LENGTH:
        raise Invalid("auth.password_too_short", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise Invalid("auth.password_too_long", max=MAX_LENGTH)
    if "\x00" in password:
        raise Invalid("input.control_chars", field="password")
    if password.strip().lower() == username.strip().lower():
        raise Invalid("auth.password_is_username")
