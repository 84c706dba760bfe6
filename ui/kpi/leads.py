"""The leads area (K-5): its headlines and charts, once wired. Until then it says its KPIs are on the way
(ui.kpi.specs.area); wiring one is a spec in each list (see ui/kpi/callbacks.py)."""

from __future__ import annotations

from core import kpi
from ui.kpi.specs import Chart, Headline, area

HEADLINES: list[Headline] = []
CHARTS: list[Chart] = []


def render(f: kpi.KpiFilter, ctx) -> None:
    area(HEADLINES, CHARTS, f, ctx)
