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
from datetime import date
from pathlib import Path

import pytest

from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, set_demo_passwords
from db.engine import make_engine
from db.migrate import upgrade
from demo.build import DEFAULT_SEED, Scale, build_demo

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
DEMO_TODAY = date(2026, 6, 17)  # the demo office's day, pinned: the same office whatever the date
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
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    build_demo(engine, seed=DEFAULT_SEED, today=DEMO_TODAY,
               scale=Scale(customers=150, work_orders=300, callbacks=800, complaints=60, leads=40))
    set_demo_passwords(engine)
    engine.dispose()
    return url


@contextmanager
def serve(url: str):
    """`streamlit run launcher.py` on a free local port over the database at `url`; yields the base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "launcher.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=os.environ | {"DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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


def sign_in(page, base: str, role, password: str = DEMO_PASSWORD, next_path: str = "/") -> None:
    """Fill the app's own sign-in form as the demo user of `role`."""
    page.goto(f"{base}/auth/signin?next={next_path}")
    page.fill("#username", DEMO_ACCOUNTS[role])
    page.fill("#password", password)
    page.click("button[type=submit]")
