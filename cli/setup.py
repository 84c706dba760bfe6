"""`make run`'s preparation: migrate the configured database to head, and load the demo office
into the embedded demo database when it is new, with one demo account per role (core.accounts.demo).
A real office (DATABASE_URL) never gets demo data unless asked for (`make demo`), and even then its demo
staff get no password: the known demo password would be a door into a real office. Its first start asks
for the first admin instead, with the one-time setup code the server prints to its console
(core.accounts.setup); that admin then sets the staff's passwords."""

from __future__ import annotations

import sys
from datetime import date

from core.accounts.demo import set_demo_passwords
from db.config import get_config
from db.engine import make_engine
from db.migrate import is_empty, upgrade


def prepare(with_demo: bool | None = None, today: date | None = None) -> str:
    """Migrate, and load the demo office (built for `today`, default the office's today) when asked or new."""
    config = get_config()
    upgrade(config.database_url)
    load = config.is_demo if with_demo is None else with_demo
    engine = make_engine(config.database_url)
    try:
        if load and is_empty(engine):
            from demo.build import build_demo

            counts = build_demo(engine, today=today, progress=True)
            loaded = f"demo office loaded: {counts.get('customers', 0)} customers"
            if not config.is_demo:
                return (f"{loaded}; its staff have no password: the first visit asks for the first administrator,"
                        " with the setup code the server prints when it starts")
            set_demo_passwords(engine)
            return loaded
        return "database ready"
    finally:
        engine.dispose()


if __name__ == "__main__":
    print(prepare(with_demo=True if "--demo" in sys.argv else None))
