"""The export benchmark (bench.export) on a few hundred work orders: it builds its office, exports it to both
formats and reports every figure. Nothing here is about time; the figures only have to be there."""

from __future__ import annotations

import bench.export


def test_the_export_bench_builds_exports_and_reports_each_format(tmp_path, monkeypatch):
    monkeypatch.setattr(bench.export, "BENCH_DIR", tmp_path)
    monkeypatch.setattr(bench.export, "BATCH", 100)  # several batches
    report = bench.export.run(250, ["xlsx", "csv"], trace=True)
    assert report["rows"] == 250 and report["build_seconds"] is not None
    assert [e["format"] for e in report["exports"]] == ["xlsx", "csv"]
    for e in report["exports"]:
        assert e["rows"] == 250 and e["traced"] and e["peak_python_mb"] is not None
        assert {"seconds", "rows_per_second", "file_mb", "max_rss_mb_before", "max_rss_mb_after"} <= set(e)
    assert bench.export.run(250, ["csv"])["build_seconds"] is None  # the office is reused

