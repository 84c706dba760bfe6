"""`make run`'s preparation: migrate the configured database to head, and load the demo office
into the embedded demo database when it is new, with one demo account per role (core.accounts.demo).
A real office (DATABASE_URL) never gets demo data unless asked for (`make demo`), and even then its demo
staff get no password: the known demo password would be a door into a real office. Its first start asks
for the first admin instead, with the one-time setup code the server prints to its console
(core.accounts.setup); that admin then sets the staff's passwords. An office upgraded from before the
search index gets its customers' search terms built once (core.customers.search_index).

The demo office speaks one language throughout, its people, addresses and notes: Chinese unless
`DEMO_LOCALE=en` (or `--locale en`) asks for the English one."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime

from core.accounts.demo import set_demo_passwords
from core.clock import office_day
from core.customers.phone_form import convert_phones
from core.customers.search_index import needs_rebuild, rebuild
from core.customers.timeliness import backfill_completeness
from core.kpi.rollups import needs_rebuild as needs_rollups
from core.kpi.rollups import rebuild_office
from core.office.settings import load_office
from db.config import get_config
from db.engine import make_engine, session_scope
from db.migrate import is_empty, upgrade

DEMO_LOCALES = ("zh", "en")


def demo_locale(asked: str | None = None) -> str:
    """The demo office's language: `asked`, else DEMO_LOCALE, else Chinese (read at call time)."""
    locale = (asked or os.environ.get("DEMO_LOCALE", "") or "zh").strip().lower()
    if locale not in DEMO_LOCALES:
        raise SystemExit(f"DEMO_LOCALE must be one of {', '.join(DEMO_LOCALES)}, not {locale!r}")
    return locale


def prepare(with_demo: bool | None = None, today: date | None = None, locale: str | None = None) -> str:
    """Migrate, and load the demo office (built for `today`, default the office's today, in `locale`, default
    demo_locale()) when asked or new; then the archive's phones in their canonical form (C-1), once."""
    config = get_config()
    upgrade(config.database_url)
    load = config.is_demo if with_demo is None else with_demo
    engine = make_engine(config.database_url)
    try:
        done = _load(engine, config, load, today, locale)
        # the terms first: a phone made canonical rewrites its own customer's terms, which would hide an empty index
        return "; ".join((done, *archive_upgraded(engine), *phones_converted(engine), *rollups_built(engine)))
    finally:
        engine.dispose()


def _load(engine, config, load: bool, today: date | None, locale: str | None) -> str:
    if load and is_empty(engine):
        from demo.build import build_demo

        counts = build_demo(engine, locale=demo_locale(locale), today=today, progress=True)
        loaded = f"demo office loaded: {counts.get('customers', 0)} customers"
        if not config.is_demo:
            return (f"{loaded}; its staff have no password: the first visit asks for the first administrator,"
                    " with the setup code the server prints when it starts")
        set_demo_passwords(engine)
        return loaded
    return "database ready"


def archive_upgraded(engine) -> list[str]:
    """An office upgraded from before migration 0010 (customers, no search terms): the search terms built
    (C-1) and the records already complete marked so (C-5), once."""
    if not needs_rebuild(engine):
        return []
    with session_scope(engine) as s:
        marked = backfill_completeness(s, office_day(datetime.now(UTC), load_office(engine).timezone))
    return [f"search terms built: {rebuild(engine)}", f"{marked} complete records marked (C-5)"]


def rollups_built(engine) -> list[str]:
    """Issue 14: an office with records but no KPI rollups yet (upgraded from before migration 0011) gets
    them counted once; afterwards the triggers' marks keep them exact (core.kpi.rollups)."""
    if not needs_rollups(engine):
        return []
    rows = sum(rebuild_office(engine).values())
    return [f"KPI rollups built: {rows} rows"]


def phones_converted(engine) -> list[str]:
    """C-1: the archive's phones in their canonical form (core.customers.phone_form); those it cannot read
    are listed, one line each, to be corrected by hand."""
    done = convert_phones(engine, datetime.now(UTC))
    for table, row_id, phone in done.left:
        print(f"phone left as typed (not a valid number): {table} {row_id}: {phone!r}", file=sys.stderr)
    out = [f"{done.changed} phones stored in their canonical form"] if done.changed else []
    return out + ([f"{len(done.left)} phones left as typed (listed above)"] if done.left else [])

if __name__ == "__main__":
    asked = sys.argv[sys.argv.index("--locale") + 1] if "--locale" in sys.argv[:-1] else None
    print(prepare(with_demo=True if "--demo" in sys.argv else None, locale=asked))
