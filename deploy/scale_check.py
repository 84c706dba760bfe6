"""`python -m deploy.scale_check` (`make scale-check`): two app servers on one PostgreSQL database behind nginx,
started on this machine, worked from two browsers, and stopped again (issue 15, "Two servers, one database").

What it does, in order, printing each check as it goes:
1. a PostgreSQL database of its own (`scale_check_<pid>`), migrated, with a small English demo office and the demo
   passwords (as the browser tests build theirs);
2. two `streamlit run launcher.py` servers on free ports, both with that DATABASE_URL, one shared
   STREAMLIT_SERVER_COOKIE_SECRET, one BACKUP_DIR, and their schedulers on (the daily backup and the weekly
   report each try to run at start);
3. nginx (Debian's) with deploy/nginx.conf.template filled with the ports and a temporary prefix;
4. headless chromium: browser A arrives without a route and gets nginx's `sdroute` cookie; browser B carries a
   route that hashes to the other server; each signs in as the demo manager and shows it landed on a server of its
   own (nginx's X-Upstream header); both open the same customer, change its notes and save at once: exactly one
   save wins, the other is told the record was changed by someone else, and the database holds the winner's
   notes one version on; each imports a CSV through its uploader; browser A, moved to the other server by its
   route cookie, is still signed in (sessions live in the database); and a control: browser C's route changed
   under an open page sends its upload to the other server, which refuses it (why the affinity is needed);
5. nginx's access log: every request of each browser, its websocket and its uploads included, reached one server;
6. the daily jobs ran once across the two processes: one backup file, one weekly report;
7. everything stopped, the database dropped. Exit status 1 when any check failed.

Not a test of the suite (issue 15: nothing here is a timed assertion); about a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, set_demo_passwords
from core.backup.rules import DAILY_HOUR, daily_due
from core.backup.services import backups
from core.i18n import t
from core.office.settings import load_office as load_settings
from db.engine import make_engine, session_scope
from db.enums import Role
from db.migrate import upgrade
from db.models import AuditEntry, Customer, WeeklyReport
from demo.build import Scale, build_demo

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCALE = Scale(customers=150, work_orders=300, callbacks=800, complaints=60, leads=40)  # the browser tests' office
LANG, LOCALE = "en", "en-US"
WAIT_MS = 60_000
ROUTE = "sdroute"
IMPORT_HEADERS = ["姓名", "手机", "城市", "生日", "备注"]  # an older system's export, as tests/e2e imports one


class Report:
    """The checks as they pass or fail, printed one a line."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        print(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        if not ok:
            self.failed.append(name)
        return ok


def step(title: str) -> None:
    print(f"\n{title}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database ---------------------------------------------------------------------------------------------

@contextmanager
def database(server: str, name: str):
    """A database of its own on the PostgreSQL at `server`, dropped afterwards whatever happened; yields its URL."""
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        print(f"\ndatabase {name} dropped", flush=True)


def load_office(url: str) -> None:
    """Migrated, the demo office loaded, the demo accounts given the demo password (a real office's have none)."""
    upgrade(url)
    engine = make_engine(url)
    try:
        build_demo(engine, locale=LANG, scale=SCALE)
        set_demo_passwords(engine)
    finally:
        engine.dispose()


# --- the processes --------------------------------------------------------------------------------------------

def wait_for(url: str, proc: subprocess.Popen, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} within {seconds:.0f} s")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def app_servers(url: str, ports: list[int], work: Path):
    """`streamlit run launcher.py` on each port, all on the one database with the one cookie secret and backup
    folder, as deploy's README starts them; yields their addresses once every one answers its health check."""
    env = os.environ | {"DATABASE_URL": url, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
                        "BACKUP_DIR": str(work / "backups"), "SERVICEDESK_EXPORT_DIR": str(work / "exports")}
    procs = []
    try:
        for port in ports:
            log = open(work / f"app-{port}.log", "wb")  # closed with the process, below
            procs.append((subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "launcher.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        for (proc, _), port in zip(procs, ports, strict=True):
            wait_for(f"http://127.0.0.1:{port}/_stcore/health", proc, f"the app server on port {port}")
        yield [f"127.0.0.1:{port}" for port in ports]
    finally:
        for proc, log in procs:
            stop(proc)
            log.close()


def render(template: str, prefix: Path, listen: str, apps: list[str]) -> str:
    filled = template.replace("@PREFIX@", str(prefix)).replace("@LISTEN@", listen)
    return filled.replace("@APP_A@", apps[0]).replace("@APP_B@", apps[1])


@contextmanager
def nginx(work: Path, port: int, apps: list[str]):
    """nginx with the filled template under its own prefix (its pid, logs and temp files there); yields its base
    URL. Stopped fast (SIGTERM): a graceful stop would wait for the browsers' websockets."""
    prefix = work / "nginx"
    prefix.mkdir()
    prefix.chmod(0o755)  # started as root, its workers run as nobody and write the temp folders here
    work.chmod(0o755)
    conf = prefix / "nginx.conf"
    conf.write_text(render(TEMPLATE.read_text(), prefix, f"127.0.0.1:{port}", apps))
    base = ["-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    subprocess.run([NGINX, *base, "-t", "-q"], check=True)
    proc = subprocess.Popen([NGINX, *base, "-g", "daemon off;"])
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", proc, "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


# --- through nginx --------------------------------------------------------------------------------------------

def upstream_of(base: str, route: str) -> str:
    """The server nginx sends a browser carrying route cookie `route` to (its X-Upstream header)."""
    req = urllib.request.Request(f"{base}/_stcore/health", headers={"Cookie": f"{ROUTE}={route}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.headers["X-Upstream"]


def route_to(base: str, server: str, prefix: str = "pinned") -> str:
    """A route cookie value that nginx's consistent hash sends to `server`."""
    for n in range(500):
        if upstream_of(base, f"{prefix}-{n}") == server:
            return f"{prefix}-{n}"
    raise RuntimeError(f"no route found to {server}")


def routed_log(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    """nginx's access log (the template's `routed` format) by route: (request, status, upstream) each."""
    line = re.compile(r'"(?P<req>[^"]*)" (?P<status>\d+) route=(?P<route>\S*) upstream=(?P<up>\S*)')
    by_route: dict[str, list[tuple[str, str, str]]] = {}
    for m in map(line.search, path.read_text().splitlines()):
        if m:
            by_route.setdefault(m["route"], []).append((m["req"], m["status"], m["up"]))
    return by_route


# --- the browsers ---------------------------------------------------------------------------------------------

def settled(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=WAIT_MS)


def heading(page, key: str):
    return page.get_by_role("heading", name=t(key, LANG), level=1)


class Browser:
    """One browser context (its own cookies: one signed-in person) and the servers that answered it."""

    def __init__(self, name: str, browser, base: str) -> None:
        self.name, self.base = name, base
        self.context = browser.new_context(locale=LOCALE, viewport={"width": 1400, "height": 1200})
        self.page = self.context.new_page()
        self.servers: list[str] = []
        self.page.on("response", self._seen)

    def _seen(self, response) -> None:
        if response.url.startswith(self.base) and response.headers.get("x-upstream"):
            self.servers.append(response.headers["x-upstream"])

    def route(self) -> str | None:
        return next((c["value"] for c in self.context.cookies() if c["name"] == ROUTE), None)

    def pin(self, route: str) -> None:
        self.context.add_cookies([{"name": ROUTE, "value": route, "url": self.base}])

    def sign_in(self, role: Role, next_path: str) -> str:
        """Signed in through nginx on the app's own form; returns the server that answered the sign-in page."""
        response = self.page.goto(f"{self.base}/auth/signin?next={next_path}")
        self.page.fill("#username", DEMO_ACCOUNTS[role])
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        return response.headers.get("x-upstream", "?")

    def customer_form(self, customer_id: int):
        """The customer's record with its correction form open; returns the form."""
        self.page.goto(f"{self.base}/customers?id={customer_id}")
        heading(self.page, "nav.customers").wait_for(timeout=WAIT_MS)
        settled(self.page)
        self.page.get_by_text(t("cu.correct", LANG), exact=True).click()
        save = self.page.get_by_role("button", name=t("cu.save", LANG), exact=True)
        form = self.page.locator('[data-testid="stForm"]').filter(has=save)
        form.wait_for(timeout=WAIT_MS)
        return form

    def import_csv(self, path: Path) -> None:
        self.page.goto(f"{self.base}/import")
        heading(self.page, "nav.imports").wait_for(timeout=WAIT_MS)
        settled(self.page)
        self.page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        run = self.page.get_by_role("button", name=t("import_ui.run", LANG), exact=True)
        run.wait_for(timeout=WAIT_MS)
        settled(self.page)
        run.click()
        self.page.get_by_text(t("import_ui.done", LANG, name=path.name)).wait_for(timeout=WAIT_MS)

    def exceptions(self) -> int:
        return self.page.locator('[data-testid="stException"]').count()


def stale_fragment() -> str:
    """The fixed part of the app's "changed by someone else" message (core.errors.StaleEdit)."""
    return max(t("error.stale", LANG, who="\0", when="\0").split("\0"), key=len).strip()


def customer_state(url: str, customer_id: int) -> tuple[int, str | None]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            c = s.get(Customer, customer_id)
            return c.version, c.notes
    finally:
        engine.dispose()


def scalar(url: str, stmt):
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return s.scalar(stmt)
    finally:
        engine.dispose()


def csv_file(folder: Path, tag: str, first_phone: int) -> tuple[Path, list[str]]:
    names = [f"Scale{tag} Alpha", f"Scale{tag} Beta"]
    rows = [[name, str(first_phone + i), "Beijing", "1985-03-12", f"via server {tag}"] for i, name in enumerate(names)]
    path = folder / f"scale-check-{tag}.csv"
    path.write_text("\r\n".join(",".join(r) for r in [IMPORT_HEADERS, *rows]), encoding="utf-8")
    return path, names


# --- the check ------------------------------------------------------------------------------------------------

def work_the_servers(report: Report, url: str, base: str, apps: list[str], work: Path) -> dict[str, str]:
    """The browser part (steps 4); returns each browser's route cookie."""
    from playwright.sync_api import sync_playwright

    step("two browsers through nginx")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        a, b = Browser("A", browser, base), Browser("B", browser, base)
        server_a = a.sign_in(Role.MANAGER, "/customers")
        route_a = a.route()
        report.check("nginx set a route cookie for a browser without one", bool(route_a),
                     f"{ROUTE}={(route_a or '')[:8]}…")
        other = next(s for s in apps if s != server_a)
        b.pin(route_to(base, other))
        server_b = b.sign_in(Role.MANAGER, "/customers")
        for x in (a, b):
            heading(x.page, "nav.customers").wait_for(timeout=WAIT_MS)
            settled(x.page)
        report.check("both browsers signed in, each on a server of its own", server_a != server_b
                     and {server_a, server_b} == set(apps), f"A → {server_a}, B → {server_b}")

        # the same record from both: exactly one save wins, across processes
        customer_id = scalar(url, select(func.min(Customer.id)))
        version, _ = customer_state(url, customer_id)
        audit_mark = scalar(url, select(func.coalesce(func.max(AuditEntry.id), 0)))
        typed = {}
        forms = {x.name: x.customer_form(customer_id) for x in (a, b)}
        for x in (a, b):
            typed[x.name] = f"noted through server {x.name} at {time.time():.3f}"
            forms[x.name].get_by_label(t("cu.notes", LANG), exact=True).fill(typed[x.name])
        for x in (a, b):  # both clicks sent before either answer comes back
            forms[x.name].get_by_role("button", name=t("cu.save", LANG), exact=True).click()
        stale, saved = stale_fragment(), t("cu.saved", LANG)
        told, deadline = {}, time.monotonic() + WAIT_MS / 1000
        while len(told) < 2 and time.monotonic() < deadline:  # both watched at once: "saved" is a passing toast
            for x in (a, b):
                if x.name not in told and x.page.get_by_text(stale).count():
                    told[x.name] = "stale"
                elif x.name not in told and x.page.get_by_text(saved).count():
                    told[x.name] = "saved"
            time.sleep(0.1)
        new_version, notes = customer_state(url, customer_id)
        winner = next((n for n, v in typed.items() if v == notes), None)
        updates = scalar(url, select(func.count()).select_from(AuditEntry).where(
            AuditEntry.id > audit_mark, AuditEntry.entity == "customer", AuditEntry.entity_id == str(customer_id)))
        report.check("the same customer saved from both servers at once: exactly one save won",
                     winner is not None and new_version == version + 1 and updates == 1,
                     f"customer {customer_id} version {version} → {new_version}, notes from browser {winner}, "
                     f"{updates} audit row")
        loser = next((n for n in typed if n != winner), None)
        report.check("the winner was told it saved, the other that someone else changed the record first",
                     winner is not None and told.get(winner) == "saved" and told.get(loser) == "stale",
                     f"A: {told.get('A')}, B: {told.get('B')}")

        # an upload through each server
        for x, phone in ((a, 13996001001), (b, 13996002001)):
            path, names = csv_file(work, x.name, phone)
            x.import_csv(path)
            found = scalar(url, select(func.count()).select_from(Customer).where(Customer.name.in_(names)))
            report.check(f"browser {x.name} imported a CSV through {x.servers[-1]}",
                         found == len(names) and x.exceptions() == 0, f"{found} of {len(names)} customers stored")

        for x in (a, b):
            report.check(f"every response to browser {x.name} came from one server",
                         len(set(x.servers)) == 1, f"{len(x.servers)} responses from {sorted(set(x.servers))}")
        routes = {"A": route_a, "B": b.route()}

        # browser A moved to the other server (as when its own is stopped): still signed in
        a.pin(routes["B"])
        response = a.page.goto(f"{base}/customers")
        heading(a.page, "nav.customers").wait_for(timeout=WAIT_MS)
        moved_to = response.headers.get("x-upstream")
        report.check("browser A, sent to the other server, is still signed in (sessions live in the database)",
                     moved_to == server_b and "/auth/signin" not in a.page.url, f"{server_a} → {moved_to}")
        a.context.close()
        b.context.close()
        without_affinity(report, Browser("C", browser, base), apps, work / "nginx" / "access.log")
        browser.close()
    return routes


def without_affinity(report: Report, c: Browser, apps: list[str], log: Path) -> None:
    """The control: browser C opens the import page on one server, then its route cookie is changed under the
    open page (as a balancer without affinity would), so its upload reaches the other server, which knows
    nothing of its session and refuses it (Streamlit: "Invalid session_id ... without sticky sessions")."""
    here, there = route_to(c.base, apps[0], "control"), route_to(c.base, apps[1], "control")
    c.pin(here)
    c.sign_in(Role.MANAGER, "/import")
    heading(c.page, "nav.imports").wait_for(timeout=WAIT_MS)
    settled(c.page)
    c.pin(there)
    path, _ = csv_file(log.parent.parent, "C", 13996003001)
    c.page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    deadline, puts = time.monotonic() + 30, []
    while not puts and time.monotonic() < deadline:
        time.sleep(0.5)
        puts = [r for r in routed_log(log).get(there, []) if r[0].startswith("PUT /_stcore/upload_file")]
    report.check("control: without affinity an upload is refused by the other server",
                 bool(puts) and all(status == "400" and up == apps[1] for _, status, up in puts),
                 ", ".join(f"PUT → {up}: {status}" for _, status, up in puts) or "no upload reached nginx")
    c.context.close()


def check_affinity(report: Report, log: Path, routes: dict[str, str], moved: str) -> None:
    step("nginx's access log: each browser's requests by server")
    by_route = routed_log(log)
    for name, route in routes.items():
        rows = by_route.get(route, [])
        servers = sorted({up for _, _, up in rows if up != "-"})
        stream = [r for r in rows if "/_stcore/stream" in r[0]]
        uploads = [r for r in rows if "/_stcore/upload_file" in r[0] and r[0].startswith("PUT")]
        ok = len(servers) == 1 and stream and uploads and all(s < "300" for _, s, _ in uploads)
        report.check(f"browser {name}'s requests all reached one server", bool(ok),
                     f"{len(rows)} requests ({len(stream)} websocket, {len(uploads)} upload) → {servers}"
                     + (" (browser A's moved visit included)" if name == moved else ""))


def check_daily_jobs(report: Report, url: str, folder: Path) -> None:
    """The schedulers of both servers tried the daily backup and the weekly report at start: one of each."""
    step("the daily jobs, tried by both servers at start")
    engine = make_engine(url)
    try:
        due = daily_due([], datetime.now(UTC), load_settings(engine).timezone)
    finally:
        engine.dispose()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        held = scalar(url, text("SELECT count(*) FROM job_leases WHERE until > now()"))
        if (backups(folder) or not due) and scalar(url, select(func.count()).select_from(WeeklyReport)) and not held:
            break
        time.sleep(1)
    taken = backups(folder)
    if due:
        report.check("one backup taken, not two", len(taken) == 1, ", ".join(p.name for p in taken) or "none")
    else:  # before 02:00 office time no server takes one: nothing to count
        print(f"        the daily backup is not due before {DAILY_HOUR}:00 office time: not checked", flush=True)
    reports = scalar(url, select(func.count()).select_from(WeeklyReport))
    # a week's report is unique in the database (a second build would be refused), so this shows it was built, and
    # the lease below by which process; the backup above is the one a second server could have doubled
    report.check("the weekly report built and stored once", reports == 1, f"{reports} stored")
    holders = scalar(url, text("SELECT string_agg(name || ' by ' || holder, '; ') FROM job_leases"))
    print(f"        leases: {holders}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                        help="the PostgreSQL server (a database scale_check_<pid> is made there and dropped)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' and nginx's logs")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a TERM stops the servers and drops the database too
    report, started = Report(), time.monotonic()
    name = f"scale_check_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="scale-check-"))
    try:
        with ExitStack() as stack:
            url = stack.enter_context(database(args.server, name))
            step(f"database {name} on {make_url(url).render_as_string(hide_password=True)}")
            load_office(url)
            report.check("migrated, demo office loaded", True, f"{SCALE.customers} customers")
            ports = [free_port(), free_port()]
            apps = stack.enter_context(app_servers(url, ports, work))
            report.check("two app servers up on one database", True, ", ".join(apps))
            base = stack.enter_context(nginx(work, free_port(), apps))
            report.check("nginx up with the filled template", True, base)
            routes = work_the_servers(report, url, base, apps, work)
            time.sleep(1)  # nginx writes a websocket's line when it closes
            check_affinity(report, work / "nginx" / "access.log", routes, "B")
            check_daily_jobs(report, url, work / "backups")
            step("stopping nginx and the servers")
    except Exception as err:  # noqa: BLE001 - a step that could not run is a failed check, reported
        report.check("the check ran to its end", False, f"{type(err).__name__}: {err}")
        for log in sorted(work.glob("app-*.log")) + sorted(work.glob("nginx/error.log")):
            print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
    finally:
        if args.keep_logs:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - started
    if report.failed:
        print(f"\nFAILED ({len(report.failed)}): {'; '.join(report.failed)}  [{took:.0f} s]")
        return 1
    print(f"\nall checks passed  [{took:.0f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
