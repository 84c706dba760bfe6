"""Job leases (issue 14): a scheduled job runs once however many server processes (or cron) start it. A lease is
one row of job_leases: taken by one UPDATE when it is free (expired: `until` passed), or by an INSERT when the job
has no row yet; two processes racing for it both write, and the database lets one win (the row lock, or the
primary key). The holder keeps it until its run ends (released) or `until` passes (a crashed holder)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError

from db.engine import session_scope
from db.models import JobLease

WEEKLY_REPORT = "weekly_report"
LEASE_TIME = timedelta(minutes=30)  # longer than any build and mail; a crashed holder frees it after this


def holder_name() -> str:
    """This process: hostname:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def take_lease(engine: Engine, name: str, holder: str, now: datetime, length: timedelta = LEASE_TIME) -> bool:
    """Whether `holder` now holds the lease `name` until now + length: it was free (expired) or missing."""
    until = now + length
    try:
        with session_scope(engine) as s:
            taken = s.execute(update(JobLease).where(JobLease.name == name, JobLease.until <= now)
                              .values(holder=holder, until=until).execution_options(synchronize_session=False))
            if taken.rowcount:
                return True
            if s.get(JobLease, name) is not None:
                return False  # held by somebody, not expired
            s.add(JobLease(name=name, holder=holder, until=until))
            s.flush()
        return True
    except IntegrityError:  # another process inserted the first row at the same moment: theirs
        return False


def release_lease(engine: Engine, name: str, holder: str, now: datetime) -> None:
    """The run is over: the lease is free from `now` (only the holder's own lease is released)."""
    with session_scope(engine) as s:
        s.execute(update(JobLease).where(JobLease.name == name, JobLease.holder == holder)
                  .values(until=now).execution_options(synchronize_session=False))
