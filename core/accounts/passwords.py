"""Passwords: Argon2id (argon2-cffi), rehashed at sign-in when the parameters change. A plain or
reversible password is never stored or logged."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import Invalid

MIN_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_new_password(password: str, username: str) -> None:
    """A new password is at least MIN_LENGTH characters and is not the user name."""
    if len(password) < MIN_LENGTH:
        raise Invalid("auth.password_too_short", min=MIN_LENGTH)
    if password.strip().lower() == username.strip().lower():
        raise Invalid("auth.password_is_username")
