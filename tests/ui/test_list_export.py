"""The list pages' own export (the table toolbar is hidden): the whole filtered list, as the table shows it."""
import csv
import io

import streamlit
from sqlalchemy import func, select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role, WorkOrderStatus
from db.models import WorkOrder


def test_a_manager_exports_every_filtered_row_with_translated_headers(open_page, demo_url, monkeypatch):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        closed = s.scalar(select(func.count()).where(WorkOrder.status == WorkOrderStatus.CLOSED))
    engine.dispose()
    assert closed > 25  # more than the one page on screen
    monkeypatch.setattr("ui.listing.EXPORT_CHUNK", 100)  # fetched in many chunks
    files = []
    real = streamlit.download_button
    monkeypatch.setattr(streamlit, "download_button",
                        lambda label, data, *a, **kw: (files.append(data) if label == t("list.export", "zh") else None)
                        or real(label, data, *a, **kw))  # the list's export, not My work's
    at = open_page("pages/work_orders.py", "zh")
    at.multiselect(key="status").set_value([WorkOrderStatus.CLOSED]).run()
    assert not at.exception and not files  # nothing is built until asked
    at.button(key="export_prepare").click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == [t("list.export", "zh")]
    assert files[0].startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(files[0].decode("utf-8-sig"))))
    assert rows[0][:3] == [t("wo.number", "zh"), t("wo.customer", "zh"), t("wo.status", "zh")]
    assert len(rows) - 1 == closed
    assert {r[2] for r in rows[1:]} == {t("enum.WorkOrderStatus.closed", "zh")}
    table = at.dataframe[0].value
    assert rows[0] == list(table.columns)
    assert rows[1:26] == [[str(v) for v in r] for r in table.itertuples(index=False)]  # the cells as shown
    assert len({r[0] for r in rows[1:]}) == closed  # every order once, none twice across the chunks


def test_an_export_past_the_cap_holds_the_first_rows_and_says_so(open_page, monkeypatch):
    monkeypatch.setattr("ui.listing.EXPORT_MAX", 30)
    files = []
    real = streamlit.download_button
    monkeypatch.setattr(streamlit, "download_button",
                        lambda label, data, *a, **kw: (files.append(data) if label == t("list.export", "en") else None)
                        or real(label, data, *a, **kw))  # the list's export, not My work's
    at = open_page("pages/work_orders.py")
    at.button(key="export_prepare").click().run()
    assert not at.exception
    assert len(files[0].decode("utf-8-sig").splitlines()) == 1 + 30
    assert any(c.value.startswith("The file holds the first 30 of") for c in at.caption)


def test_a_specialist_is_offered_no_export(open_page):
    at = open_page("pages/work_orders.py", "en", Role.SPECIALIST)
    assert not at.exception
    assert len(at.dataframe[0].value) > 0
    assert not [b for b in at.button if b.key == "export_prepare"]
    assert not at.get("download_button")
