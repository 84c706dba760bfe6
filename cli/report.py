"""The weekly office report from the command line, for cron (issue 14): `python -m cli.report` builds the last
finished office week's report when it is not stored yet and mails it when a mail server is configured and it has
not been mailed; `--week YYYY-MM-DD` names another week (its Monday); `--mail` mails it even when it was mailed
before. The same job lease as the server's scheduler: with both running, the report is built once. Exit status:
0 done, 1 another process holds the lease, 2 a refused week."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from core.errors import Invalid
from core.i18n import t
from core.office.settings import load_office
from core.reports import last_week, run_weekly, stored_week
from core.reports.lease import holder_name
from db.config import get_config
from db.engine import make_engine
from db.migrate import upgrade
from db.models.base import utcnow


def main(argv: list[str] | None = None, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.report", description="build and mail the weekly report")
    parser.add_argument("--week", type=date.fromisoformat, help="the Monday of the week (default: last week)")
    parser.add_argument("--mail", action="store_true", help="mail it even if it was mailed before")
    args = parser.parse_args(argv)
    url = get_config().database_url
    upgrade(url)
    engine = make_engine(url)
    now = now or utcnow()
    try:
        week = args.week or last_week(now, load_office(engine).timezone)
        outcome = run_weekly(engine, now, holder_name(), mail=True, week=week, force_mail=args.mail)
        report = stored_week(engine, week)
    except Invalid as refused:
        print(t(refused.key, "en"), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if outcome == "busy":
        print("another process holds the lease: the report is being built there", file=sys.stderr)
        return 1
    print(f"{week}: {outcome}; " + ("mailed" if report.mailed_at else f"mail failed: {report.mail_error}"
                                    if report.mail_error else "not mailed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
