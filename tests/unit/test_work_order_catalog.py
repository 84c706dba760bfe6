"""Every refusal the work-order code raises has its text in both languages (issue 12): the keys written in
core/work_orders, the ones its f-strings build, and one per item of the acceptance checklist (WO-5, WO-6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.i18n import LANGS, catalog
from core.work_orders import rules

SOURCES = sorted((Path(__file__).parents[2] / "core" / "work_orders").glob("*.py"))
WRITTEN = {key for path in SOURCES for key in re.findall(r'"(wo\.[a-z_.]+[a-z_])"', path.read_text())}
BUILT = {f"wo.move.{field}_required" for field in ("service_started_at", "service_ended_at", "work_done")}
CHECKLIST = {f"wo.missing.{item}" for item in rules.missing({"intake_at": None, "service_type": "A"}, False, False,
                                                             {"work_order.repair_target_hours": 1})}


def test_the_scan_finds_the_refusals():
    assert {"wo.move.not_now", "wo.accept.incomplete", "wo.sign.blank", "wo.request_vague"} <= WRITTEN
    assert len(CHECKLIST) == 7  # every item but the delay reason, which no completion makes due here


@pytest.mark.parametrize("lang", LANGS)
def test_every_work_order_refusal_has_its_text(lang):
    keys = WRITTEN | BUILT | CHECKLIST | {"wo.missing.delay_reason"}
    assert sorted(k for k in keys if k not in catalog(lang)) == []
