"""The domain. Importing any part of it registers the input policy's safety net (core.inputs) on every
SQLAlchemy Session, so no row is flushed with a NUL, a lone surrogate or an over-long string."""

from core.inputs import refuse_unstorable

__all__ = ["refuse_unstorable"]
