"""The complaints (K-3) and leads (K-5) dashboard areas timed at a benchmark office (issue 14, "fast at scale"):
each area as the page calls it, from the rollups (core.kpi) beside the base-table reference (core.kpi.complaints,
core.kpi.leads), over 12 weeks and two years ending at the office's last record, with no filter and with the
grade, grade + model and staff filters. Each figure is the first call (the rollup already refreshed, no cache
of ours) and the best of a few more, in milliseconds.

    python -m bench.areas [--url URL] [--repeat N]   (default: the cached benchmark office of bench.run)
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta

from sqlalchemy import Engine, func, select

from core import kpi
from core.kpi import complaints as complaint_reference
from core.kpi import leads as lead_reference
from core.kpi.rollups import office_basis, refresh
from core.kpi.sql import KpiFilter
from core.office.settings import load_office
from db.engine import make_engine
from db.enums import CustomerGrade
from db.models import Complaint, LeadContact, Product


def _areas(engine: Engine, tz: str, now, office) -> dict:
    def complaints(mod):
        return lambda f: (mod.complaint_counts(engine, f, tz, now), mod.complaints_by_channel(engine, f, tz),
                          mod.complaints_closed_by_deadline(engine, f, tz, now))

    return {
        "complaints (rollup)": complaints(kpi),
        "complaints (reference)": complaints(complaint_reference),
        "lead_contact_days (rollup)": lambda f: kpi.lead_contact_days(engine, f, tz),
        "lead_contact_days (reference)": lambda f: lead_reference.lead_contact_days(engine, f, tz),
        "lead_follow_ups (rollup)": lambda f: kpi.lead_follow_ups(engine, f, tz, office),
        "lead_follow_ups (reference)": lambda f: lead_reference.lead_follow_ups(engine, f, tz, office),
    }


def _filters(engine: Engine, end) -> dict[str, tuple]:
    with engine.connect() as conn:
        model = conn.execute(select(Product.model).join(Complaint, Complaint.product_id == Product.id)
                             .group_by(Product.model).order_by(func.count().desc()).limit(1)).scalar()
        owner = conn.execute(select(Complaint.owner_id).where(Complaint.owner_id.is_not(None))
                             .group_by(Complaint.owner_id).order_by(func.count().desc()).limit(1)).scalar()
    return {"none": {}, "grade": {"grades": (CustomerGrade.VIP,)},
            "grade+model": {"grades": (CustomerGrade.VIP, CustomerGrade.KEY), "models": (model,)},
            "staff": {"staff_id": owner}}


def _ms(fn, f) -> float:
    started = time.perf_counter()
    fn(f)
    return round((time.perf_counter() - started) * 1000, 1)


def run(url: str, repeat: int = 3) -> list[dict]:
    engine = make_engine(url)
    tz, target = office_basis(engine)
    refresh(engine, tz, target)  # the rollups up to date: what follows is a dashboard's read
    with engine.connect() as conn:
        last = max(conn.execute(select(func.max(Complaint.received_at))).scalar(),
                   conn.execute(select(func.max(LeadContact.contacted_at))).scalar())
    now, end = last + timedelta(hours=1), last.date()
    ranges = {"12 weeks": end - timedelta(weeks=12) + timedelta(days=1), "2 years": end - timedelta(days=730)}
    out = []
    for area, fn in _areas(engine, tz, now, load_office(engine)).items():
        for span, start in ranges.items():
            for name, parts in _filters(engine, end).items():
                f = KpiFilter(start, end, **parts)
                first = _ms(fn, f)
                best = min(_ms(fn, f) for _ in range(repeat))
                out.append({"dialect": engine.dialect.name, "area": area, "range": span, "filter": name,
                            "first_ms": first, "best_ms": best})
                print(f"{engine.dialect.name:10} {area:42} {span:8} {name:12} first {first:8.1f}  best {best:8.1f}",
                      flush=True)
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    url = args.url
    if url is None:
        from bench.office import BENCH_DIR, sqlite_url

        url = sqlite_url(BENCH_DIR / "office.sqlite")
    figures = run(url, args.repeat)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
