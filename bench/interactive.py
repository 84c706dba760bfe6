"""Time to interactive in a real browser (issue 15): `python -m bench.interactive [--db PATH] [--runs 3]
[--lang zh|en] [--roles manager,specialist,engineer] [--json PATH]`.

Builds (once, cached: bench.office) the demo office at its default scale in a SQLite file of its own, serves the
app with `streamlit run launcher.py` on a free port (as tests/e2e does) and drives headless chromium. For each
role, `runs` times in a fresh browser context: sign in through the app's own form, timed from the submit to the
first page interactive; then every other page of the role's navigation by its sidebar link and back to the
first, each timed from the click to interactive. Per page: median and max of the runs, those over 1.5 s marked,
on stdout and as JSON (bench/results-interactive.json).

Interactive: the Streamlit script run has finished (the stApp element's data-test-script-state is "notRunning",
after it was anything else since the click, the frontend's own signal that Streamlit's e2e tests wait for),
connected, no running icon in the status widget, no spinner or skeleton, and the page's heading (an h1 in the
main area) drawn. The moment is taken in the page (Date.now() in a MutationObserver, no polling delay) and
must hold for SETTLE_MS, so a run that starts again at once (st.rerun) counts to its end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import office
from bench.run import machine
from core.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, set_demo_passwords
from core.permissions import pages_for
from db.config import ROOT
from db.engine import make_engine
from db.enums import Role
from ui.web_auth import LANG_COOKIE

LIMIT_MS = 1500
SETTLE_MS = 400
TIMEOUT_MS = 60_000
DEFAULT_ROLES = (Role.MANAGER, Role.SPECIALIST, Role.ENGINEER)

# Installed in every document before its own scripts: window.__tti.readyAt is the last moment (Date.now()) the
# page became interactive, null while it is not; sawRun that a script run was seen since the last mark (MARK).
WATCH = """
(() => {
  const busy = '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"], '
    + '[data-testid="stStatusWidgetNewYearsIcon"], [data-testid="stSpinner"], [data-testid="stSkeleton"], '
    + '[data-testid="stAppSkeleton"]';
  const tti = window.__tti = {readyAt: null, sawRun: false, mark: Date.now()};
  const check = (records) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    const ran = (records || []).some(r => r.attributeName === 'data-test-script-state'
                                          && r.oldValue && r.oldValue !== 'notRunning');
    const h1 = document.querySelector('[data-testid="stMain"] h1');
    // A run seen: the state was other than notRunning, or (a run so short that React never drew "running") the
    // heading is another page's than at the mark.
    if (ran || (state && state !== 'notRunning') || (h1 && tti.markH1 !== undefined && h1.textContent !== tti.markH1))
      tti.sawRun = true;
    const ready = tti.sawRun && state === 'notRunning'
      && app.getAttribute('data-test-connection-state') === 'CONNECTED'
      && !document.querySelector(busy) && !!h1;
    if (!ready) tti.readyAt = null;
    else if (tti.readyAt === null) tti.readyAt = Date.now();
  };
  new MutationObserver(check).observe(document,
    {subtree: true, childList: true, attributes: true, attributeOldValue: true});
})();
"""
SETTLED = f"() => window.__tti && window.__tti.readyAt !== null && Date.now() - window.__tti.readyAt >= {SETTLE_MS}"
STATE = """() => ({sawRun: window.__tti.sawRun, state: document.querySelector('[data-testid="stApp"]')
  ?.getAttribute('data-test-script-state'), h1: document.querySelector('[data-testid="stMain"] h1')?.textContent,
  busy: [...document.querySelectorAll('[data-testid^="stStatusWidget"], [data-testid="stSpinner"], '
    + '[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')].map(e => e.dataset.testid)})"""
MARK = """() => { const t = window.__tti; t.sawRun = false; t.readyAt = null;
  t.markH1 = document.querySelector('[data-testid="stMain"] h1')?.textContent; return t.mark = Date.now(); }"""


def _interactive_ms(page, started_at: int) -> float:
    """Wait until the page has been interactive for SETTLE_MS; the ms from `started_at` (Date.now()) to that."""
    try:
        page.wait_for_function(SETTLED, timeout=TIMEOUT_MS, polling=50)
    except PlaywrightTimeout as e:
        raise RuntimeError(f"{page.url} not interactive after {TIMEOUT_MS} ms: {page.evaluate(STATE)}") from e
    return float(page.evaluate("() => window.__tti.readyAt") - started_at)


def sign_in_timed(page, base: str, role: Role) -> float:
    page.goto(f"{base}/auth/signin")
    page.fill("#username", DEMO_ACCOUNTS[role])
    page.fill("#password", DEMO_PASSWORD)
    started_at = page.evaluate("() => Date.now()")  # the new document's clock is the same machine's
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/auth/" not in url, timeout=TIMEOUT_MS)
    return _interactive_ms(page, started_at)


def switch_timed(page, index: int) -> float:
    """Click the `index`-th link of the sidebar navigation (the role's pages, in order)."""
    link = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]').nth(index)
    started_at = page.evaluate(MARK)
    link.click()
    return _interactive_ms(page, started_at)


def role_runs(browser, base: str, role: Role, runs: int, lang: str) -> dict[str, list[float]]:
    """{"sign-in → <first page>": [ms…], "<page>": [ms…], …}: `runs` sign-ins and rounds of the navigation."""
    names = pages_for(role)
    times: dict[str, list[float]] = {f"sign-in → {names[0]}": [], **{n: [] for n in names[1:]}, names[0]: []}
    for run in range(runs):
        context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US",
                                      viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base}])
        context.add_init_script(WATCH)
        page = context.new_page()
        try:
            times[f"sign-in → {names[0]}"].append(sign_in_timed(page, base, role))
            for i in [*range(1, len(names)), 0]:  # every page, and back to the first by its link
                times[names[i]].append(switch_timed(page, i))
        finally:
            context.close()
        print(f"  {role.value} run {run + 1}/{runs} done", file=sys.stderr, flush=True)
    return times


def summary(times: list[float]) -> dict:
    median = statistics.median(times)
    return {"runs_ms": [round(t) for t in times], "median_ms": round(median), "max_ms": round(max(times)),
            "over_limit": median > LIMIT_MS, "max_over_limit": max(times) > LIMIT_MS}


def prepared_office(db_path: Path) -> str:
    """The demo office at its default scale, built when missing or stale (bench.office), with the demo passwords."""
    from demo.build import Scale

    office.ensure(db_path, Scale(), progress=False)
    url = office.sqlite_url(db_path)
    engine = make_engine(url)
    try:
        set_demo_passwords(engine)
    finally:
        engine.dispose()
    return url


def measure(url: str, roles: list[Role], runs: int, lang: str) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, FLAGS, serve  # the browser tests' server and browser, as they run

    results = {}
    with serve(url) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for role in roles:
                print(f"… {role.value}", file=sys.stderr, flush=True)
                times = role_runs(browser, base, role, runs, lang)
                results[role.value] = {page: summary(t) for page, t in times.items()}
        finally:
            browser.close()
    return results


def print_table(results: dict, runs: int) -> None:
    print(f"{'role':<11} {'page':<24} {'median ms':>9} {'max ms':>7}  runs={runs}, limit {LIMIT_MS} ms")
    for role, pages in results.items():
        for page, s in pages.items():
            mark = "  OVER" if s["over_limit"] else "  (max over)" if s["max_over_limit"] else ""
            print(f"{role:<11} {page:<24} {s['median_ms']:>9} {s['max_ms']:>7}{mark}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=office.BENCH_DIR / "interactive.sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--roles", default=",".join(r.value for r in DEFAULT_ROLES),
                        help="comma-separated roles (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results-interactive.json")
    args = parser.parse_args(argv)
    roles = [Role(r.strip()) for r in args.roles.split(",") if r.strip()]
    started = time.perf_counter()
    url = prepared_office(args.db.resolve())
    results = measure(url, roles, args.runs, args.lang)
    report = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "load_average": os.getloadavg(), "database": str(args.db), "lang": args.lang, "runs": args.runs,
        "limit_ms": LIMIT_MS, "settle_ms": SETTLE_MS, "results": results,
        "over_limit": [f"{role} {page}" for role, pages in results.items() for page, s in pages.items()
                       if s["over_limit"]],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print_table(results, args.runs)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written {args.json}", file=sys.stderr)
    return report


if __name__ == "__main__":
    main()
