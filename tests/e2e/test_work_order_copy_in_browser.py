"""WO-9 through the served app: the print page of the customer's copy reaches a signed-in engineer (after
the sign-in it asked for) in Chinese, its signatures load under the content security policy, and the
browser's own print to A4 PDF shows both; a stranger is sent to sign in and the administrator refused."""

from __future__ import annotations

from urllib.parse import quote

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from core.accounts.demo import DEMO_ACCOUNTS
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role
from db.models import User
from tests.e2e.conftest import sign_in
from tests.e2e.test_http_surface_in_browser import RECORD_CSP_VIOLATIONS, _get
from tests.e2e.test_pages_in_browser import settled
from tests.usecases.test_work_order_copy import blue_pixels, make_completed_order

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def order_id(e2e_db_url) -> int:
    """A completed order of the demo engineer's: an engineer reads only their own orders (issue 12 review)."""
    engine = make_engine(e2e_db_url)
    try:
        with session_scope(engine) as s:
            engineer = s.scalar(select(User.id).where(User.username == DEMO_ACCOUNTS[Role.ENGINEER]))
        return make_completed_order(engine, technician_id=engineer)
    finally:
        engine.dispose()


def test_the_engineer_prints_the_copy_with_both_signatures(served_app, new_tab, order_id):
    page = new_tab(locale="zh-CN")
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    path = f"/print/work-order/{order_id}?lang=zh"
    sign_in(page, served_app, Role.ENGINEER, next_path=quote(path, safe=""))
    page.wait_for_url(f"**{path}")
    assert page.get_by_role("heading", name=t("wo.copy.title", "zh")).is_visible()
    assert page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)") == [True] * 2
    assert page.evaluate("window.__csp") == []
    page.emulate_media(media="print")
    doc = pdfium.PdfDocument(page.pdf(format="A4"))
    try:
        image = doc[0].render(scale=2).to_pil().convert("RGB")
        assert t("wo.copy.title", "zh") in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    assert blue_pixels(image, left=True) > 300 and blue_pixels(image, left=False) > 300


def test_a_stranger_is_sent_to_sign_in_and_the_administrator_is_refused(served_app, new_tab, order_id):
    status, headers, body = _get(f"{served_app}/print/work-order/{order_id}")
    assert status == 303 and headers["location"].startswith("/auth/signin?next=") and b"data:image" not in body
    status, headers, _ = _get(f"{served_app}/print/copy-font.otf")  # the bundled font is no secret (OFL)
    assert status == 200 and headers["content-type"] == "font/otf"
    page = new_tab(locale="en-US")
    sign_in(page, served_app, Role.ADMIN)
    page.wait_for_url(f"{served_app}/**")
    response = page.goto(f"{served_app}/print/work-order/{order_id}?lang=en")
    assert response.status == 403 and t("wo.copy.forbidden", "en") in page.content()


def test_the_record_downloads_the_copy_as_a_pdf_made_on_the_click(served_app, new_tab, order_id):
    page = new_tab(locale="zh-CN")  # the manager: the sign-in tests lock finance's demo account for a while
    sign_in(page, served_app, Role.MANAGER, next_path=quote(f"/work-orders?id={order_id}", safe=""))
    page.wait_for_url(f"**/work-orders?id={order_id}")
    settled(page)
    assert page.get_by_role("link", name=t("wo.copy.print", "zh")).get_attribute("href") == (
        f"/print/work-order/{order_id}?lang=zh")
    with page.expect_download() as download:
        page.get_by_role("button", name=t("wo.copy.pdf", "zh")).click()
    assert download.value.suggested_filename.startswith("WT") and download.value.suggested_filename.endswith(".pdf")
    doc = pdfium.PdfDocument(download.value.path())
    try:
        assert t("wo.copy.title", "zh") in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
