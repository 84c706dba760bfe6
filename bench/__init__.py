"""`make bench`: every page against a large demo office, timed warm, next to a naive pandas baseline.

A benchmark, not a test: it measures and reports, it asserts nothing about time.
office.py builds and caches the database, pages.py drives the page scripts through AppTest,
baseline.py is the read-everything-into-pandas way, run.py ties them together and reports.
"""
