"""The lists' exports (issue 13): every row the filters select, streamed into a file on disk, handed over by a
one-time link (ui.export, ui.export_route); the cells as the table shows them; audited; offered by the export
table (core.permissions.EXPORTS)."""
import csv
import io
import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from core.export import files
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import AuditAction, Role, WorkOrderStatus
from db.models import AuditEntry, WorkOrder


def _closed(demo_url) -> int:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        closed = s.scalar(select(func.count()).where(WorkOrder.status == WorkOrderStatus.CLOSED))
    engine.dispose()
    return closed


def _exported(at, export_dir: Path) -> Path:
    """The file behind the one link the export offers."""
    [link] = at.get("link_button")
    url = link.proto.url
    assert url.startswith("/export/")
    return export_dir / url.removeprefix("/export/") / "file"


def _audits(demo_url) -> list[dict]:
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)).all()
        found = [{"entity": r.entity, "entity_id": r.entity_id, "username": r.username, **r.changes["_"]}
                 for r in rows]
    engine.dispose()
    return found


def test_a_manager_exports_every_filtered_row_as_csv_with_translated_headers(open_page, demo_url, export_dir):
    closed = _closed(demo_url)
    assert closed > 25  # more than the one page on screen
    at = open_page("pages/work_orders.py", "zh")
    at.multiselect(key="status").set_value([WorkOrderStatus.CLOSED]).run()
    assert not at.exception and not at.get("link_button")  # nothing is built until asked
    at.button(key="export_work_orders_csv").click().run()
    assert not at.exception
    data = _exported(at, export_dir).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == [t("wo.number", "zh"), t("wo.customer", "zh"), t("wo.status", "zh")]
    assert len(rows) - 1 == closed
    assert {r[2] for r in rows[1:]} == {t("enum.WorkOrderStatus.closed", "zh")}
    table = at.dataframe[0].value
    assert rows[0] == list(table.columns)
    assert rows[1:26] == [[str(v) for v in r] for r in table.itertuples(index=False)]  # the cells as shown
    assert len({r[0] for r in rows[1:]}) == closed  # every order once
    [entry] = _audits(demo_url)
    assert entry | {"username": None} == {"entity": "export", "entity_id": "work_orders", "username": None,
                                          "list": "work_orders", "filter": {"status": ["closed"]},
                                          "rows": closed, "format": "csv"}


def test_the_xlsx_export_reads_back_with_the_same_rows_and_amounts_as_numbers(open_page, demo_url, export_dir):
    closed = _closed(demo_url)
    at = open_page("pages/work_orders.py")
    at.multiselect(key="status").set_value([WorkOrderStatus.CLOSED]).run()
    at.button(key="export_work_orders_xlsx").click().run()
    assert not at.exception
    book = CalamineWorkbook.from_path(str(_exported(at, export_dir)))
    assert book.sheet_names == [t("export.name.work_orders", "en")]  # the list's own name, not "Sheet1"
    meta = json.loads((_exported(at, export_dir).parent / files.META).read_text("utf-8"))
    assert meta["name"].startswith(t("export.name.work_orders", "en") + "-") and meta["name"].endswith(".xlsx")
    sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == [t("wo.number", "en"), t("wo.customer", "en"), t("wo.status", "en")]
    assert len(sheet) - 1 == closed
    fee = sheet[0].index(t("wo.fee", "en"))
    assert any(isinstance(r[fee], float) and r[fee] > 0 for r in sheet[1:])  # finance adds them up
    assert at.get("link_button")[0].proto.label == t("export.download", "en", rows=closed)


def test_the_audit_log_exports_as_it_reads(open_page, demo_url, export_dir):
    at = open_page("pages/audit.py", role=Role.ADMIN)
    at.button(key="export_audit_csv").click().run()
    assert not at.exception
    rows = list(csv.reader(io.StringIO(_exported(at, export_dir).read_text("utf-8-sig"))))
    assert rows[0] == list(at.dataframe[0].value.columns)
    assert rows[1:4] == [[str(v) for v in r] for r in at.dataframe[0].value.itertuples(index=False)][:3]


def test_an_export_in_the_audit_log_names_the_list_it_took_in_the_users_language(open_page, export_dir):
    at = open_page("pages/audit.py", "zh", role=Role.ADMIN)
    at.button(key="export_audit_csv").click().run()
    at.run()  # the log again, newest first: the export just made on top
    newest = at.dataframe[0].value.iloc[0]
    assert newest[t("audit.entity", "zh")] == t("audit.entity_export", "zh")
    assert newest[t("audit.entity_id", "zh")] == t("audit.list.audit", "zh") == "审计日志"


@pytest.mark.parametrize(("page", "role", "key"), [
    ("pages/work_orders.py", Role.SPECIALIST, "export_work_orders_csv"),
    ("pages/customers.py", Role.SPECIALIST, "export_customers_csv"),
    ("pages/work_orders.py", Role.FINANCE, "export_work_orders_csv"),
    ("pages/callbacks.py", Role.SPECIALIST, "export_callbacks_csv"),
], ids=["specialist-work-orders", "specialist-archive", "finance-work-orders", "specialist-callbacks"])
def test_a_role_the_export_table_leaves_out_is_offered_no_export(open_page, page, role, key):
    at = open_page(page, "en", role)
    assert not at.exception
    assert len(at.dataframe[0].value) > 0
    assert not [b for b in at.button if b.key == key]


@pytest.mark.parametrize("page,key", [
    ("pages/callbacks.py", "export_callbacks_xlsx"), ("pages/customers.py", "export_customers_xlsx"),
    ("pages/complaints.py", "export_complaints_xlsx"), ("pages/leads.py", "export_leads_xlsx"),
    ("pages/incoming.py", "export_incoming_xlsx"),
])
def test_each_list_of_the_manager_exports_its_whole_list(open_page, export_dir, page, key):
    at = open_page(page)
    at.button(key=key).click().run()
    assert not at.exception
    sheet = CalamineWorkbook.from_path(str(_exported(at, export_dir))).get_sheet_by_index(0).to_python()
    assert sheet[0] == list(at.dataframe[0].value.columns)
    shown = [[str(v) for v in r] for r in at.dataframe[0].value.itertuples(index=False)]
    assert [[str(v) for v in r] for r in sheet[1:len(shown) + 1]][0][:2] == shown[0][:2]


def test_each_kpi_chart_exports_its_data_and_the_audit_keeps_the_pages_filter(open_page, demo_url, export_dir):
    at = open_page("pages/kpis.py")
    at.query_params["area"] = "work_orders"  # the dashboard shows one area at a time (callbacks first)
    at.run()
    keys = [b.key for b in at.button if b.key and b.key.startswith("export_kpis_")]
    assert "export_kpis_work_orders_per_week_csv" in keys
    at.button(key="export_kpis_work_orders_per_week_csv").click().run()
    assert not at.exception
    rows = list(csv.reader(io.StringIO(_exported(at, export_dir).read_text("utf-8-sig"))))
    assert rows[0] == [t("export.kpi.week", "en"), t("export.kpi.opened", "en"), t("export.kpi.completed", "en")]
    assert len(rows) > 1
    entry = _audits(demo_url)[-1]
    assert entry["list"] == "kpis" and entry["filter"]["chart"] == ["work_orders_per_week"]
    assert {"start", "end"} <= set(entry["filter"]) and entry["rows"] == len(rows) - 1


def test_a_link_is_served_once_to_its_own_session_only(open_page, export_dir, now):
    at = open_page("pages/work_orders.py")
    at.button(key="export_work_orders_csv").click().run()
    token = at.get("link_button")[0].proto.url.removeprefix("/export/")
    assert files.claim(token, 999, "someone else's", now) is None
    assert files.claim(token + "x", 1, None, now) is None
