"""`python -m cli.sweep [--now ISO] [--horizon-days N]`: run the callback sweep (CB-2, CB-11), plan the
progress calls of late work orders (WO-11) and draw
the period's re-check samples (CB-4, once per period) on the
configured database and print what it did. The command line is the edge where the clock is read."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from core.office.settings import load_office
from core.rechecks.services import draw_period_samples
from core.scheduling.daily import last_period_day
from core.scheduling.sweep import HORIZON_DAYS, schedule_due_callbacks
from core.work_orders.progress import plan_late_progress_calls
from db.config import get_config
from db.engine import make_engine
from db.models.base import utcnow


def _instant(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.sweep", description=__doc__)
    parser.add_argument("--now", type=_instant, help="ISO time (UTC if no offset); default: the clock")
    parser.add_argument("--horizon-days", type=int, default=HORIZON_DAYS)
    args = parser.parse_args(argv)
    engine = make_engine(get_config().database_url)
    try:
        now = args.now or utcnow()
        result = schedule_due_callbacks(engine, now, args.horizon_days)
        progress = plan_late_progress_calls(engine, now)  # WO-11
        tz = load_office(engine).timezone
        draw_period_samples(engine, None, last_period_day(engine, now, tz), now, tz)
    finally:
        engine.dispose()
    print(f"created={result.created} moved={result.moved} skipped={result.skipped} progress_calls={progress}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
