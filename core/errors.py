"""Errors a use case raises on purpose. Each carries a catalog key and parameters, so the page shows
a clear message in the user's language and nothing was written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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
    """Bad input; `field` names the offending field where there is one (a setting is named by `setting`)."""

    key = "error.invalid"

    @property
    def field(self) -> str:
        return str(self.params.get("field") or self.params.get("setting") or "")

    @property
    def errors(self) -> dict[str, Invalid]:
        """Each refused field with its own error: here the one field."""
        return {self.field: self}


def refuse(key: str, field: str) -> None:
    """Invalid naming `field`: a rule written inline, run through Refusals' `check(refuse, key, field)`."""
    raise Invalid(key, field=field)


class FieldErrors(Invalid):
    """Several fields refused by one submission, so a form shows every error at once, each beside its field.
    Its key and params are the first error's: a caller telling errors by key sees what one Invalid showed."""

    def __init__(self, errors: dict[str, Invalid]) -> None:
        first = next(iter(errors.values()))
        super().__init__(first.key, **first.params)
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str, Invalid]:
        return dict(self._errors)


class Refusals:
    """Runs a submission's checks and refuses them together: `with Refusals() as check: check(fn, *args)`
    keeps each Invalid under its field (the first one per field) and goes on; at the end of the block one
    error is raised as it is, several as FieldErrors. `check` returns the check's result, None when refused."""

    def __init__(self) -> None:
        self.found: dict[str, Invalid] = {}

    def __enter__(self) -> Callable[..., object]:
        return self.check

    def check(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        try:
            return fn(*args, **kwargs)
        except Invalid as err:
            for field, error in err.errors.items():
                self.found.setdefault(field, error)
            return None

    def __exit__(self, kind, _value, _tb) -> None:
        if kind is None and self.found:
            raise next(iter(self.found.values())) if len(self.found) == 1 else FieldErrors(self.found)


class SignInFailed(DomainError):
    """The one message for a wrong name, a wrong password, a disabled or a locked account."""

    key = "auth.failed"


class Unchanged(DomainError):
    """A save that changes nothing: no write, no version bump, no audit row; the page says so neutrally."""

    key = "error.unchanged"


class StaleEdit(DomainError):
    """Somebody saved the record since it was loaded; params: who, when."""

    key = "error.stale"
