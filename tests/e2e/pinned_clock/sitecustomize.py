"""Loaded by Python at the start of a served app whose PYTHONPATH begins with this folder (tests.e2e.conftest
`serve(..., clock_start=...)`): the app's clock (ui.clock.read_clock, the one place the app reads the machine's
clock) starts at the instant in E2E_CLOCK_START and runs on from there, so a browser test of a screen that
shows the demo office's recent weeks (the KPI dashboard) sees the same days on any date the suite runs."""

import os
import time
from datetime import datetime, timedelta

_START = os.environ.get("E2E_CLOCK_START")
if _START:
    try:
        import ui.clock

        _at, _ticks = datetime.fromisoformat(_START), time.monotonic()
    except Exception as err:  # Python would only print it and serve on the machine's clock: stop instead
        raise SystemExit(f"the pinned clock could not be set: {err!r}") from err
    ui.clock.read_clock = lambda: _at + timedelta(seconds=time.monotonic() - _ticks)
