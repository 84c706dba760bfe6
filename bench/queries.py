"""Core's read functions timed directly at the benchmark office, for what no page shows alone yet or what a page
shows among other things: the complaints list (its default view and the escalated-or-overdue one, CP-5), the
complaint log with its summary for a month (CP-4, K-3), the dispatch board (WO-3) and one engineer's work-order
list (issue 12), and the customer search at 300,000 customers (issue 13: a name, a phone spelled otherwise, pinyin
initials). Each is timed warm, beside the naive pandas way of bench.baseline where there is one, and the
figures of both are kept: `agrees` says whether the naive way found the same."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime

from pypinyin import Style, pinyin
from sqlalchemy import Engine, func, select

from bench import baseline
from bench.pages import summary
from core.complaints.log import complaint_log, log_summary
from core.complaints.queries import ComplaintFilter, list_complaints
from core.customers.queries import CustomerFilter, list_customers
from core.customers.search import CJK
from core.office.settings import load_office
from core.permissions import Actor
from core.phones import digits
from core.work_orders import board
from core.work_orders.queries import WorkOrderFilter, list_work_orders, technicians
from db.engine import make_engine
from db.enums import Role
from db.models import Customer

ACTOR = Actor(0, "bench", "Bench", Role.MANAGER)  # the read side checks the role alone
Fetch = Callable[[Engine, datetime, str], dict]  # (engine, now, office time zone) → the figures shown


def _page(found) -> dict:
    return {"total": found.total, "first_page": [r["id"] for r in found.rows]}


def complaints_list(engine: Engine, now: datetime, tz: str) -> dict:
    return _page(list_complaints(engine, ACTOR, ComplaintFilter(), tz, now))


def dispatch_board(engine: Engine, now: datetime, tz: str) -> dict:
    page = board.dispatch_board(engine, ACTOR, load_office(engine), now)
    return {"total": page.total, "first_page": [r["id"] for r in page.rows[:baseline.PAGE]]}


def engineer_orders(engine: Engine, now: datetime, tz: str) -> dict:
    """The first engineer's own list, as their phone opens it (the technician filter, newest intake first)."""
    me = min(technicians(engine), default=None)
    return _page(list_work_orders(engine, ACTOR, WorkOrderFilter(technician_id=me), tz))


def complaints_attention(engine: Engine, now: datetime, tz: str) -> dict:
    return _page(list_complaints(engine, ACTOR, ComplaintFilter(only_attention=True), tz, now))


def month_log(engine: Engine, now: datetime, tz: str) -> dict:
    return _page(complaint_log(engine, ACTOR, *baseline.month_before(now, tz), tz))


def month_summary(engine: Engine, now: datetime, tz: str) -> dict:
    got = log_summary(engine, ACTOR, *baseline.month_before(now, tz), tz, now)
    rate = lambda v: None if v is None else round(v, 6)  # noqa: E731
    causes = {"none" if k is None else k.value: n for k, n in got.counts_by_cause.items()}
    return {
        "received": got.received, "by_cause": causes,
        "models": len(got.counts_by_model), "repeat_customers": len(got.repeat_customers),
        "repeat_models": len(got.repeat_models), "reopen_rate": rate(got.reopen_rate),
        "closed_by_promised_date": rate(got.closed_by_promised_date),
    }


@functools.cache
def _sample(url: str) -> dict[str, str]:
    """The searches of issue 13, for the customer in the middle of the archive: their name, their phone spelled
    as somebody reads it out (+86 188-3838-7468 for a stored 18838387468), their name's pinyin initials."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            middle = conn.scalar(select(func.max(Customer.id))) // 2
            name, phone = conn.execute(select(Customer.name, Customer.phone).where(Customer.id >= middle)
                                       .order_by(Customer.id).limit(1)).one()
    finally:
        engine.dispose()
    d = digits(phone)[-11:]
    initials = "".join(r[0] for r in pinyin(CJK.findall(name) or [name], style=Style.FIRST_LETTER))
    return {"name": name, "phone": f"+86 {d[:3]}-{d[3:7]}-{d[7:]}", "initials": initials.lower()}


def _search(what: str) -> Fetch:
    """The Customers list searched through the index (C-1) at the benchmark office."""
    def fetch(engine: Engine, now: datetime, tz: str) -> dict:
        query = _sample(engine.url.render_as_string(hide_password=False))[what]
        return {"query": query, **_page(list_customers(engine, ACTOR, CustomerFilter(search=query), tz))}
    return fetch


QUERIES: dict[str, tuple[Fetch, Callable[[object, datetime], dict] | None]] = {
    "complaints list": (complaints_list, baseline.complaints),
    "complaints list · attention": (complaints_attention, baseline.complaints_attention),
    "complaint log · month": (month_log, baseline.complaint_log),
    "complaint log summary · month": (month_summary, baseline.complaint_log_summary),
    "dispatch board": (dispatch_board, baseline.dispatch_board),
    "work orders · one engineer's": (engineer_orders, baseline.engineer_orders),
    # issue 13: no naive baseline (a LIKE '%…%' scan finds neither another spelling nor pinyin)
    "customer search · a name": (_search("name"), None),
    "customer search · a phone spelled otherwise": (_search("phone"), None),
    "customer search · pinyin initials": (_search("initials"), None),
}


def _timed(fn: Callable[[], dict], runs: int) -> tuple[list[float], dict, str | None]:
    times, figures, error = [], {}, None
    for _ in range(runs):
        started = time.perf_counter()
        try:
            figures = fn()
        except Exception as exc:  # noqa: BLE001 - reported, as a page's exception is
            error = f"{type(exc).__name__}: {exc}"
        times.append((time.perf_counter() - started) * 1000)
    return times, figures, error


def time_query(engine: Engine, name: str, now: datetime, tz: str, runs: int, baseline_runs: int) -> dict:
    """One warm-up then `runs` timed calls of core's function; `baseline_runs` of the naive way."""
    fetch, naive = QUERIES[name]
    _timed(lambda: fetch(engine, now, tz), 1)
    times, figures, error = _timed(lambda: fetch(engine, now, tz), runs)
    entry = {"query": name, **summary(times, error), "figures": figures}
    if baseline_runs < 1 or naive is None:
        return entry | {"baseline": None, "ratio": None, "agrees": None}
    naive_times, naive_figures = [], {}
    for _ in range(baseline_runs):
        started = time.perf_counter()
        with engine.connect() as conn:
            naive_figures = naive(conn, now)
        naive_times.append((time.perf_counter() - started) * 1000)
    base = {"median_ms": round(sorted(naive_times)[len(naive_times) // 2], 1),
            "runs_ms": [round(t, 1) for t in naive_times], "figures": naive_figures}
    shared = naive_figures.keys() & figures.keys()
    return entry | {"baseline": base, "ratio": round(base["median_ms"] / entry["median_ms"], 1) if entry["median_ms"]
                    else None, "agrees": all(naive_figures[k] == figures[k] for k in shared) and bool(shared)}


def measure_queries(url: str, runs: int, baseline_runs: int, now: datetime) -> list[dict]:
    engine = make_engine(url)
    try:
        tz = load_office(engine).timezone
        return [time_query(engine, name, now, tz, runs, baseline_runs) for name in QUERIES]
    finally:
        engine.dispose()
