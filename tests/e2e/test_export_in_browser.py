"""Issue 13 through the served app: a manager exports the filtered work orders to CSV, the link the page gives
is served by our own route through the sign-in middleware, to this browser's session only and once; another
signed-in browser gets a 404 and nothing of the file."""

from __future__ import annotations

import csv
import io

import pytest

from core.i18n import t
from db.enums import Role, WorkOrderStatus
from tests.e2e.conftest import sign_in
from tests.e2e.test_pages_in_browser import heading, settled

pytestmark = pytest.mark.e2e


def test_a_manager_downloads_the_filtered_list_once_and_nobody_else_can(served_app, new_tab):
    page = new_tab(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    sign_in(page, served_app, Role.MANAGER)
    heading(page, t("nav.my_work", "zh")).wait_for(timeout=60_000)
    page.goto(f"{served_app}/work-orders?status=closed")
    heading(page, t("nav.work_orders", "zh")).wait_for(timeout=60_000)
    settled(page)
    page.get_by_role("button", name=t("export.csv", "zh")).click()
    link = page.get_by_role("link", name=t("export.download", "zh", rows=0).split("（")[0], exact=False)
    link.wait_for(timeout=120_000)
    href = link.get_attribute("href")
    assert href.startswith("/export/")

    stranger = new_tab(locale="en-US")
    sign_in(stranger, served_app, Role.DIRECTOR)
    heading(stranger, t("nav.my_work", "en")).wait_for(timeout=60_000)
    refused = stranger.request.get(served_app + href)
    assert refused.status == 404 and "WO" not in refused.text()

    got = page.request.get(served_app + href)  # the browser's own cookies: its session
    assert got.status == 200 and got.headers["content-disposition"].startswith("attachment")
    assert got.body().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(got.body().decode("utf-8-sig"))))
    assert rows[0][0] == t("wo.number", "zh") and len(rows) > 1
    assert {r[2] for r in rows[1:]} == {t(f"enum.WorkOrderStatus.{WorkOrderStatus.CLOSED.value}", "zh")}
    assert page.request.get(served_app + href).status == 404  # once
