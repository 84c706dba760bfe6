"""The callback sweep (CB-2, CB-11, C-2, C-3) against a real database: it creates the due callbacks with
their assignee, a second run creates nothing, a corrected delivery date moves the open callback but
never a finished one, and each run leaves one audit row that tells when the sweep last ran."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from cli.sweep import main
from core.clock import office_day
from core.scheduling.sweep import SweepResult, last_sweep, run_if_not_today, schedule_due_callbacks
from db.engine import session_scope
from db.enums import ArchiveValidity, CallbackStatus, CustomerGrade, Role, ServiceType
from db.models import Callback, IncomingCall, Product
from tests.factories import (
    NOW,
    make_callback,
    make_complaint,
    make_customer,
    make_product,
    make_user,
    make_work_order,
    utc,
)
from tests.helpers import audit_mark, audit_since, restoring_settings, set_setting

TZ = "Asia/Shanghai"


def office(engine) -> dict:
    """A specialist with a VIP customer who has every kind of recent event, and a second customer."""
    with session_scope(engine) as s:
        ann = make_user(s, role=Role.SPECIALIST)
        manager = make_user(s, role=Role.MANAGER)
        vip = make_customer(s, specialist_id=ann.id, grade=CustomerGrade.VIP, birthday=date(1980, 11, 23))
        product = make_product(s, vip, effective_date=date(2026, 11, 19), delivery_date=date(2026, 11, 18))
        wo = make_work_order(s, vip, manager, completed_at=utc(2026, 11, 19, 15, 30), product_id=product.id)
        make_work_order(s, vip, manager, completed_at=utc(2026, 11, 19, 3), service_type=ServiceType.INTERNAL)
        cp = make_complaint(s, vip, manager, received_at=utc(2026, 11, 18, 2))
        s.add(IncomingCall(received_at=utc(2026, 11, 20, 5), phone=vip.phone, customer_id=vip.id,
                           category="existing_problem", answered=False, resolved=False))
        invalid = make_customer(s, grade=CustomerGrade.KEY, birthday=date(1980, 11, 22),
                                validity=ArchiveValidity.INVALID)
        s.flush()
        return {"ann": ann.id, "vip": vip.id, "product": product.id, "wo": wo.id, "cp": cp.id, "invalid": invalid.id}


def callbacks(engine) -> dict[str, dict]:
    with session_scope(engine) as s:
        rows = s.execute(select(Callback.source_key, Callback.assignee_id, Callback.due_start, Callback.due_end,
                                Callback.status, Callback.kind, Callback.level)).mappings()
        return {r["source_key"]: dict(r) for r in rows}


def test_the_sweep_creates_each_due_callback_for_the_customers_specialist_cb_2_cb_11(engine):
    ids = office(engine)
    assert schedule_due_callbacks(engine, NOW) == SweepResult(created=6, moved=0, skipped=0)
    made = callbacks(engine)
    p, c = ids["product"], ids["vip"]
    assert set(made) == {f"first:product:{p}", f"new_customer:product:{p}", f"after_repair:work_order:{ids['wo']}",
                         f"complaint:complaint:{ids['cp']}", f"birthday:2026:customer:{c}",
                         next(k for k in made if k.startswith("missed_call:incoming_call:"))}
    assert {r["assignee_id"] for r in made.values()} == {ids["ann"]}
    assert {(r["status"], r["level"]) for r in made.values()} == {(CallbackStatus.OPEN, "L1")}
    assert made[f"new_customer:product:{p}"]["due_end"] == utc(2026, 11, 25, 15, 59, 59)
    assert made[f"after_repair:work_order:{ids['wo']}"]["due_end"] == utc(2026, 11, 22, 15, 59, 59)


def test_a_second_sweep_creates_nothing_cb_2(engine):
    office(engine)
    schedule_due_callbacks(engine, NOW)
    assert schedule_due_callbacks(engine, NOW + timedelta(hours=2)) == SweepResult(0, 0, 6)
    assert len(callbacks(engine)) == 6


def test_a_corrected_delivery_date_moves_the_open_new_customer_call_cb_2(engine):
    ids = office(engine)
    schedule_due_callbacks(engine, NOW)
    mark = audit_mark(engine)
    with session_scope(engine) as s:
        s.execute(update(Product).where(Product.id == ids["product"]).values(delivery_date=date(2026, 11, 19)))
    assert schedule_due_callbacks(engine, NOW) == SweepResult(0, 1, 5)
    moved = callbacks(engine)[f"new_customer:product:{ids['product']}"]
    assert (moved["due_start"], moved["due_end"]) == (utc(2026, 11, 19, 16), utc(2026, 11, 26, 15, 59, 59))
    rows = audit_since(engine, mark)
    assert [(r["entity"], r["username"]) for r in rows] == [("callback", "sweep"), ("sweep", "sweep")]
    assert rows[0]["changes"]["due_end"] == ["2026-11-25T15:59:59+00:00", "2026-11-26T15:59:59+00:00"]


def test_a_completed_or_claimed_callback_is_never_moved_cb_2(engine):
    ids = office(engine)
    with session_scope(engine) as s:
        ann, vip = ids["ann"], s.get(Product, ids["product"]).customer
        for status, key in ((CallbackStatus.COMPLETED, "new_customer"), (CallbackStatus.IN_PROGRESS, "first")):
            make_callback(s, vip, status=status, source_key=f"{key}:product:{ids['product']}", assignee_id=ann,
                          due_start=utc(2026, 1, 1), due_end=utc(2026, 1, 2))
    result = schedule_due_callbacks(engine, NOW)
    assert (result.created, result.moved, result.skipped) == (4, 0, 2)
    kept = callbacks(engine)[f"new_customer:product:{ids['product']}"]
    assert (kept["due_start"], kept["status"]) == (utc(2026, 1, 1), CallbackStatus.COMPLETED)


def test_care_calls_skip_invalid_and_normal_customers_c_2_c_3(engine):
    ids = office(engine)
    with session_scope(engine) as s:
        make_customer(s, grade=CustomerGrade.NORMAL, birthday=date(1980, 11, 22))
    schedule_due_callbacks(engine, NOW)
    assert [k for k in callbacks(engine) if k.startswith("birthday:")] == [f"birthday:2026:customer:{ids['vip']}"]


def test_holiday_greetings_go_to_valid_key_customers_before_national_day_cb_2(engine):
    ids = office(engine)
    schedule_due_callbacks(engine, utc(2026, 9, 27, 2))
    keys = {k for k in callbacks(engine) if k.startswith("holiday:")}
    assert keys == {f"holiday:2026-10-01:customer:{ids['vip']}"}


def test_the_care_settings_decide_who_is_greeted_and_for_which_holidays_cb_2_c_2(engine):
    """An admin's settings, not code, pick the care grades, the holidays and the days of greeting."""
    ids = office(engine)
    with session_scope(engine) as s:
        normal = make_customer(s, grade=CustomerGrade.NORMAL, birthday=date(1980, 11, 22)).id
    with restoring_settings(engine, "callback.care_grades", "callback.holidays", "callback.holiday_lead_days"):
        for key, value in {"callback.care_grades": "normal", "callback.holidays": "11-25",
                           "callback.holiday_lead_days": 5}.items():
            set_setting(engine, key, value)
        schedule_due_callbacks(engine, NOW)  # Friday 20 Nov 2026: 25 Nov is within five days
    keys = {k for k in callbacks(engine) if k.startswith(("birthday:", "holiday:"))}
    assert keys == {f"birthday:2026:customer:{normal}", f"holiday:2026-11-25:customer:{normal}"}
    assert ids["vip"] not in {int(k.rsplit(":", 1)[1]) for k in keys}


def test_with_no_care_grades_set_nobody_gets_care_calls_cb_2_c_2(engine):
    office(engine)
    with restoring_settings(engine, "callback.care_grades"):
        set_setting(engine, "callback.care_grades", "")
        schedule_due_callbacks(engine, NOW)
    assert not [k for k in callbacks(engine) if k.startswith(("birthday:", "holiday:"))]


def test_each_sweep_writes_one_audit_row_that_tells_when_it_last_ran(engine):
    office(engine)
    mark = audit_mark(engine)
    schedule_due_callbacks(engine, NOW)
    [row] = audit_since(engine, mark)
    assert (row["entity"], row["action"], row["at"]) == ("sweep", "create", NOW)
    assert row["changes"] == {"_": {"created": 6, "moved": 0, "skipped": 0, "horizon_days": 7}}
    assert last_sweep(engine) >= NOW


def test_the_sweep_runs_on_the_first_sign_in_of_an_office_day_only(engine):
    # The append-only audit log keeps every earlier test's sweeps: start on the office day after the latest.
    day = office_day(last_sweep(engine) or utc(2026, 1, 1), TZ) + timedelta(days=1)
    first = datetime.combine(day, time(9), ZoneInfo(TZ)).astimezone(UTC)  # 09:00 in Shanghai
    assert run_if_not_today(engine, first, TZ) is not None
    assert run_if_not_today(engine, first + timedelta(hours=10), TZ) is None  # 19:00 the same Shanghai day
    assert run_if_not_today(engine, first + timedelta(hours=15), TZ) is not None  # 00:00 the next day
    assert last_sweep(engine) == first + timedelta(hours=15)


def test_the_command_line_runs_the_sweep_and_prints_the_counts(engine, monkeypatch, capsys):
    office(engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["--now", "2026-11-20T06:00:00+00:00"]) == 0
    assert capsys.readouterr().out.strip() == "created=6 moved=0 skipped=0 progress_calls=0"
