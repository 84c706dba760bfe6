"""WO-9 on the record (ui.wo_print.copy_links), driven by AppTest: a completed order offers the print page in
the user's language and the PDF; an order still in repair offers neither."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.office.settings import load_office
from db.enums import Role, WorkOrderStatus
from tests.factories import reader
from tests.usecases.test_work_order_copy import make_completed_order
from ui.wo_print import _pdf_of


def _links(actor, order: dict) -> None:
    from ui.wo_print import copy_links

    copy_links(actor, {"order": order})


@pytest.fixture
def served(engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _run(status: WorkOrderStatus, lang: str = "zh") -> AppTest:
    order = {"id": 7, "number": "WO7", "status": status}
    at = AppTest.from_function(_links, args=(reader(Role.ENGINEER), order), default_timeout=30)
    at.session_state["lang"] = lang
    return at.run()


def test_a_completed_order_offers_the_print_page_and_the_pdf(served):
    at = _run(WorkOrderStatus.ACCEPTED)
    link, download = at.get("link_button"), at.get("download_button")
    assert [b.proto.label for b in link] == [t("wo.copy.print", "zh")]
    assert link[0].proto.url == "/print/work-order/7?lang=zh"
    assert [b.proto.label for b in download] == [t("wo.copy.pdf", "zh")]
    assert not at.exception


def test_an_order_in_repair_offers_no_copy(served):
    at = _run(WorkOrderStatus.IN_REPAIR)
    assert not at.get("link_button") and not at.get("download_button") and not at.exception


def test_the_pdf_is_made_on_the_click_from_the_order(served):
    order_id = make_completed_order(served)
    pdf = _pdf_of(served, reader(Role.FINANCE), order_id, "en", load_office(served))()
    assert pdf.startswith(b"%PDF") and (b"/FontFile3" in pdf or b"/FontFile2" in pdf)  # the font is embedded
