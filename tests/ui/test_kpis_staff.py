"""The staff area (issue 14, K-6): the specialists' and technicians' tables side by side with names, rates as
percents and no data as —; a comparison chart each whose bar lists that person's callbacks or work orders, as
many as the figure's denominator; the chart's export holding the rows it draws."""

import csv
import io
import json

import pytest

from core.i18n import t
from db.engine import make_engine
from tests.ui.test_kpis_page import _chart_rows, _titles, opened


def _plain(text: str) -> str:
    return text.replace("\\", "").replace("“", "").replace("”", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_tables_and_two_charts_with_names_and_percents(open_page, lang):
    at = opened(open_page, lang, area="staff")
    assert not at.exception
    assert [s.value for s in at.subheader] == [t("kpi_wa.table.specialists", lang),
                                               t("kpi_wa.table.technicians", lang)]
    specialists, technicians = (d.value for d in at.dataframe)
    assert list(specialists.columns)[:4] == [t(f"kpi_wa.col.{c}", lang) for c in
                                             ("name", "callbacks_due", "callbacks_done", "callback_on_time_rate")]
    assert list(technicians.columns)[:3] == [t(f"kpi_wa.col.{c}", lang) for c in
                                             ("name", "orders_opened", "dispatch_within_target_rate")]
    assert len(specialists) > 0 and len(technicians) > 0
    assert not any(name.startswith("#") for name in specialists[t("kpi_wa.col.name", lang)])
    rates = specialists[t("kpi_wa.col.callback_on_time_rate", lang)]
    assert all(r == "—" or r.endswith("%") for r in rates)
    assert _titles(at) == [t("kpi.chart.specialist_view", lang), t("kpi.chart.technician_view", lang)]
    assert {t(f"kpi.def.{n}", lang) for n in ("specialist_view", "technician_view")} <= {c.value for c in at.caption}


def test_a_persons_bar_lists_their_callbacks_or_work_orders(open_page):
    at = opened(open_page, area="staff")
    specialists = at.dataframe[0].value.set_index(t("kpi_wa.col.name", "en"))
    technicians = at.dataframe[1].value.set_index(t("kpi_wa.col.name", "en"))
    charts = [_chart_rows(c.proto) for c in at.get("vega_lite_chart")]
    for chart, rows, table, pick, column, page in (
            ("specialist_view", charts[0], specialists, "user", "callbacks_due", "callbacks"),
            ("technician_view", charts[1], technicians, "technician", "orders_opened", "work_orders")):
        mark = rows.iloc[0]
        count = int(table.loc[mark.staff_person, t(f"kpi_wa.col.{column}", "en")])
        at.query_params["pick"] = f"{chart}:{pick}={mark[pick + '_key']}"
        at.run()
        assert not at.exception
        heading = t("kpi_ui.records", "en", chart=t(f"kpi.chart.{chart}", "en"), total=count)
        assert _plain(heading) in [_plain(m.value) for m in at.markdown]
        assert len(at.get("page_link")) == min(count, 25) and {p.proto.page for p in at.get("page_link")} == {page}
        assert {p.proto.label.split(" · ")[-1].replace("\\", "") for p in at.get("page_link")} == {mark.staff_person}


def test_the_chart_export_holds_the_rows_the_chart_draws(open_page, export_dir):
    at = opened(open_page, "zh", area="staff")
    drawn = _chart_rows(at.get("vega_lite_chart")[0].proto)
    at.button(key="export_kpis_specialist_view_csv").click().run()
    assert not at.exception
    [link] = at.get("link_button")
    data = (export_dir / link.proto.url.removeprefix("/export/") / "file").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [t(f"export.kpi.{c}", "zh") for c in ("staff_person", "staff_rate")]
    assert [r[0] for r in rows[1:]] == list(drawn["staff_person"])
    assert json.loads(at.get("vega_lite_chart")[0].proto.spec)["params"][0]["name"] == "pick"


def test_a_filtered_technician_keeps_the_after_repair_calls_a_specialist_made_about_their_orders(open_page,
                                                                                                  demo_url):
    """K-6 with the staff filter on a technician: A2's staff part is the caller, so the technicians' table reads
    the calls for everyone and keeps those about the technician's orders. Counted here from the rows: reached
    after-repair attempts in the default range about that technician's work orders, whoever called."""
    from sqlalchemy import func, select

    from core.kpi.sql import default_range
    from core.lists import day_bounds_utc
    from db.enums import CallbackKind, CallOutcome
    from db.models import CallAttempt, Callback, User, WorkOrder
    from tests.helpers import DEMO_TODAY, OFFICE_TZ

    lo, hi = day_bounds_utc(*default_range(DEMO_TODAY), OFFICE_TZ)
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        reached = dict(conn.execute(
            select(WorkOrder.technician_id, func.count()).select_from(CallAttempt)
            .join(Callback, Callback.id == CallAttempt.callback_id)
            .join(WorkOrder, WorkOrder.id == Callback.work_order_id)
            .where(Callback.kind == CallbackKind.AFTER_REPAIR, CallAttempt.outcome == CallOutcome.REACHED,
                   CallAttempt.attempted_at >= lo, CallAttempt.attempted_at < hi,
                   CallAttempt.caller_id != WorkOrder.technician_id)
            .group_by(WorkOrder.technician_id)).all())
        technician, expected = max(reached.items(), key=lambda kv: kv[1])
        name = conn.scalar(select(User.display_name).where(User.id == technician))
    engine.dispose()
    assert expected > 0
    at = opened(open_page, area="staff", staff=str(technician))
    assert not at.exception
    technicians = at.dataframe[-1].value.set_index(t("kpi_wa.col.name", "en"))  # no specialists' table: info
    assert list(technicians.index) == [name]
    assert technicians.loc[name, t("kpi_wa.col.after_repair_reached", "en")] == str(expected)
    assert technicians.loc[name, t("kpi_wa.col.after_repair_average_score", "en")] != "—"
