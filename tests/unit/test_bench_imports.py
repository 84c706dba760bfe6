"""The import's benchmark (issue 13: `make bench` reports the 100k-row import's time and peak memory) on a few
rows: it builds the workbook, imports it into a fresh database and reports its figures. Nothing about time."""

from __future__ import annotations

from bench.imports import import_lines, measure_import


def test_the_import_bench_reports_time_and_peak_memory_for_the_file_and_a_tenth_of_it():
    report = measure_import(rows=200)
    assert set(report) == {"20", "200"}
    for n, figures in report.items():
        assert figures["good"] == figures["created"] == int(n)
        assert figures["import_s"] >= 0 and figures["import_peak_mb"] > 0 and figures["analyse_peak_mb"] > 0
    assert len(import_lines(report)) == 2
