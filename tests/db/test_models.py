"""Storage rules of the data model: UTC timestamps, enum values checked by the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from db.engine import session_scope
from db.models import Customer
from tests.factories import make_customer


def test_timestamps_are_stored_in_utc_and_read_back_aware(engine):
    shanghai = timezone(timedelta(hours=8))
    with session_scope(engine) as s:
        cid = make_customer(s, created_at=datetime(2026, 11, 20, 8, 0, tzinfo=shanghai)).id
    with session_scope(engine) as s:
        created = s.scalar(select(Customer.created_at).where(Customer.id == cid))
    assert created == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert created.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused(engine):
    with pytest.raises(StatementError), session_scope(engine) as s:
        make_customer(s, created_at=datetime(2026, 11, 20, 8, 0))


def test_the_database_refuses_an_unknown_enum_value(engine):
    with session_scope(engine) as s:
        cid = make_customer(s).id
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE customers SET grade = 'platinum' WHERE id = :id"), {"id": cid})
