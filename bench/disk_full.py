"""`python -m bench.disk_full [--size-mb N] [--free-kb N] [--seed N] [--simulate] [--json PATH]`: the disk fills
up while the app writes its SQLite file (issue 15, "Faults": "a clear message, nothing corrupted").

A fresh small demo office is built in a temporary folder (bench.kill_loop.make_office, the kill loop's office), its
WAL checkpointed into the file, and its size taken. A tmpfs just above that size is mounted (`mount -t tmpfs -o
size=...`, root only; default size: the office + 2 MB), the office copied onto it with SQLite's backup API, and a
filler file written beside it so that only --free-kb stays free. Saves then run against the office there, through
the same core use cases as the kill loop's worker (bench.kill_loop.Worker: calls claimed and recorded, work orders
and complaints taken in and moved along, customer imports), each in its own transaction, one engine throughout,
until a save fails. When the machine will not mount a file system (not root, no permission, no `mount`), the disk
is simulated instead by SQLite's own size limit (PRAGMA max_page_count, the same SQLITE_FULL; what the tests use);
the output and the JSON say which one ran ("mode").

Checked after the failure: the error is named "disk_full" (db.engine.failure, what ui/feedback.py turns into the
message app.db_disk_full, printed in en and zh); PRAGMA integrity_check and foreign_key_check; the kill loop's
invariants (no half-written record); every save that returned is found in the database (the kill loop's
lost_writes); the failed save left nothing (every table's row count, highest id and sum of versions as before it;
for an import, neither its batch nor any of its customers). Then the filler is deleted (or, without one, the tmpfs
remounted bigger; simulated: the page limit lifted) and the SAME engine saves again, and everything is checked once
more, then once again on a fresh connection after the engine is closed (what is on the file, not in a cache).
The mount is always unmounted. Report on stdout and in bench/results-disk-full.json; exit status 1 when any
check failed. Not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from bench.kill_loop import Worker, baseline, half_written, integrity, invariants, lost_writes, make_office
from core.i18n import t
from db.config import ROOT
from db.engine import failure, make_engine

ROOM = 4 << 20  # what freeing space makes free at least, in bytes
FREE_KB = 1024  # what the filler leaves free on the tmpfs: the WAL can grow by about 250 pages before it is full
SIM_PAGES = 48  # simulated: how many pages the file may still grow by
MAX_SAVES = 3000  # a run that has not filled the disk by then fails
RECOVERY_SAVES = 5  # saves after space was freed, each of which must commit
WEIGHTS = (4, 3, 2, 3)  # call, work order, complaint, import: the kill loop's mix, more imports (they need pages)
ROUND = 1  # the kill loop's round number, part of each import's tag


class MemoryJournal:
    """bench.kill_loop's journal, kept in memory (nothing here is killed): each save's begin, then its result."""

    def __init__(self) -> None:
        self.entries: list[dict] = []

    def write(self, entry: dict, sync: bool = False) -> None:
        self.entries.append(entry)


class FillWorker(Worker):
    """The kill loop's worker, a fingerprint of the database taken before each save (what a failed save must
    leave as it was)."""

    def __init__(self, url: str, seed: int) -> None:
        self.memory = MemoryJournal()
        super().__init__(url, seed, ROUND, self.memory)
        self.before: dict | None = None
        self.attempt: str | None = None

    def save(self, kind: str, fn) -> None:
        self.before, self.attempt = fingerprint(self.engine), kind
        super().save(kind, fn)

    def step(self) -> None:
        kind = self.rng.choices(("call", "wo", "cp", "import"), weights=WEIGHTS)[0]
        getattr(self, f"_{kind}")()

    def committed(self) -> int:
        return sum(1 for e in self.memory.entries if e.get("ok"))

    def import_tag(self) -> str:
        """The tag of the latest import (bench.kill_loop.Worker._import): its file and customers are named by it."""
        return f"{self.round:03d}{self.n:06d}"


def fingerprint(engine: Engine) -> dict[str, list]:
    """Every table's row count, and its highest id and sum of versions where it has them."""
    out = {}
    with engine.connect() as conn:
        names = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for name in names:
            cols = {r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{name}")')}
            parts = ["COUNT(*)"] + ["COALESCE(MAX(id), 0)"] * ("id" in cols) + \
                ["COALESCE(SUM(version), 0)"] * ("version" in cols)
            out[name] = list(conn.exec_driver_sql(f'SELECT {", ".join(parts)} FROM "{name}"').one())
    return out


def _files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.glob("office.sqlite*"))}


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _sh(*cmd: str) -> tuple[bool, str]:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return False, str(e)
    return done.returncode == 0, (done.stderr or done.stdout).strip()


class Disk:
    """Where the office lives while it fills: a tmpfs of its own (mode "tmpfs"), or, when none can be mounted, the
    build folder with SQLite's page limit (mode "max_page_count")."""

    def __init__(self) -> None:
        self.mode = "tmpfs"
        self.mount: Path | None = None
        self.mounted = False
        self.size_kb = 0
        self.filler: Path | None = None
        self.why_simulated: str | None = None
        self.page_limit: list[int] = [0]  # simulated: the limit each checkout sets (0: none)

    def try_mount(self, size_kb: int) -> bool:
        self.mount = Path(tempfile.mkdtemp(prefix="disk-full-mnt-"))
        ok, msg = _sh("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(self.mount))
        if ok:
            self.mounted, self.size_kb = True, size_kb
            return True
        self.mount.rmdir()
        self.mount, self.mode, self.why_simulated = None, "max_page_count", f"mount failed: {msg or 'no reason'}"
        return False

    def fill(self, free_kb: int) -> int:
        """A filler file taking all but `free_kb` of the tmpfs; its size."""
        self.filler = self.mount / "filler.bin"
        room = _free(self.mount) - free_kb * 1024
        if room <= 0:
            self.filler = None
            return 0
        with open(self.filler, "wb") as f:
            chunk = b"\0" * (1 << 20)
            left = room
            while left > 0:
                left -= f.write(chunk[:min(left, len(chunk))])
        return room

    def simulate(self, engine: Engine) -> None:
        """Each connection, when the engine hands it out, gets the current page limit (PRAGMA max_page_count)."""
        @event.listens_for(engine, "checkout")
        def limit(dbapi_conn, _record, _proxy) -> None:
            if self.page_limit[0]:
                dbapi_conn.execute(f"PRAGMA max_page_count = {self.page_limit[0]}")

    def free_space(self, engine: Engine) -> int:
        """What the office may still grow by: the tmpfs's free bytes; simulated, the pages left under the limit
        and on the freelist."""
        if self.mode == "tmpfs":
            return _free(self.mount)
        with engine.connect() as conn:
            page, count, freelist = (conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                                     for p in ("page_size", "page_count", "freelist_count"))
        return (max(self.page_limit[0] - count, 0) + freelist) * page

    def make_room(self) -> list[str]:
        """Free space without touching the engine: delete the filler, then, if that left less than ROOM, grow the
        tmpfs by what is missing (mount -o remount); simulated, lift the page limit. What was done."""
        if self.mode == "max_page_count":
            self.page_limit[0] = 1 << 30
            return ["PRAGMA max_page_count raised to 2^30 pages (set on each checkout)"]
        done = []
        if self.filler is not None:
            size = self.filler.stat().st_size
            self.filler.unlink()
            self.filler = None
            done.append(f"filler file deleted ({size // 1024} KB freed)")
        missing = ROOM - _free(self.mount)
        if missing > 0:
            self.size_kb += math.ceil(missing / 1024)
            ok, msg = _sh("mount", "-o", f"remount,size={self.size_kb}k", str(self.mount))
            done.append(f"tmpfs remounted with size={self.size_kb}k" + ("" if ok else f" FAILED: {msg}"))
        return done

    def unmount(self) -> str | None:
        """Always, last: the mount gone and its folder removed; what went wrong, if anything."""
        if not self.mount:
            return None
        problem = None
        if self.mounted or os.path.ismount(self.mount):  # (a kill may come between `mount` and its flag)
            ok, msg = _sh("umount", str(self.mount))
            if not ok:
                ok2, msg2 = _sh("umount", "-l", str(self.mount))  # something still holds a file open
                problem = f"umount: {msg}; lazy umount: {'ok' if ok2 else msg2}"
            self.mounted = False
        try:
            self.mount.rmdir()
        except OSError as e:
            problem = (problem + "; " if problem else "") + f"rmdir: {e}"
        self.mount = None
        return problem


def _checkpointed_size(path: Path) -> int:
    """Fold the WAL into the file (no connection left open) and return its size."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path.stat().st_size


def _copy(src: Path, dst: Path) -> None:
    """The office onto the tmpfs with SQLite's backup API (a consistent copy whatever the source's state)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        b.close()
        a.close()


def leftovers(worker: FillWorker) -> dict:
    """What the save that just failed left in the database: tables whose fingerprint changed since before it; for
    an import, its batch row and its customers (bench.kill_loop.Worker._import names them by the tag)."""
    left = _diff(worker.before, fingerprint(worker.engine))
    if worker.attempt == "import":
        tag = worker.import_tag()
        with worker.engine.connect() as conn:
            found = {"import_batch": conn.exec_driver_sql("SELECT COUNT(*) FROM import_batches WHERE file_name = ?",
                                                          (f"killloop-{tag}.csv",)).scalar(),
                     "imported_customers": conn.exec_driver_sql("SELECT COUNT(*) FROM customers WHERE name LIKE ?",
                                                                (f"KL{tag}%",)).scalar()}
        left |= {f"{k} (import {tag})": v for k, v in found.items() if v}
    return left


def _checks(engine: Engine, base: dict, journal: list[dict]) -> dict:
    return {"integrity": integrity(engine), "half_written": half_written(engine, base),
            "lost": lost_writes(engine, journal)}


def _diff(before: dict, after: dict) -> dict:
    return {k: {"before": before.get(k), "after": after.get(k)} for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}


def run(size_mb: float | None, free_kb: int, seed: int, simulate: bool) -> dict:
    started = time.perf_counter()
    checks: dict[str, bool] = {}
    report: dict = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "sqlite": sqlite3.sqlite_version,
                    "seed": seed, "checks": checks}
    disk = Disk()
    worker: FillWorker | None = None
    with tempfile.TemporaryDirectory(prefix="disk-full-") as tmp:
        folder = Path(tmp)
        try:
            t0 = time.perf_counter()
            office = make_office(folder, None)
            built = folder / "office.sqlite"
            size = _checkpointed_size(built)
            report["office"] = {"build_s": round(time.perf_counter() - t0, 1), "bytes": size,
                                "files_after_build": _files(folder), "with_wal_shm_bytes": size + 32 * 1024}
            if simulate:
                disk.mode, disk.why_simulated = "max_page_count", "--simulate given"
            else:
                want_kb = math.ceil(size_mb * 1024) if size_mb else math.ceil((size + 32 * 1024) / 1024) + 2048
                if want_kb * 1024 < size + 64 * 1024:
                    raise SystemExit(f"--size-mb {size_mb}: the office alone is {size / 2**20:.1f} MB")
                if disk.try_mount(want_kb):
                    _copy(built, disk.mount / "office.sqlite")
                    built.unlink()
            report["mode"] = disk.mode
            report["simulated_because"] = disk.why_simulated
            url = office.url if disk.mode == "max_page_count" else f"sqlite:///{disk.mount / 'office.sqlite'}"
            report["office"]["url"] = url

            worker = FillWorker(url, seed)
            engine = worker.engine
            engine_id = id(engine)
            base = baseline(engine)
            pre = _checks(engine, base, [])
            checks["fresh office passes its checks"] = not any(pre.values())
            if disk.mode == "tmpfs":
                report["tmpfs"] = {"size_kb": disk.size_kb, "free_after_copy": _free(disk.mount),
                                   "filler_bytes": disk.fill(free_kb), "free_before_saves": _free(disk.mount)}
            else:
                with engine.connect() as conn:
                    pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
                disk.simulate(engine)
                disk.page_limit[0] = pages + SIM_PAGES
                report["max_page_count"] = {"pages_at_start": pages, "limit": disk.page_limit[0]}

            # Fill: save until one fails.
            exc: BaseException | None = None
            t1 = time.perf_counter()
            while exc is None and worker.committed() < MAX_SAVES:
                try:
                    worker.step()
                except DBAPIError as e:  # the database's error, not a refusal (the worker keeps those)
                    exc = e
            fill = {"seconds": round(time.perf_counter() - t1, 2), "committed_before": worker.committed(),
                    "refused_before": sum(1 for e in worker.memory.entries if e.get("ok") is False),
                    "by_kind": {}, "free_bytes_at_failure": disk.free_space(engine)}
            for e in worker.memory.entries:
                if e.get("ok"):
                    fill["by_kind"][e["k"]] = fill["by_kind"].get(e["k"], 0) + 1
            if disk.mode == "tmpfs":
                files = fill["files_at_failure"] = _files(disk.mount)
                with engine.connect() as conn:
                    page, auto = (conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("page_size",
                                                                                         "wal_autocheckpoint"))
                # a WAL past the autocheckpoint, and a file that grew: a checkpoint ran out of room writing the file
                # (SQLite ignores that at the commit that triggered it), and the WAL kept growing until it was full
                fill["wal_frames_at_failure"] = (files.get("office.sqlite-wal", 32) - 32) // (page + 24)
                fill["wal_autocheckpoint"] = auto
                fill["file_grew_by"] = files["office.sqlite"] - size
            report["fill"] = fill
            checks["a save failed once the disk was full"] = exc is not None
            if exc is None:
                return _finish(report, started)
            kind = failure(exc)
            fill["failed_save"] = worker.attempt
            fill["exception"] = f"{type(exc).__module__}.{type(exc).__name__}: {str(exc).splitlines()[0]}"
            orig = getattr(exc, "orig", None)
            fill["sqlite_errorcode"] = getattr(orig, "sqlite_errorname", None)
            fill["failure"] = kind
            checks["db.engine.failure(exc) == 'disk_full'"] = kind == "disk_full"
            # the message the app shows for this error: its friendly "something went wrong" when failure() names none
            key = f"app.db_{kind}" if kind else "app.error"
            report["message"] = {lang: t(key, lang) for lang in ("en", "zh")}
            checks["the message is in the catalog (en, zh)"] = all(
                m and not m.startswith("app.") for m in report["message"].values())

            # What the failure left.
            after = _checks(engine, base, worker.memory.entries)
            report["after_failure"] = after
            checks["integrity_check ok, foreign_key_check empty"] = not after["integrity"]
            checks["no half-written record (kill loop's invariants)"] = not after["half_written"]
            checks["every save that returned is in the database"] = not after["lost"]
            left = leftovers(worker)
            report["failed_save_left"] = left
            checks["the failed save left nothing"] = not left

            # Room again: the same engine saves.
            recovery = {"how": disk.make_room(), "free_bytes": disk.free_space(engine)}
            report["recovery"] = recovery
            done_before, seen = worker.committed(), len(worker.memory.entries)
            errors = []
            try:
                worker._import()  # the kind that needs the most pages first
                while worker.committed() - done_before < RECOVERY_SAVES and len(worker.memory.entries) < 10 ** 5:
                    worker.step()
            except DBAPIError as e:
                errors.append(f"{worker.attempt}: {type(e).__name__}: {str(e).splitlines()[0]} (failure: {failure(e)})")
                recovery["failed_save_left"] = leftovers(worker)
            recovery["committed"] = worker.committed() - done_before
            recovery["kinds"] = [e["k"] for e in worker.memory.entries[seen:] if e.get("ok")]
            recovery["errors"] = errors
            recovery["same_engine"] = worker.engine is engine and id(worker.engine) == engine_id
            recovery["pool"] = engine.pool.status()
            checks["after space is freed the same engine saves again"] = (
                not errors and recovery["committed"] >= RECOVERY_SAVES and recovery["same_engine"])
            again = _checks(engine, base, worker.memory.entries)
            report["after_recovery"] = again
            checks["after recovery: integrity, invariants, no lost save"] = not any(again.values())
            if disk.mode == "tmpfs":
                recovery["files"] = _files(disk.mount)
            journal = worker.memory.entries
            engine.dispose()
            worker = None

            # On the file: a fresh engine once the one that filled the disk is closed.
            fresh = make_engine(url)
            try:
                reopened = _checks(fresh, base, journal)
            finally:
                fresh.dispose()
            report["reopened"] = reopened
            checks["reopened: integrity, invariants, no lost save"] = not any(reopened.values())
        finally:
            if worker is not None:
                worker.engine.dispose()
            report["unmount_problem"] = disk.unmount()
            if report["unmount_problem"]:
                checks["tmpfs unmounted"] = False
    return _finish(report, started)


def _finish(report: dict, started: float) -> dict:
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["ok"] = all(report["checks"].values())
    report["invariants"] = [i.name for i in invariants("sqlite")]
    return report


def summary(report: dict) -> str:
    lines = [f"disk full on SQLite {report['sqlite']}: mode {report.get('mode')}"
             + (f" (simulated: {report['simulated_because']})" if report.get("simulated_because") else "")]
    office, fill = report.get("office", {}), report.get("fill", {})
    if office:
        lines.append(f"  office: {office['bytes'] / 2**20:.1f} MB, built in {office['build_s']} s")
    if "tmpfs" in report:
        tm = report["tmpfs"]
        lines.append(f"  tmpfs: size={tm['size_kb']}k, filler {tm['filler_bytes'] // 1024} KB, "
                     f"{tm['free_before_saves'] // 1024} KB free before the saves")
    if "max_page_count" in report:
        lines.append(f"  max_page_count: {report['max_page_count']}")
    if fill:
        lines.append(f"  saves committed before the failure: {fill['committed_before']} {fill['by_kind']} "
                     f"in {fill['seconds']} s; refused by a rule: {fill['refused_before']}")
        if "exception" in fill:
            lines.append(f"  failed save: {fill['failed_save']}: {fill['exception']} [{fill['sqlite_errorcode']}]"
                         f" -> failure() = {fill['failure']!r}")
        lines.append(f"  free at the failure: {fill['free_bytes_at_failure']} bytes"
                     + (f"; files {fill['files_at_failure']}" if "files_at_failure" in fill else ""))
        if "wal_frames_at_failure" in fill:
            lines.append(f"  WAL at the failure: ~{fill['wal_frames_at_failure']} frames (autocheckpoint at "
                         f"{fill['wal_autocheckpoint']}); the file grew by {fill['file_grew_by']} bytes (checkpoints)")
    for lang, msg in report.get("message", {}).items():
        lines.append(f"  message ({lang}): {msg}")
    if "recovery" in report:
        r = report["recovery"]
        lines.append(f"  recovery: {'; '.join(r['how'])}; {r['committed']} saves committed on the same engine "
                     f"({r['same_engine']}), errors {r['errors'] or 'none'}")
    if report.get("failed_save_left"):
        lines.append(f"  the failed save left: {report['failed_save_left']}")
    for key in ("after_failure", "after_recovery", "reopened"):
        bad = {k: v for k, v in report.get(key, {}).items() if v}
        if bad:
            lines.append(f"  {key}: {bad}")
    lines.append("  checks:")
    lines += [f"    {'ok  ' if ok else 'FAIL'}  {name}" for name, ok in report["checks"].items()]
    lines.append(f"  {'all checks passed' if report['ok'] else 'SOME CHECKS FAILED'} in {report['seconds']} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.disk_full", description=__doc__.splitlines()[0])
    p.add_argument("--size-mb", type=float, help="the tmpfs's size (default: the office + 2 MB)")
    p.add_argument("--free-kb", type=int, default=FREE_KB, help="what the filler file leaves free on the tmpfs")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--simulate", action="store_true", help="no tmpfs: PRAGMA max_page_count, as without root")
    p.add_argument("--json", type=Path, default=ROOT / "bench" / "results-disk-full.json")
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still unmounts (run's finally)
    report = run(args.size_mb, args.free_kb, args.seed, args.simulate)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(summary(report))
    print(f"report: {args.json}")
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
