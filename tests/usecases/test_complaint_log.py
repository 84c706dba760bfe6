"""The complaint log and its periodic summary (CP-4, K-3): every figure is checked against a hand count made in
Python from the seeded rows themselves, not through the SQL under test."""

from __future__ import annotations

import inspect
import random
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.complaints.log import FIGURES, complaint_log, days_to_close, log_summary
from core.errors import Forbidden
from core.i18n import catalog
from core.kpi import RULE_IDS, KpiFilter, complaints_closed_by_deadline
from db.engine import session_scope
from db.enums import ComplaintCause, ComplaintStatus, Responsibility, Role
from tests.factories import NOW, make_complaint, make_customer, make_product, make_user, reader, utc

TZ = "Asia/Shanghai"
START, END = date(2026, 11, 1), date(2026, 11, 30)  # November in the office; NOW is 20 November
MODELS = ("P-200", "P-200", "G-1", None)  # two products of one model (two customers), one other, none on record


def received_in_period(spec: dict) -> bool:
    """The hand count's own reading of the period: the office-local day the complaint was received."""
    return START <= spec["received_at"].astimezone(ZoneInfo(TZ)).date() <= END


def seed(engine, specs: list[dict]) -> dict[str, dict]:
    """The complaints of `specs` (each: customer index, model index and the complaint's columns) for three
    customers, who hold the products of MODELS; returns the specs by complaint number, with customer and model
    names added."""
    with session_scope(engine) as s:
        desk = make_user(s, display_name="Desk")
        customers = [make_customer(s, name=f"Customer {c}") for c in "ABC"]
        products = [make_product(s, customers[i % 3], model=m) if m else None for i, m in enumerate(MODELS)]
        seeded = {}
        for i, spec in enumerate(specs):
            columns = {k: v for k, v in spec.items() if k not in ("customer", "product")}
            product = products[spec["product"]]
            number = f"CP{i:09d}"
            make_complaint(s, customers[spec["customer"]], desk, number=number,
                           product_id=product.id if product else None, **columns)
            seeded[number] = spec | {"customer_name": customers[spec["customer"]].name,
                                     "model": product.model if product else None}
        return seeded


def hand_count(seeded: dict[str, dict], now: datetime) -> dict:
    """Every summary figure counted by hand from the seeded rows of the period."""
    rows = [r for r in seeded.values() if received_in_period(r)]
    decided = [r for r in rows if r["reply_deadline"] is not None
               and (r.get("closed_at") is not None or r["reply_deadline"] < now)]
    kept = [r for r in decided if r.get("closed_at") is not None and r["closed_at"] <= r["reply_deadline"]]
    by_customer, by_model = Counter(r["customer_name"] for r in rows), Counter(r["model"] for r in rows)
    return {
        "received": len(rows),
        "counts_by_cause": dict(Counter(r.get("cause") for r in rows)),
        "counts_by_model": dict(by_model),
        "repeat_customers": {name: n for name, n in by_customer.items() if n >= 2},
        "repeat_models": {m: n for m, n in by_model.items() if m is not None and n >= 2},
        "reopen_rate": len([r for r in rows if r.get("reopen_count", 0) > 0]) / len(rows) if rows else None,
        "closed_by_promised_date": len(kept) / len(decided) if decided else None,
    }


def summary_figures(engine, now=NOW) -> dict:
    got = log_summary(engine, reader(), START, END, TZ, now)
    return {
        "received": got.received, "counts_by_cause": got.counts_by_cause, "counts_by_model": got.counts_by_model,
        "repeat_customers": {r["customer"]: r["count"] for r in got.repeat_customers},
        "repeat_models": {r["model"]: r["count"] for r in got.repeat_models},
        "reopen_rate": got.reopen_rate, "closed_by_promised_date": got.closed_by_promised_date,
    }


def random_specs(rng: random.Random, n: int) -> list[dict]:
    """`n` complaints received from a week before the period to a week after it, in every state."""
    specs = []
    for _ in range(n):
        received = utc(2026, 10, 25) + timedelta(minutes=rng.randrange(0, 42 * 24 * 60))
        deadline = rng.choice([None, received + timedelta(days=rng.randint(1, 10))])
        closed = rng.choice([None, received + timedelta(hours=rng.randint(1, 400))])
        specs.append({
            "customer": rng.randrange(3), "product": rng.randrange(len(MODELS)), "received_at": received,
            "cause": rng.choice([None, *ComplaintCause]), "reply_deadline": deadline, "closed_at": closed,
            "status": ComplaintStatus.CLOSED if closed else rng.choice(list(ComplaintStatus)[:-1]),
            "reopen_count": rng.choice([0, 0, 0, 1, 2]),
            "capa_verified_at": rng.choice([None, received + timedelta(days=1)]),
        })
    return specs


@pytest.mark.parametrize("seed_no", [1, 2, 3])
def test_the_summary_matches_a_hand_count_of_a_seeded_log(engine, seed_no):
    """CP-4, K-3: counts by cause and by model, repeats (>= 2 in the period), reopen rate and the share closed
    by the promised date, all equal to a count made in Python from the seeded rows."""
    seeded = seed(engine, random_specs(random.Random(seed_no), 60))
    expected = hand_count(seeded, NOW)
    assert expected["received"] > 0 and expected["repeat_customers"] and expected["repeat_models"]
    assert summary_figures(engine) == expected


def test_the_log_lists_every_complaint_of_the_period_in_order_received_with_its_capa(engine):
    """CP-4: one row per complaint received in the period, paged in SQL, with the figures of each row counted
    by hand: verified or not, days to close (None while open)."""
    seeded = seed(engine, random_specs(random.Random(7), 40))
    in_period = sorted((r["received_at"], n) for n, r in seeded.items() if received_in_period(r))
    rows, page = [], 1
    while True:
        got = complaint_log(engine, reader(), START, END, TZ, page, 7)
        rows += got.rows
        if page >= got.pages:
            break
        page += 1
    assert got.total == len(in_period) and [r["number"] for r in rows] == [n for _, n in in_period]
    for row in rows:
        spec = seeded[row["number"]]
        closed = spec["closed_at"] if spec["status"] == ComplaintStatus.CLOSED else None
        assert row["days_to_close"] == (None if closed is None else (closed - spec["received_at"]).days)
        assert row["verified"] is (spec["capa_verified_at"] is not None)
        assert (row["customer"], row["model"], row["cause"]) == (spec["customer_name"], spec["model"], spec["cause"])


def test_a_row_carries_responsibility_and_both_actions_as_recorded(engine):
    seed(engine, [{"customer": 0, "product": 2, "received_at": utc(2026, 11, 3, 2),
                   "responsibility": Responsibility.OURS, "cause": ComplaintCause.QUALITY,
                   "capa_action": "Replace the **seal**", "preventive_action": "<b>Check</b> seals at assembly",
                   "capa_verified_at": utc(2026, 11, 9), "closed_at": utc(2026, 11, 10),
                   "status": ComplaintStatus.CLOSED, "reopen_count": 1}])
    row = complaint_log(engine, reader(), START, END, TZ).rows[0]
    assert row["responsibility"] == Responsibility.OURS and row["model"] == "G-1"
    assert (row["capa_action"], row["preventive_action"]) == ("Replace the **seal**", "<b>Check</b> seals at assembly")
    assert row["verified"] is True and row["days_to_close"] == 6 and row["reopen_count"] == 1


# Shanghai is UTC+8 all year: 23:30 on 30 November there is 15:30 UTC, 00:30 on 1 December is 16:30 UTC.
BOUNDARY = [
    ("last_day_2330", utc(2026, 11, 30, 15, 30), True),
    ("next_day_0030", utc(2026, 11, 30, 16, 30), False),
    ("first_day_0030", utc(2026, 10, 31, 16, 30), True),
    ("day_before_2330", utc(2026, 10, 31, 15, 30), False),
]


@pytest.mark.parametrize(("received_at", "inside"), [(at, inside) for _, at, inside in BOUNDARY],
                         ids=[name for name, _, _ in BOUNDARY])
def test_the_period_is_read_in_the_office_time_zone(engine, received_at, inside):
    """CP-4: a complaint belongs to the office-local day it was received on."""
    seed(engine, [{"customer": 0, "product": 0, "received_at": received_at}])
    assert complaint_log(engine, reader(), START, END, TZ).total == int(inside)
    assert log_summary(engine, reader(), START, END, TZ, NOW).received == int(inside)


def test_complaints_outside_the_period_do_not_make_a_repeat(engine):
    """CP-4 repeats: two complaints of one customer and one model, but only one of them in the period."""
    seed(engine, [{"customer": 0, "product": 0, "received_at": utc(2026, 11, 30, 15, 30)},
                  {"customer": 0, "product": 0, "received_at": utc(2026, 11, 30, 16, 30)},
                  {"customer": 1, "product": 2, "received_at": utc(2026, 11, 5)}])
    summary = log_summary(engine, reader(), START, END, TZ, NOW)
    assert summary.repeat_customers == [] and summary.repeat_models == []
    assert summary.counts_by_model == {"P-200": 1, "G-1": 1}


def test_the_same_model_of_two_customers_repeats_and_no_product_never_does(engine):
    """CP-4 repeats by product model, whoever bought it; complaints without a product are no model."""
    seed(engine, [{"customer": 0, "product": 0, "received_at": utc(2026, 11, 2)},
                  {"customer": 1, "product": 1, "received_at": utc(2026, 11, 3)},
                  {"customer": 0, "product": 3, "received_at": utc(2026, 11, 4)},
                  {"customer": 2, "product": 3, "received_at": utc(2026, 11, 5)}])
    summary = log_summary(engine, reader(), START, END, TZ, NOW)
    assert summary.repeat_models == [{"model": "P-200", "count": 2}]
    assert summary.repeat_customers == [{"customer_id": summary.repeat_customers[0]["customer_id"],
                                         "customer": "Customer A", "count": 2}]
    assert summary.counts_by_model == {"P-200": 2, None: 2}


def test_an_empty_period_has_no_rates_rather_than_zero(engine):
    """K-3: no complaint received, so no reopen rate and no share closed by the promised date (None, not 0)."""
    seed(engine, [{"customer": 0, "product": 0, "received_at": utc(2026, 12, 5)}])
    summary = log_summary(engine, reader(), START, END, TZ, NOW)
    assert (summary.received, summary.reopen_rate, summary.closed_by_promised_date) == (0, None, None)
    assert summary.counts_by_cause == {} and summary.repeat_customers == []


def test_nothing_decided_yet_gives_no_share_closed_by_the_promised_date(engine):
    """K-3: open complaints still inside their deadline, and one without a deadline, decide nothing: None."""
    seed(engine, [{"customer": 0, "product": 0, "received_at": NOW, "reply_deadline": NOW + timedelta(days=1)},
                  {"customer": 1, "product": 0, "received_at": NOW, "reply_deadline": None}])
    summary = log_summary(engine, reader(), START, END, TZ, NOW)
    assert summary.closed_by_promised_date is None and summary.reopen_rate == 0.0


def test_the_share_closed_by_the_promised_date_counts_closed_or_past_deadline_and_follows_now(engine):
    """K-3: on time, late, open past its deadline and open inside it: one kept of three decided; two days
    later the open one is past its deadline too."""
    deadline = NOW - timedelta(days=1)
    seed(engine, [
        {"customer": 0, "product": 0, "received_at": utc(2026, 11, 10), "reply_deadline": deadline,
         "closed_at": deadline, "status": ComplaintStatus.CLOSED},
        {"customer": 0, "product": 0, "received_at": utc(2026, 11, 10), "reply_deadline": deadline,
         "closed_at": deadline + timedelta(minutes=1), "status": ComplaintStatus.CLOSED},
        {"customer": 1, "product": 0, "received_at": utc(2026, 11, 10), "reply_deadline": deadline},
        {"customer": 2, "product": 0, "received_at": utc(2026, 11, 10), "reply_deadline": NOW + timedelta(days=1)},
    ])
    assert log_summary(engine, reader(), START, END, TZ, NOW).closed_by_promised_date == pytest.approx(1 / 3)
    later = NOW + timedelta(days=2)
    assert log_summary(engine, reader(), START, END, TZ, later).closed_by_promised_date == pytest.approx(1 / 4)


@pytest.mark.parametrize("seed_no", [4, 5])
def test_the_kpi_page_and_the_log_share_one_definition_of_closed_by_the_promised_date(engine, seed_no):
    """K-3 is defined once: the KPI page's figure for the same days equals the log summary's."""
    seed(engine, random_specs(random.Random(seed_no), 40))
    kpi = complaints_closed_by_deadline(engine, KpiFilter(START, END), TZ, NOW)
    assert log_summary(engine, reader(), START, END, TZ, NOW).closed_by_promised_date == kpi


def test_days_to_close_are_whole_days_and_none_until_closed():
    received = utc(2026, 11, 2, 2)
    assert days_to_close(received, received + timedelta(hours=47), ComplaintStatus.CLOSED) == 1
    assert days_to_close(received, received + timedelta(hours=5), ComplaintStatus.CLOSED) == 0
    assert days_to_close(received, None, ComplaintStatus.REPLIED) is None
    assert days_to_close(received, received + timedelta(days=3), ComplaintStatus.VERIFYING) is None  # reopened


@pytest.mark.parametrize("read", [
    lambda engine, who: complaint_log(engine, who, START, END, TZ),
    lambda engine, who: log_summary(engine, who, START, END, TZ, NOW),
], ids=["log", "summary"])
def test_finance_may_not_read_the_complaint_log(engine, read):
    with pytest.raises(Forbidden):
        read(engine, reader(Role.FINANCE))


@pytest.mark.parametrize("figure", FIGURES, ids=[fn.__name__ for fn in FIGURES])
def test_each_figure_is_shown_with_its_docstring_as_its_definition(figure):
    """K-3: what the manager reads under a figure is the function's own definition, without the rule ids."""
    text = RULE_IDS.sub("", " ".join(inspect.getdoc(figure).split()))
    text = text.replace("(None, ", "(").replace(" (None)", "")
    assert " ".join(catalog("en")[f"cp.log.def.{figure.__name__}"].split()) == text
    assert catalog("zh")[f"cp.log.def.{figure.__name__}"] != catalog("en")[f"cp.log.def.{figure.__name__}"]
