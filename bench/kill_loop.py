"""`python -m bench.kill_loop [--rounds 50] [--url URL] [--seed N] [--json PATH]`: kill -9 in the middle of saves
(issue 15, "Faults"), then the database checked for damage and for half-written records.

A fresh small demo office is built (migrated by db.migrate.upgrade, loaded by demo.build.build_demo) in a SQLite
file under a temporary folder, or, with --url, in a schema of its own in that PostgreSQL database (made and dropped
here, as tests/conftest.py does). Each round starts a worker process (`--worker`, below) that saves without pause
through the same core use cases the pages call, each in its own transaction as the app opens it: a call claimed and
recorded (core.callbacks.services), a work order taken in and moved along its flow (core.work_orders.services), a
complaint taken in and moved (core.complaints.services), a customer import (core.imports.services). After a seeded
random delay the worker gets SIGKILL. What is killed is the server's write path (the core services and the
database driver) in a process of its own, not a `streamlit run` server: the page layer above the use cases is not
in it, and writes nothing itself.

After each kill the database is opened again and checked: SQLite's `PRAGMA integrity_check` and `PRAGMA
foreign_key_check` (on PostgreSQL only the queries), then INVARIANTS, SQL that finds half-written records (a status
without its event, an event without its audit row, an attempt without its callback's transition, a follow-up
without what planned it, an import half applied). The worker appends a line to a journal, flushed and fsynced,
after each commit returns; every save the journal reports committed must be found in the database (no lost
committed write). The report is a table on stdout and JSON (bench/results-kill.json; -postgresql for a --url);
the exit status is 1 when anything failed. Not a test: `make kill-check` runs it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from core.accounts.sessions import actor_of
from core.callbacks import services as calls
from core.callbacks.rules import CallInput
from core.complaints import services as complaints
from core.complaints.flow import Move as CpMove
from core.complaints.rules import MoveInput as CpInput
from core.complaints.rules import NewComplaint
from core.errors import DomainError
from core.imports import read
from core.imports.fields import guess
from core.imports.plan import Options
from core.imports.services import run_import
from core.office.settings import load_office
from core.work_orders import services as work_orders
from core.work_orders.flow import Move as WoMove
from core.work_orders.rules import NewWorkOrder
from core.work_orders.steps import MoveInput as WoInput
from db.config import ROOT
from db.engine import make_engine, session_scope
from db.enums import CallOutcome, Channel, ComplaintCause, ComplaintChannel, PendingReason, Satisfaction, ServiceType
from db.migrate import upgrade
from db.models import Product, User
from demo.build import Scale, build_demo

SCALE = {"customers": 600, "work_orders": 2_000, "callbacks": 6_000, "complaints": 120, "leads": 100}
DELAY = (0.2, 1.5)  # seconds between the worker's first save and its SIGKILL
TAG = "Kill loop"  # what the worker's own orders and complaints start with
BASE_TABLES = ("audit_log", "call_attempts", "callbacks", "work_orders", "work_order_events", "complaints",
               "complaint_events", "import_batches", "customers")


# ---------------------------------------------------------------------------------------------------------------
# The invariants: each a query returning the offending rows (none: it holds). `:<table>` is the highest id the
# table had once the demo office was loaded (the demo writes no audit rows, so audit invariants look after it).


@dataclass(frozen=True)
class Invariant:
    name: str
    source: str  # where the rule comes from: the write path that writes these rows together
    sql: str


def _j(dialect: str, key: str, integer: bool = False) -> str:
    """The audit row's extra (changes["_"][key]) as text, or as an integer."""
    if dialect == "sqlite":
        return f"CAST(json_extract(l.changes, '$._.{key}') AS {'INTEGER' if integer else 'TEXT'})"
    out = f"(l.changes -> '_' ->> '{key}')"
    return f"CAST({out} AS INTEGER)" if integer else out


def _events_vs_audit(events: str, owner: str, entity: str, dialect: str) -> str:
    """Per record and move, as many events as audit rows naming that move, after the office was loaded (an
    intake's audit row has no move: it is counted as take_in)."""
    move = _j(dialect, "move")
    return f"""
        WITH ev AS (SELECT CAST({owner} AS TEXT) AS rid, COALESCE(move, 'take_in') AS mv, COUNT(*) AS n
                    FROM {events} WHERE id > :{events} GROUP BY 1, 2),
             au AS (SELECT l.entity_id AS rid, COALESCE({move}, 'take_in') AS mv, COUNT(*) AS n
                    FROM audit_log l WHERE l.id > :audit_log AND l.entity = '{entity}' GROUP BY 1, 2)
        SELECT ev.rid, ev.mv, ev.n AS events, au.n AS audits FROM ev LEFT JOIN au ON au.rid = ev.rid AND au.mv = ev.mv
        WHERE au.n IS NULL OR au.n <> ev.n
        UNION ALL
        SELECT au.rid, au.mv, NULL, au.n FROM au LEFT JOIN ev ON ev.rid = au.rid AND ev.mv = au.mv WHERE ev.n IS NULL"""


def invariants(dialect: str) -> list[Invariant]:
    attempt = _j(dialect, "attempt_id", integer=True)
    return [
        Invariant("wo_status_without_event", "core/work_orders/store.py write, services._open: the order's row "
                  "and its event in one transaction", """
            SELECT w.id, w.status FROM work_orders w
            WHERE w.status <> COALESCE((SELECT e.to_status FROM work_order_events e WHERE e.work_order_id = w.id
                                        ORDER BY e.id DESC LIMIT 1), '')"""),
        Invariant("wo_version_without_event", "core/work_orders/store.py write: version + 1 with one event (a note"
                  " keeps the version, store.UNVERSIONED)", """
            SELECT w.id, w.version FROM work_orders w
            WHERE w.version <> 1 + (SELECT COUNT(*) FROM work_order_events e WHERE e.work_order_id = w.id
                                    AND e.move IS NOT NULL AND e.move <> 'note')"""),
        Invariant("wo_event_without_audit", "core/work_orders/store.py write, services._open: event row and "
                  "audit row together", _events_vs_audit("work_order_events", "work_order_id", "work_order",
                                                         dialect)),
        Invariant("wo_complete_without_call", "core/work_orders/services.py _plan: completion plans the "
                  "after-repair call (WO-10) in the move's transaction", """
            SELECT w.id FROM work_orders w WHERE w.id > :work_orders AND w.completed_at IS NOT NULL
            AND w.service_type <> 'D' AND NOT EXISTS (SELECT 1 FROM callbacks c
                WHERE c.source_key = 'after_repair:work_order:' || CAST(w.id AS TEXT))"""),
        Invariant("wo_pend_without_call", "core/work_orders/services.py _plan: each wait plans its progress "
                  "call (WO-11) in the move's transaction", """
            SELECT w.id FROM work_orders w WHERE w.id > :work_orders AND w.service_type <> 'D'
            AND (SELECT COUNT(*) FROM work_order_events e WHERE e.work_order_id = w.id AND e.move = 'pend')
             <> (SELECT COUNT(*) FROM callbacks c WHERE c.work_order_id = w.id AND c.kind = 'progress')"""),
        Invariant("cp_status_without_event", "core/complaints/services.py write, open_complaint: the complaint's "
                  "row and its event in one transaction", """
            SELECT p.id, p.status FROM complaints p
            WHERE p.status <> COALESCE((SELECT e.to_status FROM complaint_events e WHERE e.complaint_id = p.id
                                        ORDER BY e.id DESC LIMIT 1), '')"""),
        Invariant("cp_version_without_event", "core/complaints/services.py write: version + 1 with one event "
                  "(notes, evidence, planned calls keep it: services.UNVERSIONED)", """
            SELECT p.id, p.version FROM complaints p
            WHERE p.version <> (SELECT COUNT(*) FROM complaint_events e WHERE e.complaint_id = p.id
                                AND e.move NOT IN ('note', 'evidence', 'plan_call'))"""),
        Invariant("cp_event_without_audit", "core/complaints/services.py write, open_complaint: event row and "
                  "audit row together", _events_vs_audit("complaint_events", "complaint_id", "complaint", dialect)),
        Invariant("cp_without_call", "core/complaints/services.py open_complaint: the CB-2 complaint call "
                  "planned at intake, in its transaction", """
            SELECT p.id FROM complaints p WHERE p.id > :complaints AND NOT EXISTS (SELECT 1 FROM callbacks c
                WHERE c.source_key = 'complaint:complaint:' || CAST(p.id AS TEXT))"""),
        Invariant("cb_attempts_count", "core/callbacks/services.py record_call: the attempt and the callback's "
                  "move (attempts_count + 1, flow.next_state) together", """
            SELECT c.id, c.attempts_count FROM callbacks c
            WHERE c.attempts_count <> (SELECT COUNT(*) FROM call_attempts a WHERE a.callback_id = c.id)"""),
        Invariant("cb_status_without_transition", "core/callbacks/flow.py outcome_move/TRANSITIONS: the "
                  "latest attempt's outcome and the callback's status agree", """
            SELECT c.id, c.status, a.outcome FROM callbacks c
            JOIN call_attempts a ON a.id = (SELECT MAX(x.id) FROM call_attempts x WHERE x.callback_id = c.id)
            WHERE a.id > :call_attempts AND NOT (
                (a.outcome = 'reached' AND c.status = 'completed')
             OR (a.outcome = 'wrong_number' AND c.status = 'not_completed')
             OR (a.outcome = 'call_later' AND c.status IN ('open', 'in_progress'))
             OR (a.outcome = 'not_reached' AND c.status IN ('open', 'in_progress', 'not_completed')))"""),
        Invariant("cb_attempt_without_audit", "core/callbacks/services.py record_call: one transition audit row "
                  "naming the attempt", f"""
            SELECT a.id FROM call_attempts a WHERE a.id > :call_attempts AND NOT EXISTS (
                SELECT 1 FROM audit_log l WHERE l.id > :audit_log AND l.entity = 'callback'
                AND l.entity_id = CAST(a.callback_id AS TEXT) AND l.action = 'transition' AND {attempt} = a.id)"""),
        Invariant("cb_audit_without_attempt", "core/callbacks/services.py record_call: an audit row naming an "
                  "attempt that was never written", f"""
            SELECT l.id FROM audit_log l WHERE l.id > :audit_log AND l.entity = 'callback' AND {attempt} IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM call_attempts a WHERE a.id = {attempt})"""),
        Invariant("cb_promise_without_due_item", "core/callbacks/followups.py promise_reply (CB-8): the "
                  "promised reply's due item in the call's transaction", """
            SELECT a.id FROM call_attempts a WHERE a.id > :call_attempts AND a.promised_reply_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM callbacks c
                WHERE c.source_key = 'promised_reply:call_attempt:' || CAST(a.id AS TEXT))"""),
        Invariant("cb_created_without_audit", "core/scheduling/sweep.py schedule_at_save, core/callbacks/"
                  "followups.py promise_reply: a callback created at a save has its create audit row", """
            SELECT c.id FROM callbacks c WHERE c.id > :callbacks AND NOT EXISTS (SELECT 1 FROM audit_log l
                WHERE l.id > :audit_log AND l.entity = 'callback' AND l.entity_id = CAST(c.id AS TEXT)
                AND l.action = 'create')"""),
        Invariant("import_without_audit", "core/imports/services.py _finish: the batch's audit row in the "
                  "import's one transaction", """
            SELECT b.id FROM import_batches b WHERE b.id > :import_batches AND NOT EXISTS (SELECT 1 FROM audit_log l
                WHERE l.id > :audit_log AND l.entity = 'import_batch' AND l.entity_id = CAST(b.id AS TEXT)
                AND l.action = 'import')"""),
        Invariant("import_rows_half_applied", "core/imports/services.py run_import: all the file's rows, or none "
                  "(customers named KL<tag>, products numbered KL<tag>-n, the batch file killloop-<tag>.csv)", """
            SELECT b.id, b.rows_created FROM import_batches b WHERE b.id > :import_batches AND (
                b.rows_created <> (SELECT COUNT(*) FROM customers c
                                   WHERE c.name LIKE 'KL' || substr(b.file_name, 10, 9) || '%')
             OR b.rows_created <> (SELECT COUNT(*) FROM products p
                                   WHERE p.order_no LIKE 'KL' || substr(b.file_name, 10, 9) || '-%'))"""),
        Invariant("import_rows_without_batch", "core/imports/services.py run_import: no imported customer "
                  "without its batch row", """
            SELECT c.id FROM customers c WHERE c.id > :customers AND c.name LIKE 'KL%' AND NOT EXISTS (
                SELECT 1 FROM import_batches b WHERE b.file_name = 'killloop-' || substr(c.name, 3, 9) || '.csv')"""),
        Invariant("customer_without_search_terms", "core/imports/services.py _Writer.flush (core.customers.search"
                  ".reindex in the same transaction)", """
            SELECT c.id FROM customers c WHERE c.id > :customers
            AND NOT EXISTS (SELECT 1 FROM customer_search_terms t WHERE t.customer_id = c.id)"""),
    ]


def baseline(engine: Engine) -> dict[str, int]:
    """The highest id of each table the invariants look after, once the office is loaded."""
    with engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {t}").scalar_one() for t in BASE_TABLES}


def integrity(engine: Engine) -> list[str]:
    """SQLite's own checks of the file; nothing to say on PostgreSQL (its pages are its own business)."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as conn:
        found = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
        keys = [f"foreign key: {tuple(r)}" for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]
    return ([] if found == ["ok"] else found) + keys


def half_written(engine: Engine, base: dict[str, int]) -> dict[str, list]:
    """Each invariant that finds rows, with (the first 5 of) them."""
    out = {}
    with engine.connect() as conn:
        for inv in invariants(engine.dialect.name):
            rows = conn.execute(text(inv.sql), base).all()
            if rows:
                out[inv.name] = [tuple(r) for r in rows[:5]] + ([f"… {len(rows)} rows"] if len(rows) > 5 else [])
    return out


# The journal: what each committed save must have left, one query per kind (`:id`, `:v` from the journal line).
FOUND = {
    "claim": "SELECT 1 FROM callbacks WHERE id = :id AND version >= :v",
    "call": "SELECT 1 FROM call_attempts WHERE id = :id",
    "wo_in": "SELECT 1 FROM work_orders WHERE id = :id",
    "wo_move": "SELECT 1 FROM work_orders WHERE id = :id AND version >= :v",
    "cp_in": "SELECT 1 FROM complaints WHERE id = :id",
    "cp_move": "SELECT 1 FROM complaints WHERE id = :id AND version >= :v",
    "import": "SELECT 1 FROM import_batches WHERE id = :id AND rows_created = :v",
}


def read_journal(path: Path) -> list[dict]:
    """The journal's whole lines (a line cut by the kill is not one)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines[:-1] if line]


def lost_writes(engine: Engine, journal: list[dict]) -> list[dict]:
    """The saves the worker saw committed that the database does not hold."""
    with engine.connect() as conn:
        return [e for e in journal if e.get("ok") and
                conn.execute(text(FOUND[e["k"]]), {"id": e["id"], "v": e.get("v", 0)}).first() is None]


# ---------------------------------------------------------------------------------------------------------------
# The worker: saves through the core use cases until it is killed.


class Journal:
    def __init__(self, path: Path) -> None:
        self.f = open(path, "a", encoding="utf-8")  # open until the process is killed

    def write(self, entry: dict, sync: bool = False) -> None:
        self.f.write(json.dumps(entry) + "\n")
        self.f.flush()
        if sync:
            os.fsync(self.f.fileno())


class Worker:
    """One of each party of the demo office, and the office's customers with a product, chosen from by a seeded
    random stream; `step` makes one save of a kind drawn by weight."""

    def __init__(self, url: str, seed: int, round_no: int, journal: Journal) -> None:
        self.engine = make_engine(url)
        self.rng, self.round, self.journal, self.n = Random(seed), round_no, journal, 0
        self.office = load_office(self.engine)
        with session_scope(self.engine) as s:
            users = {u.username: actor_of(u) for u in s.scalars(select(User))}
            self.products = [tuple(r) for r in s.execute(select(Product.customer_id, Product.id).order_by(Product.id))]
        self.spec, self.manager, self.engineer = users["specialist1"], users["manager"], users["engineer1"]

    def now(self) -> datetime:
        return datetime.now(UTC)

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def save(self, kind: str, fn) -> None:
        """One save: a begin line (flushed), the use case, then the commit line (fsynced) or the refusal."""
        self.journal.write({"begin": kind})
        try:
            entry = fn()
        except DomainError as e:  # a refusal is a save that wrote nothing, as it is on the page
            self.journal.write({"k": kind, "ok": False, "refused": e.key}, sync=True)
            return
        self.journal.write({"k": kind, "ok": True} | entry, sync=True)

    def step(self) -> None:
        kind = self.rng.choices(("call", "wo", "cp", "import"), weights=(4, 3, 2, 1))[0]
        getattr(self, f"_{kind}")()

    # calls (core.callbacks.services): claim, then record the call
    def _call(self) -> None:
        held = self.rows("SELECT id FROM callbacks WHERE level = 'L1' AND status = 'in_progress' "
                         "AND claimed_by_id = :me ORDER BY id LIMIT 1", me=self.spec.id)
        if held:
            cb = held[0].id
        else:
            free = self.rows("SELECT id FROM callbacks WHERE level = 'L1' AND status = 'open' ORDER BY id")
            if not free:
                return
            cb = self.rng.choice(free).id
            self.save("claim", lambda: {"id": cb, "v": calls.claim(self.engine, self.spec, cb, self.now()).version})
        self.save("call", lambda: {"id": calls.record_call(self.engine, self.spec, cb, self._call_input(),
                                                              self.now()).attempt_id, "cb": cb})

    def _call_input(self):
        outcome = self.rng.choices(list(CallOutcome), weights=(35, 35, 10, 20))[0]
        if outcome == CallOutcome.CALL_LATER:
            return CallInput(Channel.PHONE, outcome, call_again_at=self.now() + timedelta(days=1))
        if outcome != CallOutcome.REACHED:
            return CallInput(Channel.PHONE, outcome)
        extra, r = {}, self.rng.random()
        if r < 0.2:  # CB-8
            extra = {"questions": "When will the spare part arrive?",
                     "promised_reply_at": self.now() + timedelta(days=2)}
        elif r < 0.3:  # CB-7 → CP-1
            extra = {"wants_complaint": True, "complaint_description": f"{TAG}: the unit rattles after the repair"}
        elif r < 0.4:  # CB-7 → L-1
            extra = {"wants_products": True, "product_interest": "a second unit for the office"}
        return CallInput(Channel.PHONE, outcome, satisfaction=Satisfaction.SATISFIED, score=4,
                         suggestions="Call before noon", **extra)

    # work orders (core.work_orders.services): take in, then along the flow to completion
    def _wo(self) -> None:
        mine = self.rows("SELECT id, status, version FROM work_orders WHERE request LIKE :tag AND status IN "
                         "('new', 'dispatched', 'received', 'survey', 'in_repair', 'pending') ORDER BY id",
                         tag=f"{TAG}%")
        if len(mine) < 3:
            customer, product = self.rng.choice(self.products)
            data = NewWorkOrder(customer_id=customer, product_id=product, contact_name="Ann Lee", phone="13800000001",
                                address="8 Canal Road", request=f"{TAG}: the pump hums loudly and stops after ten "
                                "minutes", service_type=self.rng.choice((ServiceType.WARRANTY, ServiceType.INTERNAL)),
                                read_back=True)
            self.save("wo_in", lambda: {"id": work_orders.take_in(self.engine, self.spec, data, self.office,
                                                                  self.now())["id"]})
            return
        wo = self.rng.choice(mine)
        now = self.now()
        by, move, data = self.engineer, None, WoInput()
        if wo.status == "new":
            by, move, data = self.manager, WoMove.DISPATCH, WoInput(technician_id=self.engineer.id)
        elif wo.status == "pending":
            move = WoMove.RESUME
        elif wo.status == "in_repair" and self.rng.random() < 0.4:
            move, data = WoMove.PEND, WoInput(pending_reason=PendingReason.PARTS)
        elif wo.status == "in_repair":
            move, data = WoMove.COMPLETE, WoInput(service_ended_at=now, work_done="Replaced the bearing and ran the "
                                                  "pump for an hour")
        else:
            move = {"dispatched": WoMove.RECEIVE, "received": WoMove.SURVEY, "survey": WoMove.REPAIR}[wo.status]
        self.save("wo_move", lambda: {"id": wo.id, "move": move.value, "v": work_orders.apply_move(
            self.engine, by, wo.id, wo.version, move, data, self.office, now)})

    # complaints (core.complaints.services): take in, verify, not ours (replied), close, reopen
    def _cp(self) -> None:
        mine = self.rows("SELECT id, status, version FROM complaints WHERE description LIKE :tag AND reopen_count < 2 "
                         "ORDER BY id", tag=f"{TAG}: %")
        if len(mine) < 3:
            customer, product = self.rng.choice(self.products)
            data = NewComplaint(customer_id=customer, product_id=product, channel=ComplaintChannel.PHONE,
                                description=f"{TAG}: the display flickers every morning since delivery")
            self.save("cp_in", lambda: {"id": complaints.take_in(self.engine, self.spec, data, self.office,
                                                                 self.now())["id"]})
            return
        cp, now = self.rng.choice(mine), self.now()
        later = now + timedelta(days=3)
        move, data = {
            "received": (CpMove.VERIFY, CpInput(owner_id=self.manager.id, reply_deadline=later)),
            "verifying": (CpMove.NOT_OURS, CpInput(verification_note="Stock and inspection records checked",
                                                   cause=ComplaintCause.USAGE, reply_channel=Channel.PHONE,
                                                   explanation="The display dims by design in power-saving mode")),
            "replied": (CpMove.CLOSE, CpInput()),
            "closed": (CpMove.REOPEN, CpInput(note="The customer called again", reply_deadline=later)),
        }[cp.status]
        self.save("cp_move", lambda: {"id": cp.id, "move": move.value, "v": complaints.apply_move(
            self.engine, self.manager, cp.id, cp.version, move, data, now)})

    # a customer import (core.imports.services): a small CSV, every row a new customer with a product
    def _import(self) -> None:
        self.n += 1
        tag = f"{self.round:03d}{self.n:06d}"
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["客户名称", "手机号", "城市", "产品型号", "订单号", "购买日期"])
        for i in range(self.rng.randint(5, 40)):
            w.writerow([f"KL{tag}客户{i}", f"13{self.round % 100:02d}{self.n % 10000:04d}{i:03d}", "杭州", "X3",
                        f"KL{tag}-{i}", "2025-03-14"])
        src = read.source(f"killloop-{tag}.csv", out.getvalue().encode("utf-8"))
        tab = read.table(src)
        options = Options(mapping=guess(tab.headers))

        def go() -> dict:
            result = run_import(self.engine, self.manager, src, tab, options, self.now())
            return {"id": result.batch_id, "v": result.created}
        self.save("import", go)


def work(url: str, seed: int, round_no: int, journal_path: Path) -> None:
    journal = Journal(journal_path)
    worker = Worker(url, seed, round_no, journal)
    journal.write({"ready": True}, sync=True)
    while True:
        worker.step()


# ---------------------------------------------------------------------------------------------------------------
# The loop


@dataclass
class Office:
    url: str
    drop: object  # a callable that removes it


def make_office(folder: Path, url: str | None) -> Office:
    """A fresh office: a SQLite file in `folder`, or a new schema in the PostgreSQL database at `url`."""
    if url is None:
        office_url = f"sqlite:///{folder / 'office.sqlite'}"
        drop = lambda: None  # noqa: E731 (the folder goes with the run)
    else:
        schema = f"kill_{uuid.uuid4().hex[:12]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        office_url = f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"

        def drop() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    try:
        upgrade(office_url)
        engine = make_engine(office_url)
        try:
            build_demo(engine, scale=Scale(**SCALE))
        finally:
            engine.dispose()
    except BaseException:
        drop()
        raise
    return Office(office_url, drop)


def one_round(office_url: str, base: dict, round_no: int, seed: int, folder: Path) -> dict:
    """Start a worker, kill it a random while after its first save, check the database."""
    rng = Random(seed)
    journal_path, log_path = folder / f"round-{round_no:03d}.jsonl", folder / f"round-{round_no:03d}.log"
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bench.kill_loop", "--worker", office_url, "--seed", str(seed),
                                 "--round", str(round_no), "--journal", str(journal_path)],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not any(e.get("ready") for e in read_journal(journal_path)) and proc.poll() is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("the worker did not start within 60 s")
                time.sleep(0.05)
            delay = rng.uniform(*DELAY)
            time.sleep(delay)
            alive = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    journal = read_journal(journal_path)
    done = [e for e in journal if "k" in e]
    in_flight = journal[-1].get("begin") if journal and "begin" in journal[-1] else None
    engine = make_engine(office_url)
    try:
        t = time.perf_counter()
        damage = integrity(engine)
        half = half_written(engine, base)
        lost = lost_writes(engine, journal)
        check_s = time.perf_counter() - t
    finally:
        engine.dispose()
    worker_error = None if alive else log_path.read_text(errors="replace")[-2000:]
    return {"round": round_no, "seed": seed, "delay_s": round(delay, 3), "killed": alive,
            "killed_during": in_flight, "committed": sum(1 for e in done if e["ok"]),
            "refused": sum(1 for e in done if not e["ok"]),
            "by_kind": dict(Counter(e["k"] for e in done if e["ok"])),
            "refusals": dict(Counter(e["refused"] for e in done if not e["ok"])),
            "integrity": damage, "half_written": half, "lost": lost, "worker_error": worker_error,
            "check_s": round(check_s, 2), "seconds": round(time.perf_counter() - started, 2)}


def failed(r: dict) -> bool:
    return bool(r["integrity"] or r["half_written"] or r["lost"] or not r["killed"])


def run(rounds: int, url: str | None, seed: int) -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kill-loop-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        office = make_office(folder, url)
        build_s = time.perf_counter() - t
        try:
            engine = make_engine(office.url)
            try:
                base = baseline(engine)
                before = integrity(engine), half_written(engine, base)
            finally:
                engine.dispose()
            if any(before):
                raise SystemExit(f"the fresh office already fails its checks: {before}")
            results = []
            for i in range(1, rounds + 1):
                r = one_round(office.url, base, i, seed * 1000 + i, folder)
                results.append(r)
                print(_line(r), flush=True)
        finally:
            office.drop()
    backend = make_url(url).get_backend_name() if url else "sqlite"
    totals = {"rounds": rounds, "kills": sum(r["killed"] for r in results),
              "committed": sum(r["committed"] for r in results), "refused": sum(r["refused"] for r in results),
              "integrity_failures": sum(bool(r["integrity"]) for r in results),
              "half_written": sum(len(r["half_written"]) for r in results),
              "lost_writes": sum(len(r["lost"]) for r in results),
              "failed_rounds": sum(failed(r) for r in results),
              "by_kind": dict(sum((Counter(r["by_kind"]) for r in results), Counter())),
              "killed_during": dict(Counter(r["killed_during"] or "between saves" for r in results))}
    return {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "backend": backend, "seed": seed,
            "scale": SCALE, "delay_s": DELAY, "build_s": round(build_s, 1),
            "seconds": round(time.perf_counter() - started, 1), "totals": totals,
            "invariants": [{"name": i.name, "source": i.source} for i in invariants(backend)], "rounds": results}


def _line(r: dict) -> str:
    state = "FAIL" if failed(r) else "ok"
    kinds = " ".join(f"{k}={v}" for k, v in sorted(r["by_kind"].items()))
    out = (f"round {r['round']:3d}  {state:4}  killed after {r['delay_s']:.2f}s during {r['killed_during'] or '-':8}"
           f"  committed {r['committed']:4d} ({kinds})  refused {r['refused']}")
    for key in ("integrity", "half_written", "lost", "worker_error"):
        if r[key]:
            out += f"\n    {key}: {r[key]}"
    return out


def summary(report: dict) -> str:
    t = report["totals"]
    rows = [("rounds", t["rounds"]), ("kills (SIGKILL mid-run)", t["kills"]), ("saves committed", t["committed"]),
            ("saves refused by a rule", t["refused"]), ("integrity failures", t["integrity_failures"]),
            ("half-written records", t["half_written"]), ("lost committed writes", t["lost_writes"]),
            ("failed rounds", t["failed_rounds"]), ("seconds (with the build)", report["seconds"])]
    width = max(len(k) for k, _ in rows)
    lines = [f"kill loop on {report['backend']}, seed {report['seed']}"]
    lines += [f"  {k:<{width}}  {v}" for k, v in rows]
    lines.append(f"  committed by kind: {t['by_kind']}")
    lines.append(f"  killed during: {t['killed_during']}")
    return "\n".join(lines)


def results_path(url: str | None) -> Path:
    """bench/results-kill.json for SQLite, bench/results-kill-postgresql.json for a --url (bench.kpi's names)."""
    return ROOT / "bench" / ("results-kill.json" if url is None else
                             f"results-kill-{make_url(url).get_backend_name()}.json")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.kill_loop", description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--url", help="a PostgreSQL database to make (and drop) a schema of its own in")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--json", type=Path, help="where the report goes (default bench/results-kill[-postgresql].json)")
    p.add_argument("--worker", metavar="OFFICE_URL", help=argparse.SUPPRESS)
    p.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--journal", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a TERM kills the worker and drops the schema too
    if args.worker:
        work(args.worker, args.seed, args.round, args.journal)
        return
    report = run(args.rounds, args.url, args.seed)
    out = args.json or results_path(args.url)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(summary(report))
    print(f"report: {out}")
    sys.exit(1 if report["totals"]["failed_rounds"] else 0)


if __name__ == "__main__":
    main()
