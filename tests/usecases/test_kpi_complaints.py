"""K-3 complaint KPIs on a pinned clock: a seeded office (fixed seed, ~200 complaints in every state), each
figure computed again in plain Python over the rows made and compared; None when there is no data; every
filter (staff: the owner, grade, channel, product model); each drill-down lists exactly the counted rows."""

from __future__ import annotations

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.kpi import (
    KpiFilter,
    complaint_capa_verified,
    complaint_close_days,
    complaint_counts,
    complaint_ours_share,
    complaint_reopen_rate,
    complaint_repeat_share,
    complaint_response_hours,
    complaints_by_cause,
    complaints_by_channel,
    complaints_by_model,
    complaints_closed_by_deadline,
)
from core.kpi.complaints import CAUSES, NO_PRODUCT, REPEAT_DAYS, UNDECIDED
from core.kpi.drill import DRILLS
from core.kpi.drill_complaints import SHARE_DRILLS
from db.engine import session_scope
from db.enums import ComplaintCause, ComplaintChannel, ComplaintStatus, CustomerGrade, Responsibility
from tests.factories import NOW, make_complaint, make_customer, make_product, make_user

TZ = "Asia/Shanghai"
RANGE = KpiFilter(date(2026, 10, 1), date(2026, 11, 20))  # the seed also makes complaints before it (repeats)
MODELS = ("X1", "X2", "Z9")
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
S = ComplaintStatus
OURS, NOT_OURS, UNDEC = Responsibility.OURS, Responsibility.NOT_OURS, Responsibility.UNDECIDED


def _state(rnd: random.Random, received):
    """A complaint's columns in one of the CP-2 states, its times whole seconds and never after NOW."""
    def after(lo_h: float, hi_h: float):
        return min(received + timedelta(seconds=rnd.randrange(int(lo_h * 3600), int(hi_h * 3600))), NOW)

    stage = rnd.randrange(7)
    cause = rnd.choice([*ComplaintCause, None])
    if stage == 0:
        return {"status": S.RECEIVED, "cause": None}
    first = {"first_response_at": after(0.1, 30), "cause": cause}
    if stage == 1:
        return first | {"status": S.VERIFYING}
    if stage == 2:
        status = rnd.choice([S.CAPA_REQUESTED, S.SOLUTION, S.REPLIED, S.FOLLOWED_UP, S.VERIFIED])
        return first | {"status": status, "responsibility": OURS,
                        "capa_verified_at": after(30, 200) if status == S.VERIFIED else None}
    if stage == 3:
        return first | {"status": S.REPLIED, "responsibility": NOT_OURS}
    if stage in (4, 5):
        ours = stage == 4
        return first | {"status": S.CLOSED, "responsibility": OURS if ours else NOT_OURS,
                        "capa_verified_at": after(30, 100) if ours else None, "closed_at": after(100, 480)}
    again = rnd.random() < 0.5  # reopened (CP-2: closed → verifying, closed_at cleared), maybe closed again
    return first | {"status": S.CLOSED if again else S.VERIFYING, "reopen_count": rnd.randint(1, 2),
                    "responsibility": NOT_OURS if again else UNDEC, "closed_at": after(200, 600) if again else None}


def seed(engine, n: int = 200, seed_no: int = 14) -> dict:
    """The seeded office: its owners, and every complaint as a plain dict of what the KPIs read."""
    rnd = random.Random(seed_no)
    rows = []
    with session_scope(engine) as s:
        desk = make_user(s)
        owners = [make_user(s) for _ in range(3)]
        customers = [make_customer(s, grade=list(CustomerGrade)[i % 3]) for i in range(30)]
        products = {c.id: [make_product(s, c, model=rnd.choice(MODELS)) for _ in range(2)] for c in customers}
        for _ in range(n):
            customer = rnd.choice(customers)
            product = rnd.choice([*products[customer.id], None])
            received = NOW - timedelta(seconds=rnd.randrange(0, 80 * 86400))
            cols = {"channel": rnd.choice(list(ComplaintChannel)), "owner_id": rnd.choice([*owners, None]),
                    "received_at": received, "product_id": product and product.id,
                    "reply_deadline": rnd.choice([received + 3 * DAY, received + 10 * DAY, None]),
                    "responsibility": UNDEC, "reopen_count": 0, "first_response_at": None, "closed_at": None,
                    "capa_verified_at": None} | _state(rnd, received)
            cols["owner_id"] = cols["owner_id"] and cols["owner_id"].id
            cp = make_complaint(s, customer, desk, **cols)
            rows.append(cols | {"id": cp.id, "customer_id": customer.id, "grade": customer.grade,
                                "model": product and product.model})
        return {"owners": [o.id for o in owners], "rows": rows}


# ---- the figures again, in plain Python -------------------------------------------------------------------

def selected(rows: list[dict], f: KpiFilter) -> list[dict]:
    def keep(r):
        return (f.start <= r["received_at"].astimezone(ZoneInfo(TZ)).date() <= f.end
                and (not f.staff_id or r["owner_id"] == f.staff_id) and (not f.grades or r["grade"] in f.grades)
                and (not f.complaint_channels or r["channel"] in f.complaint_channels)
                and (not f.models or r["model"] in f.models))
    return [r for r in rows if keep(r)]


def is_repeat(r: dict, rows: list[dict]) -> bool:
    return r["model"] is not None and any(
        p["customer_id"] == r["customer_id"] and p["model"] == r["model"] and p["id"] != r["id"]
        and (p["received_at"], p["id"]) < (r["received_at"], r["id"])
        and p["received_at"] >= r["received_at"] - REPEAT_DAYS * DAY for p in rows)


def parts(rows: list[dict], everything: list[dict]) -> dict[str, tuple[list, list]]:
    """Each headline's (numerator rows, denominator rows), straight from the definitions."""
    decided = [r for r in rows if r["reply_deadline"] and (r["closed_at"] or r["reply_deadline"] < NOW)]
    judged = [r for r in rows if r["responsibility"] in (OURS, NOT_OURS)]
    ours = [r for r in rows if r["responsibility"] == OURS]
    ever_closed = [r for r in rows if r["closed_at"] or r["reopen_count"]]
    responded = [r for r in rows if r["first_response_at"]]
    closed = [r for r in rows if r["closed_at"]]
    return {
        "complaints_closed_by_deadline": ([r for r in decided if r["closed_at"] and
                                           r["closed_at"] <= r["reply_deadline"]], decided),
        "complaint_response_hours": (responded, responded),
        "complaint_close_days": (closed, closed),
        "complaint_ours_share": ([r for r in judged if r["responsibility"] == OURS], judged),
        "complaint_capa_verified": ([r for r in ours if r["capa_verified_at"]], ours),
        "complaint_repeat_share": ([r for r in rows if is_repeat(r, everything)], rows),
        "complaint_reopen_rate": ([r for r in ever_closed if r["reopen_count"]], ever_closed),
    }


def expected(rows: list[dict], everything: list[dict]) -> dict:
    p = parts(rows, everything)

    def share(name):
        num, den = p[name]
        return None if not den else len(num) / len(den)

    def mean(items, start, stop, unit):
        return None if not items else sum((r[stop] - r[start]) / unit for r in items) / len(items)

    return {
        "complaints_closed_by_deadline": share("complaints_closed_by_deadline"),
        "complaint_response_hours": mean(p["complaint_response_hours"][1], "received_at", "first_response_at", HOUR),
        "complaint_close_days": mean(p["complaint_close_days"][1], "received_at", "closed_at", DAY),
        **{n: share(n) for n in ("complaint_ours_share", "complaint_capa_verified", "complaint_repeat_share",
                                 "complaint_reopen_rate")},
    }


HEADLINES = {fn.__name__: fn for fn in (complaint_response_hours, complaint_close_days, complaint_ours_share,
                                        complaint_capa_verified, complaint_repeat_share, complaint_reopen_rate)}


def tally(rows: list[dict], key) -> dict:
    out: dict = {}
    for r in rows:
        out[key(r)] = out.get(key(r), 0) + 1
    return out


def check_figures(engine, f: KpiFilter, everything: list[dict]) -> None:
    rows = selected(everything, f)
    want = expected(rows, everything)
    counts = complaint_counts(engine, f, TZ, NOW)
    deadline = want.pop("complaints_closed_by_deadline")
    assert complaints_closed_by_deadline(engine, f, TZ, NOW) == pytest.approx(deadline)
    assert counts.totals["kept"] / counts.totals["decided"] == pytest.approx(deadline)  # the same figure, either way
    for name, value in want.items():
        assert HEADLINES[name](counts) == pytest.approx(value), name
    by_model = complaints_by_model(counts)
    assert dict(zip(by_model["model"], by_model["count"], strict=True)) == tally(
        rows, lambda r: r["model"] or NO_PRODUCT)
    assert list(by_model["count"]) == sorted(by_model["count"], reverse=True)
    by_cause = complaints_by_cause(counts)
    assert dict(zip(by_cause["cause"], by_cause["count"], strict=True)) == tally(
        rows, lambda r: r["cause"].value if r["cause"] else UNDECIDED)
    assert list(by_cause["cause"]) == [c for c in CAUSES if c in set(by_cause["cause"])]
    by_channel = complaints_by_channel(engine, f, TZ)
    assert {(str(c), str(s)): n for c, s, n in by_channel.itertuples(index=False)} == tally(
        rows, lambda r: (r["channel"].value, r["status"].value))


# ---- the tests --------------------------------------------------------------------------------------------

def test_every_k3_figure_equals_the_plain_python_count_of_the_seeded_office(engine):
    """K-3: counts by channel, model and cause; the averages; the shares, over a whole seeded office."""
    office = seed(engine)
    rows = selected(office["rows"], RANGE)
    assert 120 < len(rows) < len(office["rows"])  # some received before the range: only the repeats see them
    p = parts(rows, office["rows"])
    assert all(p[n][0] and len(p[n][0]) < len(p[n][1]) for n in p if n not in
               ("complaint_response_hours", "complaint_close_days"))  # every share is a real fraction
    check_figures(engine, RANGE, office["rows"])


@pytest.mark.parametrize("part", ["staff", "grades", "channels", "models", "all"])
def test_each_filter_narrows_every_k3_figure(engine, part):
    """K-3 filters: staff (the owner), customer grade, complaint channel, product model (no product is left
    out by a model filter); each alone and all together."""
    office = seed(engine)
    given = {"staff": {"staff_id": office["owners"][0]}, "grades": {"grades": (CustomerGrade.VIP,)},
             "channels": {"complaint_channels": (ComplaintChannel.PHONE, ComplaintChannel.RETURN)},
             "models": {"models": ("X1", "Z9")}}
    kw = {k: v for d in given.values() for k, v in d.items()} if part == "all" else given[part]
    f = KpiFilter(RANGE.start, RANGE.end, **kw)
    assert selected(office["rows"], f)
    check_figures(engine, f, office["rows"])


def test_no_complaint_is_no_data_and_empty_charts(engine):
    """K-3: a figure with nothing to divide by is None (shown as —), never 0; the charts are empty."""
    counts = complaint_counts(engine, RANGE, TZ, NOW)
    assert counts.totals["received"] == 0 and not counts.by_model and not counts.by_cause
    assert all(fn(counts) is None for fn in HEADLINES.values())
    assert complaints_by_model(counts).empty and complaints_by_cause(counts).empty
    with session_scope(engine) as s:  # received, not responded, not decided, not closed: still no averages
        make_complaint(s, make_customer(s), make_user(s), received_at=NOW - DAY, reply_deadline=NOW + DAY)
    counts = complaint_counts(engine, RANGE, TZ, NOW)
    assert complaint_repeat_share(counts) == 0
    assert [fn(counts) for n, fn in HEADLINES.items() if n != "complaint_repeat_share"] == [None] * 5


def test_a_repeat_needs_the_same_customer_and_model_within_90_days(engine):
    """K-3 repeats (CP-4): an earlier complaint of the same customer about the same model, at most 90 days
    before (exactly 90 days counts); another model, another customer, no product or 90 days and a second
    before does not."""
    first = NOW - 30 * DAY
    with session_scope(engine) as s:
        desk, me, other = make_user(s), make_customer(s), make_customer(s)
        x1, x1b, x2, theirs = (make_product(s, me, model="X1"), make_product(s, me, model="X1"),
                               make_product(s, me, model="X2"), make_product(s, other, model="X1"))
        make_complaint(s, me, desk, product_id=x1.id, received_at=first - REPEAT_DAYS * DAY)  # before the range
        make_complaint(s, me, desk, product_id=x1b.id, received_at=first)  # repeat: same model, exactly 90 days
        make_complaint(s, me, desk, product_id=x2.id, received_at=first + DAY)  # another model
        make_complaint(s, other, desk, product_id=theirs.id, received_at=first + DAY)  # another customer
        make_complaint(s, me, desk, product_id=None, received_at=first + DAY)
        make_complaint(s, me, desk, product_id=None, received_at=first + 2 * DAY)  # no product: never
        make_complaint(s, other, desk, product_id=theirs.id,  # too late: 90 days and a second after
                       received_at=first + DAY + REPEAT_DAYS * DAY + timedelta(seconds=1))
    f = KpiFilter(date(2026, 10, 1), date(2027, 3, 31))  # everything but the first
    counts = complaint_counts(engine, f, TZ, NOW + 200 * DAY)
    assert complaint_repeat_share(counts) == pytest.approx(1 / 6)
    rows, total = SHARE_DRILLS["complaint_repeat_share"](engine, f, TZ, NOW, {"part": "numerator"}, 10, 0)
    assert total == 1 and rows[0]["at"] == first


def test_a_reopened_complaint_counts_once_closed_or_not(engine):
    """K-3 reopen rate (CP-2): reopening moves a closed complaint back to verifying and clears its closing
    time; it stays in the numerator and denominator whether it is closed again or not, and only closed
    complaints (now or before) are in the denominator."""
    with session_scope(engine) as s:
        desk, c = make_user(s), make_customer(s)
        make_complaint(s, c, desk, status=S.VERIFYING, reopen_count=1, received_at=NOW - 5 * DAY)
        make_complaint(s, c, desk, status=S.CLOSED, reopen_count=2, closed_at=NOW - DAY, received_at=NOW - 5 * DAY)
        make_complaint(s, c, desk, status=S.CLOSED, closed_at=NOW - DAY, received_at=NOW - 5 * DAY)
        make_complaint(s, c, desk, status=S.REPLIED, received_at=NOW - 5 * DAY)
    counts = complaint_counts(engine, RANGE, TZ, NOW)
    assert complaint_reopen_rate(counts) == pytest.approx(2 / 3)
    assert complaint_close_days(counts) == pytest.approx(4.0)


def _ordered(rows: list[dict]) -> list[int]:
    return [r["id"] for r in sorted(rows, key=lambda r: (r["received_at"], r["id"]), reverse=True)]


def _all_pages(fn, engine, f, pick, size=7) -> tuple[list[dict], int]:
    got, offset = [], 0
    while True:
        page, total = fn(engine, f, TZ, NOW, pick, size, offset)
        assert len(page) <= size
        got += page
        if len(page) < size:
            return got, total
        offset += size


def test_each_drill_lists_exactly_the_counted_complaints_newest_first_in_pages(engine):
    """Drill-down contract: one page of the complaints behind a mark, ordered by the time received (newest
    first, then id), paginated in SQL, with the total; the same filters as the chart."""
    office = seed(engine)
    f = KpiFilter(RANGE.start, RANGE.end, grades=(CustomerGrade.VIP, CustomerGrade.KEY))
    rows = selected(office["rows"], f)
    picks = [("complaints_by_channel", {"channel": "phone", "status": "closed"},
              lambda r: r["channel"] == ComplaintChannel.PHONE and r["status"] == S.CLOSED),
             ("complaints_by_channel", {"channel": "letter"}, lambda r: r["channel"] == ComplaintChannel.LETTER),
             ("complaints_by_model", {"model": "X2"}, lambda r: r["model"] == "X2"),
             ("complaints_by_model", {"model": NO_PRODUCT}, lambda r: r["model"] is None),
             ("complaints_by_cause", {"cause": "quality"}, lambda r: r["cause"] == ComplaintCause.QUALITY),
             ("complaints_by_cause", {"cause": UNDECIDED}, lambda r: r["cause"] is None)]
    for name, (num, den) in parts(rows, office["rows"]).items():
        picks += [(name, {"part": "numerator"}, lambda r, ids={x["id"] for x in num}: r["id"] in ids),
                  (name, {"part": "denominator"}, lambda r, ids={x["id"] for x in den}: r["id"] in ids)]
    for name, pick, counted in picks:
        want = _ordered([r for r in rows if counted(r)])
        assert want, (name, pick)
        got, total = _all_pages(DRILLS[name], engine, f, pick)
        assert [r["id"] for r in got] == want and total == len(want), (name, pick)
    owners = {r["id"]: r["owner_id"] for r in rows}
    assert all((r["staff"] is None) == (owners[r["id"]] is None) for r in got)  # the owner's name
    row = got[0]
    assert set(row) == {"kind", "id", "number", "customer", "at", "status", "staff"} and row["kind"] == "complaint"
    assert row["at"].tzinfo is not None and row["status"] in {s.value for s in S}
    page, total = DRILLS["complaints_by_model"](engine, f, TZ, NOW, {"model": "X2"}, 5, 5)
    assert [r["id"] for r in page] == _ordered([r for r in rows if r["model"] == "X2"])[5:10]


@pytest.mark.parametrize("pick", [{"channel": "fax"}, {"channel": "phone", "status": "lost"}])
def test_a_channel_pick_naming_no_mark_is_refused(engine, pick):
    """The registry's channel drill (core.kpi.drill) refuses it: the page shows a notice and no list."""
    with pytest.raises(ValueError):
        DRILLS["complaints_by_channel"](engine, RANGE, TZ, NOW, pick, 25, 0)


@pytest.mark.parametrize(("name", "pick"), [
    ("complaints_by_model", {}), ("complaints_by_model", {"model": "no such model"}),
    ("complaints_by_cause", {"cause": "weather"}),
    ("complaint_ours_share", {"part": "half"})])
def test_a_pick_naming_no_mark_is_refused(engine, name, pick):
    """Drill-down: a stale or edited link's pick is refused (ValueError, core.kpi.drill_page): the page shows a
    notice rather than a list that looks like the mark's."""
    with session_scope(engine) as s:
        make_complaint(s, make_customer(s), make_user(s), received_at=NOW - DAY)
    with pytest.raises(ValueError):
        DRILLS[name](engine, RANGE, TZ, NOW, pick, 25, 0)
