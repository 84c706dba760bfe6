"""Issue 14, the weekly office report: built for a seeded week with a pinned clock, its figures checked against
core.kpi's functions and against a plain-Python recount of the rows made (L-2 activity, WO-7 unfinished orders,
WO-8 paid list); kept once per week (idempotent, two concurrent builds store one row); run once under the job
lease; its PDF looked at as an image (Chinese glyphs, the charts); mailed to a local SMTP server."""

from __future__ import annotations

import email
import socket
import threading
from datetime import UTC, date, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from sqlalchemy import func, select

from core import kpi
from core.i18n import t
from core.office.settings import load_office
from core.reports import build_week, due_week, last_week, mail_week, run_weekly, stored_week, weekly_data
from core.reports.lease import WEEKLY_REPORT, release_lease, take_lease
from db.engine import session_scope
from db.enums import (
    CallbackStatus,
    CallOutcome,
    LeadResult,
    PendingReason,
    Role,
    ServiceType,
    WorkOrderStatus,
)
from db.models import WeeklyReport
from tests.factories import (
    make_attempt,
    make_callback,
    make_complaint,
    make_customer,
    make_lead,
    make_lead_contact,
    make_user,
    make_work_order,
)
from tests.helpers import restoring_settings, set_setting
from tests.usecases.test_work_order_copy import rendered

TZ = "Asia/Shanghai"
WEEK = date(2026, 11, 9)  # Monday 9 to Sunday 15 November 2026
PREVIOUS = WEEK - timedelta(weeks=1)
BUILT = datetime(2026, 11, 16, 7, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)  # the Monday after, 07:00 office time
TARGET = 5


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An office-time moment in November 2026, in UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def in_week(moment: datetime | None, monday: date = WEEK) -> bool:
    lo = datetime.combine(monday, datetime.min.time(), ZoneInfo(TZ))
    return moment is not None and lo <= moment < lo + timedelta(days=7)


# (specialist, contacted at, result, sale amount in cents): L-2's raw rows, two outside the week
CONTACTS = [("张三", at(9, 10), LeadResult.NO_ANSWER, None), ("张三", at(10), LeadResult.TALKED, None),
            ("张三", at(11), LeadResult.APPOINTMENT, None), ("张三", at(12), LeadResult.SALE, 500_000),
            ("张三", at(15, 23, 30), LeadResult.RECOMMENDATION, None), ("张三", at(16, 0, 5), LeadResult.SALE, 100),
            ("张三", at(8, 23), LeadResult.TALKED, None), ("李四", at(13, 9), LeadResult.SALE, 120_000),
            ("李四", at(13, 10), LeadResult.NO_ANSWER, None)]
# (due end, completed at, status)
CALLBACKS = [(at(12), at(10), CallbackStatus.COMPLETED), (at(11), at(14), CallbackStatus.COMPLETED),
             (at(13), None, CallbackStatus.OPEN), (at(13), None, CallbackStatus.CANCELLED),
             (at(5), at(4), CallbackStatus.COMPLETED)]
# (attempted at, outcome, score)
ATTEMPTS = [(at(10), CallOutcome.REACHED, 5), (at(11), CallOutcome.REACHED, 3), (at(12), CallOutcome.NOT_REACHED, None),
            (at(4), CallOutcome.REACHED, 4)]
# (received, reply deadline, closed)
COMPLAINTS = [(at(10), at(12), at(11)), (at(11), at(12), None)]


def orders(tech_id: int) -> list[dict]:
    """The work orders of the seed: number → fields."""
    paid = {"service_type": ServiceType.PAID}
    return [
        {"number": "WR-PENDING", "intake_at": at(10, 9), "status": WorkOrderStatus.PENDING, "technician_id": tech_id,
         "pending_reason": PendingReason.PARTS, "delay_reason": "等配件 <b>**急**</b>"},
        {"number": "WR-DONE-EARLIER", "intake_at": at(3, 9), "completed_at": at(12),
         "status": WorkOrderStatus.COMPLETED},
        {"number": "WR-DONE-LATER", "intake_at": at(12, 9), "completed_at": at(17), "status": WorkOrderStatus.COMPLETED,
         "technician_id": tech_id, "incomplete_reason": "客户不在家"},
        {"number": "WR-NEXT-WEEK", "intake_at": at(16, 9), "status": WorkOrderStatus.NEW},
        {"number": "WR-PAID-1", "intake_at": at(9, 9), "dispatched_at": at(9, 9, 3), "completed_at": at(11, 9),
         "accepted_at": at(11, 15), "fee_cents": 12_050, "fee_collected_on_site": True,
         "status": WorkOrderStatus.ACCEPTED} | paid,
        {"number": "WR-PAID-2", "intake_at": at(12, 9), "completed_at": at(13), "accepted_at": at(14),
         "fee_cents": 30_000, "invoice_no": "INV-1", "status": WorkOrderStatus.ACCEPTED} | paid,
        {"number": "WR-PAID-PREV", "intake_at": at(3, 9), "completed_at": at(4), "accepted_at": at(4, 12),
         "fee_cents": 8_000, "status": WorkOrderStatus.ACCEPTED} | paid,
    ]


def seed(engine) -> dict:
    with session_scope(engine) as s:
        users = {name: make_user(s, display_name=name) for name in ("张三", "李四")}
        tech = make_user(s, display_name="王师傅", role=Role.ENGINEER)
        desk = make_user(s, display_name="Desk")
        customer = make_customer(s, name="客户甲")
        lead = make_lead(s)
        for name, moment, result, amount in CONTACTS:
            make_lead_contact(s, lead, users[name], contacted_at=moment, result=result, sale_amount_cents=amount)
        for due_end, done, status in CALLBACKS:
            cb = make_callback(s, customer, due_start=due_end - timedelta(days=3), due_end=due_end, status=status,
                               completed_at=done)
        for moment, outcome, score in ATTEMPTS:
            make_attempt(s, cb, users["张三"], attempted_at=moment, outcome=outcome, score=score)
        for received, deadline, closed in COMPLAINTS:
            make_complaint(s, customer, desk, received_at=received, reply_deadline=deadline, closed_at=closed)
        seeded = orders(tech.id)
        for fields in seeded:
            make_work_order(s, customer, desk, **fields)
    return {"orders": seeded, "tech": "王师傅"}


def ratio(n, d):
    return None if not d else n / d


def recount_headline(monday: date, seeded: dict) -> dict:
    """The headline KPIs recounted in plain Python over the seed's rows (K-1..K-4 definitions)."""
    due = [c for c in CALLBACKS if in_week(c[0], monday) and c[2] is not CallbackStatus.CANCELLED]
    done = [c for c in due if c[2] is CallbackStatus.COMPLETED]
    tried = [a for a in ATTEMPTS if in_week(a[0], monday)]
    reached = [a for a in tried if a[1] is CallOutcome.REACHED]
    scores = [a[2] for a in reached if a[2] is not None]
    decided = [c for c in COMPLAINTS if in_week(c[0], monday) and (c[2] is not None or c[1] < BUILT)]
    taken = [o for o in seeded["orders"] if in_week(o["intake_at"], monday)]
    due_dispatch = [o for o in taken if o.get("dispatched_at") or o["intake_at"] < BUILT - timedelta(minutes=TARGET)]
    within = [o for o in due_dispatch if o.get("dispatched_at") and o["dispatched_at"] - o["intake_at"]
              <= timedelta(minutes=TARGET)]
    fees = [o["fee_cents"] for o in seeded["orders"] if o.get("service_type") is ServiceType.PAID
            and in_week(o.get("completed_at"), monday) and o.get("fee_cents") is not None]
    return {"callback_completion_rate": ratio(len(done), len(due)),
            "callback_on_time_rate": ratio(len([c for c in done if c[1] <= c[0]]), len(due)),
            "reach_rate": ratio(len(reached), len(tried)), "average_score": ratio(sum(scores), len(scores)),
            "complaints_closed_by_deadline": ratio(len([c for c in decided if c[2] and c[2] <= c[1]]), len(decided)),
            "dispatch_within_target": ratio(len(within), len(due_dispatch)),
            "paid_service_revenue": sum(fees) if fees else None}


def kpi_headline(engine, monday: date) -> dict:
    """The same figures straight from core.kpi's functions, the dashboard's."""
    f = kpi.KpiFilter(monday, monday + timedelta(days=6))
    weeks = kpi.callback_weeks(kpi.callback_days(engine, f, TZ), f)
    attempts = kpi.attempt_counts(kpi.attempt_days(engine, f, TZ))
    intake, awaiting = kpi.order_intake_days(engine, f, TZ, TARGET), kpi.awaiting_dispatch(engine, f, TZ, BUILT, TARGET)
    return {"callback_completion_rate": kpi.KPIS["callback_completion_rate"](weeks),
            "callback_on_time_rate": kpi.KPIS["callback_on_time_rate"](weeks),
            "reach_rate": kpi.KPIS["reach_rate"](attempts), "average_score": kpi.KPIS["average_score"](attempts),
            "complaints_closed_by_deadline": kpi.KPIS["complaints_closed_by_deadline"](engine, f, TZ, BUILT),
            "dispatch_within_target": kpi.KPIS["dispatch_within_target"](
                kpi.dispatch_counts(intake, awaiting)),
            "paid_service_revenue": kpi.KPIS["paid_service_revenue"](kpi.order_done_days(engine, f, TZ))}


def test_last_week_is_the_monday_of_the_last_finished_office_week_across_a_year_end():
    """Office time decides: 07:00 on Monday 4 January 2027 in Shanghai is still Sunday 23:00 UTC."""
    monday_morning = datetime(2027, 1, 4, 7, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
    assert monday_morning.date() == date(2027, 1, 3)
    assert last_week(monday_morning, TZ) == date(2026, 12, 28)  # the week that spans the year end
    assert last_week(datetime(2027, 1, 3, 15, 59, tzinfo=UTC), TZ) == date(2026, 12, 21)  # Sunday 23:59 office
    assert last_week(datetime(2027, 1, 10, 16, 0, tzinfo=UTC), TZ) == date(2027, 1, 4)  # Monday 00:00 office
    assert last_week(BUILT, TZ) == WEEK


def test_a_week_is_due_from_seven_office_time_on_the_monday_after_across_a_year_end():
    """The scheduler runs every quarter of an hour; a finished week's report is due from the Monday after, 07:00
    office time (core.reports.due_week): in Monday's first seven hours the week before it is still the due one."""
    from ui.report_schedule import quarter_hour_trigger

    trigger, at = quarter_hour_trigger(), datetime(2027, 1, 3, 12, 30, tzinfo=UTC)  # Sunday 20:30 in Shanghai
    runs = []
    for _ in range(56):
        at = trigger.get_next_fire_time(None, at + timedelta(seconds=1))
        runs.append((at, due_week(at, TZ)))
    first = next(when for when, week in runs if week == date(2026, 12, 28))  # the week that spans the year end
    assert first == datetime(2027, 1, 4, 7, 0, tzinfo=ZoneInfo(TZ))  # not 06:45, not a UTC Monday
    assert {week for when, week in runs if when < first} == {date(2026, 12, 21)}
    assert last_week(first, TZ) == date(2026, 12, 28)


def test_a_changed_office_zone_moves_the_hour_a_week_is_due_and_half_hour_zones_are_met():
    """The zone is read at each run, not once when the server starts: 10:00 UTC on Monday 4 January 2027 is
    18:00 in Shanghai (last week due) but 05:00 in New York (not yet); 01:30 UTC is 07:00 in Kolkata."""
    monday = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    assert due_week(monday, "Asia/Shanghai") == date(2026, 12, 28)
    assert due_week(monday, "America/New_York") == date(2026, 12, 21)
    assert due_week(monday + timedelta(hours=2), "America/New_York") == date(2026, 12, 28)
    assert due_week(datetime(2027, 1, 4, 1, 30, tzinfo=UTC), "Asia/Kolkata") == date(2026, 12, 28)
    assert due_week(datetime(2027, 1, 4, 1, 15, tzinfo=UTC), "Asia/Kolkata") == date(2026, 12, 21)


def test_the_job_builds_the_week_at_seven_on_monday_and_retries_a_failed_mail_only_at_start(engine, monkeypatch):
    import ui.report_schedule as schedule
    from core.office.settings import load_office

    seed(engine)
    assert load_office(engine).timezone == TZ
    built = []
    monkeypatch.setattr(schedule, "web_engine", lambda: engine)
    monkeypatch.setattr(schedule, "run_weekly", lambda *a, **k: built.append(k["week"]) or run_weekly(*a, **k))
    runs = [(BUILT - timedelta(minutes=15), False), (BUILT, False), (BUILT + timedelta(hours=1), False),
            (BUILT + timedelta(hours=2), True)]
    for moment, catch_up in runs:
        monkeypatch.setattr(schedule.clock, "read_clock", lambda moment=moment: moment)
        schedule.run_job(catch_up=catch_up)
    # 06:45: the week before is due (built here, the test's office has none); 07:00: the week; 08:00: kept, no run;
    # a start at 09:00: run again (a failed mail is tried there)
    assert built == [PREVIOUS, WEEK, WEEK]
    assert stored_week(engine, WEEK) is not None


def test_the_weeks_figures_equal_the_kpi_functions_and_a_recount(engine):
    seeded = seed(engine)
    data = weekly_data(engine, WEEK, TZ, BUILT, TARGET)
    for monday, field in ((WEEK, "value"), (PREVIOUS, "previous")):
        shown = {h["name"]: h[field] for h in data["headline"]}
        assert shown == kpi_headline(engine, monday) == pytest.approx(recount_headline(monday, seeded))
    assert {h["name"]: h["value"] for h in data["headline"]}["paid_service_revenue"] == 42_050  # K-4, WO-8
    assert data["week_start"] == "2026-11-09" and data["week_end"] == "2026-11-15"


def test_the_l2_table_counts_each_specialists_lead_contacts_of_the_week(engine):
    seed(engine)
    expected = {}
    for name, moment, result, amount in CONTACTS:  # L-2 recounted
        if not in_week(moment):
            continue
        row = expected.setdefault(name, {"specialist": name, "dialed": 0, "completed": 0, "appointments": 0,
                                         "recommendations": 0, "sales": 0, "sales_amount_cents": 0})
        row["dialed"] += 1
        row["completed"] += result is not LeadResult.NO_ANSWER
        row["appointments"] += result is LeadResult.APPOINTMENT
        row["recommendations"] += result is LeadResult.RECOMMENDATION
        row["sales"] += result is LeadResult.SALE
        row["sales_amount_cents"] += amount or 0
    data = weekly_data(engine, WEEK, TZ, BUILT, TARGET)
    assert sorted(data["activity"], key=lambda r: r["specialist"]) == sorted(expected.values(),
                                                                               key=lambda r: r["specialist"])
    assert expected["张三"]["dialed"] == 5 and expected["张三"]["sales_amount_cents"] == 500_000


def test_unfinished_orders_are_those_not_completed_at_the_weeks_end_with_their_reasons(engine):
    """WO-7: taken in before the week ended, not completed by then (a completion after the end still counts)."""
    seeded = seed(engine)
    _, end = datetime.combine(WEEK, datetime.min.time(), ZoneInfo(TZ)), at(16, 0)
    expected = [o["number"] for o in sorted(seeded["orders"], key=lambda o: o["intake_at"])
                if o["intake_at"] < end and (o.get("completed_at") is None or o["completed_at"] >= end)]
    data = weekly_data(engine, WEEK, TZ, BUILT, TARGET)
    assert [r["number"] for r in data["unfinished"]] == expected == ["WR-PENDING", "WR-DONE-LATER"]
    pending = data["unfinished"][0]
    assert pending == {"number": "WR-PENDING", "status": "pending", "pending_reason": "parts", "age_days": 5,
                       "technician": "王师傅", "delay_reason": "等配件 <b>**急**</b>", "incomplete_reason": None}


def test_the_paid_list_is_finances_week(engine):
    """WO-8: the paid orders accepted in the week, whatever their status since, with the totals."""
    seeded = seed(engine)
    paid = [o for o in seeded["orders"] if o.get("service_type") is ServiceType.PAID and in_week(o["accepted_at"])]
    data = weekly_data(engine, WEEK, TZ, BUILT, TARGET)["paid"]
    assert [r["number"] for r in data["rows"]] == sorted(o["number"] for o in paid)
    assert data["total_cents"] == sum(o["fee_cents"] for o in paid) == 42_050
    assert data["on_site_cents"] == 12_050 and data["to_invoice_cents"] == 30_000


def test_a_week_is_built_once_and_kept_unless_forced(engine):
    seed(engine)
    assert build_week(engine, WEEK, BUILT) is True
    first = stored_week(engine, WEEK)
    assert first.data["week_start"] == "2026-11-09" and first.pdf.startswith(b"%PDF")
    later = BUILT + timedelta(hours=3)
    assert build_week(engine, WEEK, later) is False
    assert stored_week(engine, WEEK).built_at == first.built_at
    assert build_week(engine, WEEK, later, force=True) is True
    assert stored_week(engine, WEEK).built_at == later
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(WeeklyReport)) == 1


def test_a_week_not_over_or_not_a_monday_is_refused(engine):
    from core.errors import Invalid

    with pytest.raises(Invalid):
        build_week(engine, WEEK + timedelta(weeks=1), BUILT)  # still running on the Monday morning
    with pytest.raises(Invalid):
        build_week(engine, WEEK + timedelta(days=1), BUILT)


def test_two_concurrent_builds_store_one_row(engine):
    seed(engine)
    results, errors = [], []
    start = threading.Barrier(2)

    def build():
        start.wait()
        try:
            results.append(build_week(engine, WEEK, BUILT))
        except Exception as failure:  # noqa: BLE001 — the test reports it below
            errors.append(failure)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == [False, True]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(WeeklyReport)) == 1


def test_the_lease_lets_one_process_run_the_job(engine):
    """Two server processes (two holders): while one holds the lease the other builds nothing; an expired lease
    (a crashed holder) is taken over; a released one is free."""
    seed(engine)
    assert take_lease(engine, WEEKLY_REPORT, "host-a:1", BUILT) is True
    assert take_lease(engine, WEEKLY_REPORT, "host-b:2", BUILT) is False
    assert run_weekly(engine, BUILT, "host-b:2", mail=False) == "busy"
    assert stored_week(engine, WEEK) is None
    later = BUILT + timedelta(hours=1)  # host-a crashed: its lease ran out
    assert run_weekly(engine, later, "host-b:2", mail=False) == "built"
    assert run_weekly(engine, later + timedelta(minutes=1), "host-a:1", mail=False) == "kept"  # released by b
    release_lease(engine, WEEKLY_REPORT, "nobody", later)  # another holder's release changes nothing


def test_two_processes_running_the_job_at_once_build_it_once(engine):
    seed(engine)
    results = []
    start = threading.Barrier(2)

    def run(holder):
        start.wait()
        results.append(run_weekly(engine, BUILT, holder, mail=False))

    threads = [threading.Thread(target=run, args=(f"host:{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("built") == 1 and set(results) <= {"built", "busy", "kept"}
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(WeeklyReport)) == 1


def image_objects(pdf: bytes) -> list:
    """Each image placed in the PDF, as a PIL image."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [obj.get_bitmap(render=False).to_pil().convert("RGB") for page in doc
                for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
    finally:
        doc.close()


def test_the_pdf_draws_the_chinese_title_and_the_charts(engine):
    seed(engine)
    build_week(engine, WEEK, BUILT)
    pdf = stored_week(engine, WEEK).pdf
    page = rendered(pdf)
    title = t("report.title", "zh")  # the office's report language: Chinese by default
    start = page.text.index(title)
    crops = [page.image.crop(page.boxes[start + i]).convert("L") for i, ch in enumerate(title)
             if "\u4e00" <= ch <= "\u9fff"]
    assert len(crops) >= 4 and all(crop.getextrema()[0] < 100 for crop in crops)  # ink in every glyph
    assert len({crop.resize((24, 24)).tobytes() for crop in crops}) == len(crops)  # real glyphs, not .notdef boxes
    assert "张三" in page.text and "等配件" in page.text
    charts = image_objects(pdf)
    assert len(charts) == 2  # the L-2 activity and the unfinished orders
    for chart in charts:
        pixels = chart.resize((200, 100)).get_flattened_data()
        coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 60)
        assert coloured > 200  # bars, not a blank image


def test_the_pdf_prints_a_character_outside_the_font_as_a_mark(engine):
    seed(engine)
    with session_scope(engine) as s:
        s.execute(WeeklyReport.__table__.delete())
    data = weekly_data(engine, WEEK, TZ, BUILT, TARGET)
    data["unfinished"][0]["delay_reason"] = "parts 😀 late"
    from core.reports.build import render

    text = rendered(render(data, "en")[0]).text
    assert "parts ? late" in text


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MAIL_SETTINGS = ("report.smtp_host", "report.smtp_port", "report.smtp_starttls", "report.smtp_sender",
                 "report.recipients")


@pytest.fixture
def smtp(engine):
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with restoring_settings(engine, *MAIL_SETTINGS):
        for key, value in {"report.smtp_host": "127.0.0.1", "report.smtp_port": port, "report.smtp_starttls": "off",
                           "report.smtp_sender": "desk@example.com",
                           "report.recipients": "boss@example.com, finance@example.com"}.items():
            set_setting(engine, key, value)
        yield inbox
    controller.stop()


def test_the_report_is_mailed_with_the_pdf_attached_and_the_charts_inline(engine, smtp):
    seed(engine)
    assert run_weekly(engine, BUILT, "host:1") == "built"
    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["boss@example.com", "finance@example.com"]
    msg = email.message_from_bytes(envelope.content, policy=policy.default)
    assert t("report.title", "zh") in msg["Subject"]
    html = msg.get_body(("html",)).get_content()
    assert t("kpi.metric.reach_rate", "zh") in html and "66.7%" in html
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2 and all(f"cid:{p['Content-ID'][1:-1]}" in html for p in images)
    pdf = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdf) == 1 and pdf[0].get_content() == stored_week(engine, WEEK).pdf
    report = stored_week(engine, WEEK)
    assert report.mailed_at == BUILT and report.mailed_to == "boss@example.com, finance@example.com"
    assert report.mail_error is None
    assert run_weekly(engine, BUILT + timedelta(minutes=5), "host:1") == "kept"
    assert len(smtp.envelopes) == 1  # mailed once


def test_a_mail_failure_is_recorded_not_raised(engine):
    seed(engine)
    with restoring_settings(engine, *MAIL_SETTINGS):
        for key, value in {"report.smtp_host": "127.0.0.1", "report.smtp_port": free_port(),
                           "report.smtp_sender": "desk@example.com", "report.recipients": "boss@example.com"}.items():
            set_setting(engine, key, value)
        assert run_weekly(engine, BUILT, "host:1") == "built"  # nobody listens on that port
        report = stored_week(engine, WEEK)
        assert report.mailed_at is None and "ConnectionRefused" in report.mail_error
        assert mail_week(engine, WEEK, BUILT) is False


def _dead_server(engine, port: int) -> None:
    for key, value in {"report.smtp_host": "127.0.0.1", "report.smtp_port": port, "report.smtp_starttls": "off",
                       "report.smtp_sender": "desk@example.com", "report.recipients": "boss@example.com"}.items():
        set_setting(engine, key, value)


def test_a_failed_mail_is_tried_again_by_the_next_runs_three_times_in_all(engine):
    """Issue 14: the scheduler's catch-up (or cron) retries a week whose mail failed; after three failures it
    stops (the count is kept in mail_error) and a server that comes back later gets nothing more."""
    from aiosmtpd.controller import Controller

    seed(engine)
    port = free_port()
    with restoring_settings(engine, *MAIL_SETTINGS):
        _dead_server(engine, port)
        for n in (1, 2, 3):
            run_weekly(engine, BUILT + timedelta(minutes=n), "host:1")
            assert stored_week(engine, WEEK).mail_error.startswith(f"attempt {n} of 3: ConnectionRefused")
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert run_weekly(engine, BUILT + timedelta(minutes=9), "host:1") == "kept"
        finally:
            controller.stop()
        assert inbox.envelopes == [] and stored_week(engine, WEEK).mailed_at is None
        assert stored_week(engine, WEEK).mail_error.startswith("attempt 3 of 3: ")


def test_the_next_weeks_run_mails_an_earlier_week_whose_mail_failed(engine):
    """The week's mail failed once (no server listening); the next Monday's run builds and mails the new week
    and tries the failed one again, which now goes: mailed_at set, the error cleared."""
    from aiosmtpd.controller import Controller

    seed(engine)
    port = free_port()
    with restoring_settings(engine, *MAIL_SETTINGS):
        _dead_server(engine, port)
        assert run_weekly(engine, BUILT, "host:1") == "built"
        assert stored_week(engine, WEEK).mail_error.startswith("attempt 1 of 3: ")
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            later = BUILT + timedelta(weeks=1)
            assert run_weekly(engine, later, "host:1") == "built"  # the next week
        finally:
            controller.stop()
        assert len(inbox.envelopes) == 2
        for monday in (WEEK, WEEK + timedelta(weeks=1)):
            report = stored_week(engine, monday)
            assert report.mailed_at == later and report.mail_error is None


def test_the_password_is_never_sent_without_tls(engine, smtp, monkeypatch):
    """STARTTLS off, port not 465 and SMTP_PASSWORD set: no connection, a clear error recorded instead."""
    seed(engine)
    monkeypatch.setenv("SMTP_PASSWORD", "secret")
    assert run_weekly(engine, BUILT, "host:1") == "built"
    report = stored_week(engine, WEEK)
    assert smtp.envelopes == [] and report.mailed_at is None
    assert report.mail_error.startswith("attempt 1 of 3: InsecureLogin: ") and "TLS" in report.mail_error
    assert "secret" not in report.mail_error


def test_port_465_speaks_implicit_tls_and_may_log_in(engine, monkeypatch):
    """SMTPS: smtplib.SMTP_SSL (TLS from the first byte), no STARTTLS, the login allowed. The TLS server is
    stood in for (a certificate would be needed): the stand-in records how it was used."""
    import core.reports.mail as mail

    used = []

    class Smtps:
        def __init__(self, host, port, timeout, context):
            used.append(("connect", host, port, context is not None))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, **kw):  # pragma: no cover - must not be called
            used.append(("starttls",))

        def login(self, user, password):
            used.append(("login", user, password))

        def send_message(self, msg, to_addrs):
            used.append(("send", tuple(to_addrs)))

    monkeypatch.setattr(mail.smtplib, "SMTP_SSL", Smtps)
    monkeypatch.setattr(mail.smtplib, "SMTP", None)  # the plain class must not be used
    monkeypatch.setenv("SMTP_PASSWORD", "secret")
    seed(engine)
    with restoring_settings(engine, *MAIL_SETTINGS):
        _dead_server(engine, 465)
        assert run_weekly(engine, BUILT, "host:1") == "built"
    assert used == [("connect", "127.0.0.1", 465, True), ("login", "desk@example.com", "secret"),
                    ("send", ("boss@example.com",))]
    assert stored_week(engine, WEEK).mail_error is None and stored_week(engine, WEEK).mailed_at == BUILT


def test_without_a_mail_server_nothing_is_sent(engine):
    seed(engine)
    assert run_weekly(engine, BUILT, "host:1") == "built"
    report = stored_week(engine, WEEK)
    assert report.mailed_at is None and report.mail_error is None
    assert load_office(engine).get("report.smtp_host") == ""


def test_the_command_for_cron_builds_and_names_the_week(engine, db_url, monkeypatch, capsys):
    from cli.report import main

    seed(engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main([], now=BUILT) == 0
    assert capsys.readouterr().out.strip() == "2026-11-09: built; not mailed"
    assert main(["--week", "2026-11-09"], now=BUILT) == 0
    assert "kept" in capsys.readouterr().out
    assert main(["--week", "2026-11-10"], now=BUILT) == 2  # not a Monday
    assert take_lease(engine, WEEKLY_REPORT, "elsewhere:1", BUILT)
    assert main([], now=BUILT) == 1


def test_the_mail_settings_take_email_addresses_only():
    from core.errors import Invalid
    from core.office.rules import validate_setting

    assert validate_setting("report.recipients", " a@example.com;b@example.com ,") == "a@example.com, b@example.com"
    assert validate_setting("report.recipients", "") == ""
    assert validate_setting("report.smtp_starttls", "off") == "off"
    for key, value in (("report.recipients", "a@example.com, not-an-address"),
                       ("report.smtp_sender", "a@x.com, b@x.com"), ("report.smtp_port", 70000),
                       ("report.smtp_starttls", "maybe"), ("report.language", "fr")):
        with pytest.raises(Invalid) as refused:
            validate_setting(key, value)
        assert refused.value.field == key
