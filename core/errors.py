"""Errors a use case raises on purpose. Each carries a catalog key and parameters, so the page shows
a clear message in the user's language and nothing was written."""

from __future__ import annotations


class DomainError(Exception):
    key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key, params)


class Forbidden(DomainError):
    key = "error.forbidden"


class NotFound(DomainError):
    key = "error.not_found"


class Invalid(DomainError):
    """Bad input; `field` names the offending field where there is one."""

    key = "error.invalid"


class SignInFailed(DomainError):
    """The one message for a wrong name, a wrong password, a disabled or a locked account."""

    key = "auth.failed"


class Unchanged(DomainError):
    """A save that changes nothing: no write, no version bump, no audit row; the page says so neutrally."""

    key = "error.unchanged"


class StaleEdit(DomainError):
    """Somebody saved the record since it was loaded; params: who, when."""

    key = "error.stale"
