"""The customer's timeline (C-4) and the specialist's records to complete (C-5) at a busy customer and a busy
specialist: `python -m bench.timeline [database URL]` (default: a new SQLite file) migrates an empty database,
writes one customer with ROWS rows of every kind (and their calls) among OTHERS customers of one specialist,
then times the timeline's first and a far page, a one-kind page, and the specialist's list (best of REPEAT,
warm). Prints the figures as JSON; the database is the caller's (a PostgreSQL schema is emptied first)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from core.customers.timeline import TimelineFilter, TimelineKind, customer_timeline
from core.customers.timeliness import incomplete_records
from core.permissions import Actor
from db.engine import make_engine, session_scope
from db.enums import CallOutcome, Channel, ComplaintChannel, IncomingCategory, LeadClass, Role, ServiceType
from db.migrate import upgrade
from db.models import CallAttempt, Callback, Complaint, Customer, IncomingCall, Lead, Product, User, WorkOrder

ROWS, OTHERS, REPEAT = 2000, 20_000, 5
NOW = datetime(2026, 11, 20, 6, tzinfo=UTC)
TZ = "Asia/Shanghai"


def _fill(engine) -> tuple[int, int]:
    """The busy customer's id and their specialist's id."""
    at = [NOW - timedelta(hours=i) for i in range(ROWS)]
    with session_scope(engine) as s:
        user = User(username="bench", display_name="Bench", role=Role.SPECIALIST)
        s.add(user)
        s.flush()
        s.execute(insert(Customer), [{"code": f"C{i:07d}", "name": f"C {i}", "phone": "13812345678",
                                      "specialist_id": user.id, "created_at": NOW} for i in range(1, OTHERS + 1)])
        s.execute(insert(Product), [{"customer_id": i, "order_no": f"SO{i:08d}", "model": "X1",
                                     "purchase_date": date(2026, 6, 1), "effective_date": date(2026, 6, 2),
                                     "delivery_date": date(2026, 6, 10)} for i in range(1, OTHERS + 1)])
        cid, u = 1, user.id
        s.execute(insert(Callback), [{"customer_id": cid, "kind": "new_customer", "due_start": t, "due_end": t,
                                      "assignee_id": u} for t in at])
        s.execute(insert(CallAttempt), [{"callback_id": i + 1, "caller_id": u, "attempted_at": t, "recorded_at": t,
                                         "channel": Channel.PHONE, "outcome": CallOutcome.REACHED}
                                        for i, t in enumerate(at)])
        s.execute(insert(Complaint), [{"number": f"CP{i:09d}", "customer_id": cid, "channel": ComplaintChannel.PHONE,
                                       "description": "x", "received_by_id": u, "received_at": t}
                                      for i, t in enumerate(at)])
        s.execute(insert(WorkOrder), [{"number": f"WO{i:09d}", "customer_id": cid, "contact_name": "x",
                                       "phone": "1", "address": "x", "request": "x", "intake_by_id": u,
                                       "intake_at": t, "service_type": ServiceType.WARRANTY}
                                      for i, t in enumerate(at)])
        s.execute(insert(Lead), [{"customer_id": cid, "name": "x", "phone": "1", "lead_class": LeadClass.B,
                                  "specialist_id": u, "created_at": t} for t in at])
        s.execute(insert(IncomingCall), [{"received_at": t, "phone": "1", "customer_id": cid, "taken_by_id": u,
                                          "category": IncomingCategory.EXISTING_PROBLEM} for t in at])
        return cid, u


def _best(fn) -> float:
    fn()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(min(times) * 1000, 2)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    url = args[0] if args else f"sqlite:///{tempfile.mkdtemp()}/timeline.sqlite"
    upgrade(url)
    engine = make_engine(url)
    cid, user = _fill(engine)
    manager, specialist = Actor(0, "m", "M", Role.MANAGER), Actor(user, "s", "S", Role.SPECIALIST)
    far = ROWS * 6 // 25 // 2
    figures = {
        "rows_of_the_customer": ROWS * 6, "specialists_customers": OTHERS,
        "first_page_ms": _best(lambda: customer_timeline(engine, manager, cid, TZ)),
        f"page_{far}_ms": _best(lambda: customer_timeline(engine, manager, cid, TZ, page=far)),
        "calls_only_ms": _best(lambda: customer_timeline(engine, manager, cid, TZ,
                                                         TimelineFilter((TimelineKind.CALL,)))),
        "records_to_complete_ms": _best(lambda: incomplete_records(engine, specialist, user, NOW, TZ)),
    }
    print(json.dumps({"database": engine.dialect.name} | figures, indent=1))
    engine.dispose()


if __name__ == "__main__":
    main()
