"""CB-4 findings in the demo office: some of the re-check calls that found a customer less than satisfied,
or with their problem not solved, sent a finding back to the customer's specialist as a task; most of
those older than a week are done, with what the specialist did about it, while the recent ones and each
specialist's newest are still open on their My work.

Written after the rest of the office, from the re-check attempts already stored."""

from __future__ import annotations

from datetime import UTC, datetime
from random import Random
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, or_, select

from core.rechecks.findings import DEFAULT_DUE_DAYS, due_at
from db.enums import CallbackKind, CallOutcome, Satisfaction, TaskStatus
from db.models import CallAttempt, Callback, Customer, Task
from demo.clock import DAY, HOUR, MINUTE

if TYPE_CHECKING:
    from demo.build import Demo

SHARE = 0.6  # of the re-checks that found a neutral or dissatisfied customer
DONE_SHARE = 0.85  # of the findings between DONE_AFTER and 30 days old
DONE_AFTER = 7


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def write_findings(conn: Connection, demo: Demo) -> int:
    """Insert the demo's tasks; returns how many."""
    rng, clock, text = Random(f"{demo.seed}:findings"), demo.clock, demo.pools.text
    tz = demo.office.timezone
    found = conn.execute(
        select(Callback.id, Callback.customer_id, Customer.specialist_id, CallAttempt.id, CallAttempt.caller_id,
               CallAttempt.attempted_at)
        .join(CallAttempt, CallAttempt.callback_id == Callback.id).join(Customer, Customer.id == Callback.customer_id)
        .where(Callback.kind == CallbackKind.RECHECK, CallAttempt.outcome == CallOutcome.REACHED,
               or_(CallAttempt.satisfaction.in_((Satisfaction.NEUTRAL, Satisfaction.DISSATISFIED)),
                   CallAttempt.problem_solved.is_(False)),
               Customer.specialist_id.is_not(None))
        .order_by(CallAttempt.id)).all()
    rows, newest = [], {}
    for callback_id, customer_id, specialist_id, attempt_id, caller_id, attempted_at in found:
        created = int(attempted_at.timestamp()) + rng.randint(20, 90) * MINUTE
        if rng.random() >= SHARE or created >= clock.now:
            continue
        if specialist_id not in newest or created > rows[newest[specialist_id]]["created_at"].timestamp():
            newest[specialist_id] = len(rows)
        finding = rng.choice(text["findings"])
        age = clock.now - created  # a month-old finding is done; a week-old one mostly is
        done = age > 30 * DAY or (age > DONE_AFTER * DAY and rng.random() < DONE_SHARE)
        done_at = min(created + rng.randint(2, 40) * HOUR, clock.now - HOUR) if done else None
        rows.append({
            "customer_id": customer_id, "callback_id": callback_id, "attempt_id": attempt_id,
            "assignee_id": specialist_id, "created_by_id": caller_id, "created_at": _at(created),
            "due_at": due_at(_at(created), DEFAULT_DUE_DAYS, tz), "finding": finding,
            "status": TaskStatus.DONE if done else TaskStatus.OPEN, "done_at": _at(done_at) if done else None,
            "resolution": rng.choice(text["resolutions"]) if done else None, "version": 2 if done else 1,
        })
    for i in newest.values():  # each specialist has one still to do
        rows[i] |= {"status": TaskStatus.OPEN, "done_at": None, "resolution": None, "version": 1}
    for i in range(0, len(rows), 1000):
        conn.execute(insert(Task), rows[i:i + 1000])
    return len(rows)
