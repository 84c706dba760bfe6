import re

import pytest
from sqlalchemy import func, or_, select

from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import Role, WorkOrderStatus
from db.models import WorkOrder
from tests.helpers import as_read, open_by_url
from tests.ui.test_complaint_record import demo_user


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_work_orders_page_lists_the_demo_orders_in_each_language(open_page, lang):
    at = open_page("pages/work_orders.py", lang)
    assert not at.exception
    assert at.title[0].value == t("nav.work_orders", lang)
    assert len(at.dataframe[0].value) == 25
    assert any(c.value.startswith(t("list.count", lang).split("{total}")[0]) for c in at.caption)


def test_a_work_orders_own_phone_kept_as_typed_reads_grouped_like_a_customers(open_page, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        typed = s.scalar(select(func.count()).select_from(WorkOrder).where(~WorkOrder.phone.startswith("+")))
    engine.dispose()
    at = open_page("pages/work_orders.py")
    shown = list(at.dataframe[0].value[t("wo.phone", "en")])
    assert typed and shown and not [p for p in shown if re.fullmatch(r"\+?\d{8,}", p)]
    assert all(re.fullmatch(r"[\d ()+-]+", p) and " " in p for p in shown)  # 186 2969 0431, 0571 8765 4321


def test_opening_a_work_order_shows_its_card_and_history(open_page, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        number, wo_id = s.execute(select(WorkOrder.number, WorkOrder.id).order_by(WorkOrder.intake_at.desc())).first()
    engine.dispose()
    at = open_page("pages/work_orders.py")
    open_by_url(at, wo_id)
    assert not at.exception
    assert as_read(at.subheader[0].value).startswith(number)
    assert any(t("common.history", "en") in m.value for m in at.markdown)


def test_filtering_work_orders_by_status_narrows_the_list(open_page, demo_url):
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        pending = s.scalar(select(func.count()).where(WorkOrder.status == WorkOrderStatus.PENDING))
    engine.dispose()
    at = open_page("pages/work_orders.py")
    at.multiselect(key="status").set_value([WorkOrderStatus.PENDING]).run()
    assert not at.exception
    assert set(at.dataframe[0].value[t("wo.status", "en")]) == {t("enum.WorkOrderStatus.pending", "en")}
    assert any(c.value.startswith(f"Rows: {pending} ·") for c in at.caption)


def test_an_engineer_opening_another_engineers_order_reads_not_found(open_page, demo_url):
    """Issue 12 review: an engineer reads only the orders assigned to them; another's ?id= shows the same
    "not found" as an unknown id, and the list holds only their own orders."""
    engine = make_engine(demo_url)
    me = demo_user(engine, Role.ENGINEER)
    with session_scope(engine) as s:
        other = s.scalar(select(WorkOrder.id).where(or_(WorkOrder.technician_id != me.id,
                                                        WorkOrder.technician_id.is_(None))).limit(1))
        mine = s.scalar(select(func.count()).where(WorkOrder.technician_id == me.id))
    engine.dispose()
    at = open_page("pages/work_orders.py", role=Role.ENGINEER)
    assert any(c.value.startswith(f"Rows: {mine} ·") for c in at.caption)
    open_by_url(at, other)
    assert not at.exception
    assert [w.value for w in at.warning] == [t("list.not_found", "en")]
    assert not at.subheader
