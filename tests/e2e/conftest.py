"""A real browser against a real server: the app is served by `streamlit run` on a free local port
over a small demo office, and Debian's chromium is driven by Playwright. Without chromium the browser
tests skip, except under CI, where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from demo.build import Scale
from tests.helpers import DEMO_NOW, DEMO_TODAY, demo_office

ROOT = Path(__file__).resolve().parents[2]
PINNED_CLOCK = Path(__file__).resolve().parent / "pinned_clock"
E2E_SCALE = Scale(customers=150, work_orders=300, callbacks=800, complaints=60, leads=40)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy")


@pytest.fixture(scope="session")
def e2e_db_url(tmp_path_factory) -> str:
    """A small demo office, with the demo passwords, for the served app: built for the pinned day and seed, so
    it holds the same rows on any date. The served app reads the real clock (its history is then months old);
    a test that needs a record due now makes it itself."""
    return demo_office(tmp_path_factory.mktemp("e2e") / "demo.sqlite", DEMO_TODAY, E2E_SCALE)


@contextmanager
def serve(url: str, clock_start: datetime | None = None):
    """`streamlit run launcher.py` on a free local port over the database at `url`; yields the base URL. With
    `clock_start` the app's clock starts at that instant and runs on (tests/e2e/pinned_clock); without, it is
    the machine's."""
    port = _free_port()
    env = os.environ | {"DATABASE_URL": url, "REPORT_SCHEDULER": "off"}  # no catch-up build racing tests
    if clock_start is not None:
        path = [str(PINNED_CLOCK), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        env |= {"E2E_CLOCK_START": clock_start.isoformat(), "PYTHONPATH": os.pathsep.join(path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "launcher.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def served_app(e2e_db_url):
    with serve(e2e_db_url) as base:
        yield base


@pytest.fixture(scope="session")
def served_on_demo_day(tmp_path_factory):
    """The demo office served by an app whose clock starts on the demo office's day (DEMO_NOW, 13:00 office
    time, after its history) and runs on: for screens whose periods count back from today (the dashboard),
    so their figures do not depend on the date the suite runs. Its own copy of the office, built the same:
    the other server's daily jobs, run at the machine's date, would write rows in this clock's future."""
    url = demo_office(tmp_path_factory.mktemp("e2e_pinned") / "demo.sqlite", DEMO_TODAY, E2E_SCALE)
    with serve(url, clock_start=DEMO_NOW) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which("chromium") or os.path.exists(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("chromium is not installed; .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_tab(browser):
    """new_tab(locale=..., viewport=...) → a page in a browser context of its own (its own cookies: one
    signed-in person), closed when the test ends, whatever it did."""
    contexts = []

    def _open(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield _open
    for context in contexts:
        context.close()


def sign_in(page, base: str, role, password: str = DEMO_PASSWORD, next_path: str = "/") -> None:
    """Fill the app's own sign-in form as the demo user of `role`."""
    page.goto(f"{base}/auth/signin?next={next_path}")
    page.fill("#username", DEMO_ACCOUNTS[role])
    page.fill("#password", password)
    page.click("button[type=submit]")
