"""The benchmark harness on a tiny office: it builds, measures and reports in the expected shape.
Nothing here is about time; the figures only have to be there."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bench import office
from bench.queries import QUERIES
from bench.run import run_bench, table

TINY = dict(customers=60, work_orders=120, callbacks=300, complaints=12, leads=10)
TODAY = date(2026, 11, 22)  # the tiny office's day, pinned: the bench builds it for the machine's date
NOW = datetime(2026, 11, 22, 4, tzinfo=UTC)  # noon of that day in the office: the complaint queries' instant


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    import demo.build
    from demo.build import Scale

    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results.json"
    build_demo = demo.build.build_demo
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo.build, "build_demo", lambda engine, **kw: build_demo(engine, **kw | {"today": TODAY}))
        run_bench(tmp / "tiny.sqlite", Scale(**TINY), out, runs=1, baseline_runs=1,
                  pages=("pages/work_orders.py", "pages/no_such_page.py"), progress=False, now=NOW)
    return json.loads(out.read_text()), tmp


def test_the_report_names_the_machine_the_scale_and_the_rows_built(report):
    data, _ = report
    assert set(data["machine"]) >= {"nproc", "python", "sqlite"}
    assert data["database"]["scale"] == TINY
    assert data["database"]["build"] == "built" and data["database"]["build_seconds"] >= 0
    assert data["database"]["rows"]["work_orders"] == TINY["work_orders"]
    assert data["runs"] == 1 and data["total_seconds"] >= 0


def test_a_page_gets_its_timings_its_opened_record_and_its_baseline(report):
    data, _ = report
    entry = next(e for e in data["pages"] if e["page"] == "pages/work_orders.py")
    assert entry["status"] == "ok", entry.get("exception")
    assert len(entry["runs_ms"]) == 1 and entry["min_ms"] <= entry["median_ms"] <= entry["max_ms"]
    assert entry["detail"]["picker"] == "rows" and entry["detail"]["exception"] is None
    assert entry["baseline"]["figures"]["total"] == TINY["work_orders"]
    assert entry["ratio"] == round(entry["baseline"]["median_ms"] / entry["median_ms"], 1)


def test_a_page_that_is_not_written_yet_is_reported_missing(report):
    data, _ = report
    entry = next(e for e in data["pages"] if e["page"] == "pages/no_such_page.py")
    assert entry["status"] == "missing" and entry["baseline"] is None


def test_the_complaint_queries_are_timed_beside_the_naive_way_which_finds_the_same_figures(report):
    """The complaints list (default and escalated-or-overdue) and the complaint log with its summary for a
    month (CP-4, CP-5): timed, and the naive pandas count agrees with core's SQL."""
    data, _ = report
    entries = {e["query"]: e for e in data["queries"]}
    assert list(entries) == list(QUERIES)
    for name, entry in entries.items():
        assert entry["status"] == "ok", (name, entry["exception"])
        assert len(entry["runs_ms"]) == 1
        if QUERIES[name][1] is None:  # the customer search (issue 13): no naive way finds what it finds
            assert entry["baseline"] is None and entry["figures"]["total"] >= 1, (name, entry["figures"])
            continue
        assert entry["baseline"]["median_ms"] >= 0
        assert entry["agrees"] is True, (name, entry["figures"], entry["baseline"]["figures"])
    assert entries["complaints list"]["figures"]["total"] == TINY["complaints"]
    assert "complaint log summary · month" in table(data)


def test_the_built_office_is_reused_until_its_scale_changes(report):
    from demo.build import Scale

    _, tmp = report
    assert office.ensure(tmp / "tiny.sqlite", Scale(**TINY)) is None
    assert not office.is_current(tmp / "tiny.sqlite", Scale(**TINY | {"leads": 11}))


def test_the_printed_table_has_a_row_per_page_and_per_opened_record(report):
    data, _ = report
    text = table(data)
    assert "work_orders · detail" in text and "no_such_page" in text and "missing" in text


def test_an_office_built_by_other_demo_code_or_marked_after_an_edit_is_stale(report, monkeypatch):
    """The marker holds the files as the build started; a changed demo generator makes the office stale."""
    from demo.build import Scale

    _, tmp = report
    marker = office.read_marker(tmp / "tiny.sqlite")
    assert marker["demo"] == office.demo_fingerprint() and marker["migrations"] == office.schema_fingerprint()
    monkeypatch.setattr(office, "demo_fingerprint", lambda: "edited-demo-code")
    assert not office.is_current(tmp / "tiny.sqlite", Scale(**TINY))


def test_the_kpi_bench_times_every_area_cold_and_cached_and_a_drill_per_area(report):
    """bench.kpi (issue 14): every area of the dashboard, both periods, each filter, without an error; one
    drill-down list per area, and every chart's; the table names them all."""
    from bench.kpi import AREAS, measure
    from bench.kpi import table as kpi_table

    _, tmp = report
    data = measure(office.sqlite_url(tmp / "tiny.sqlite"), runs=1, baseline_runs=0)
    timed = [e for e in data["areas"] if "drill" not in e]
    assert {(e["area"], e["period"]) for e in timed} == {(a, p) for a in AREAS for p in ("12_weeks", "2_years")}
    assert all(e["exception"] is None and e["cold"]["median_ms"] > 0 and e["cached"]["median_ms"] > 0 for e in timed)
    drills = [e["drill"] for e in data["areas"] if "drill" in e]
    assert len(drills) == len(AREAS) and all(d["total"] >= 0 for d in drills)
    assert all(area in kpi_table(data) for area in AREAS)
    from core.kpi.drill import DRILLS  # and every drill-down list (bench.drills), over both periods

    periods = ("12_weeks", "2_years")
    assert {(d["chart"], d["period"]) for d in data["drills"]} == {(c, p) for c in DRILLS for p in periods}
    assert all(d["total"] >= 0 and d["chart"] in kpi_table(data) for d in data["drills"])


def test_an_office_at_a_database_url_is_built_once_and_described_by_its_rows(engine, monkeypatch):
    """bench.kpi --url (issue 14, "the same on PostgreSQL"): the office in another database, built when that has no
    customers, measured as it is when it has; its results go beside the SQLite office's, named by the database."""
    import demo.build
    from bench.kpi import results_name
    from demo.build import Scale

    build_demo = demo.build.build_demo
    monkeypatch.setattr(demo.build, "build_demo", lambda engine, **kw: build_demo(engine, **kw | {"today": TODAY}))
    url = engine.url.render_as_string(hide_password=False)
    assert office.ensure_url(url, Scale(**TINY), progress=False) >= 0
    assert office.ensure_url(url, Scale(**TINY | {"leads": 11}), progress=False) is None
    assert office.describe_url(url)["rows"]["work_orders"] == TINY["work_orders"]
    assert results_name("postgresql+psycopg://postgres@127.0.0.1:5432/bench", small=False) == \
        "results-kpi-postgresql.json"
    assert results_name(None, small=False) == "results-kpi.json"
    assert results_name(None, small=True) == "results-kpi-small.json"


@pytest.mark.parametrize("page", ["pages/callbacks.py", "pages/complaints.py", "pages/kpis.py"])
def test_the_naive_baseline_reads_either_database(engine, page):
    """The pandas baseline runs beside bench.kpi --url too: PostgreSQL's timestamps arrive with their zone."""
    from bench.baseline import time_baseline
    from demo.build import Scale, build_demo

    build_demo(engine, today=TODAY, scale=Scale(**TINY))
    figures = time_baseline(engine, page, 1)["figures"]
    assert figures
