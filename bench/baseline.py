"""The naive baseline: what a typical Streamlit app of this kind does on every rerun.

`SELECT *` of each table the page shows into pandas, then filter, join, sort, count and aggregate
in pandas to get the same figures the page shows. Timed once or twice (it is slow), to compare.
Settings has no baseline: it reads a handful of rows either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

PAGE = 25
OPEN_CB = ["open", "in_progress"]


def _read(conn, table: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table; the `dates` columns as naive UTC timestamps, as SQLite stores them (PostgreSQL's come with
    their zone, which pandas will not compare with a naive bound)."""
    df = pd.read_sql(f"SELECT * FROM {table}", conn)
    for col in dates:
        df[col] = pd.to_datetime(df[col], format="ISO8601", utc=True).dt.tz_localize(None)
    return df


def _names(conn) -> pd.Series:
    return _read(conn, "users").set_index("id")["display_name"]


def _today(now: datetime, tz: str = "Asia/Shanghai") -> tuple[pd.Timestamp, pd.Timestamp]:
    day = now.astimezone(ZoneInfo(tz)).date()
    lo = datetime.combine(day, datetime.min.time(), ZoneInfo(tz)).astimezone(UTC).replace(tzinfo=None)
    return pd.Timestamp(lo), pd.Timestamp(lo + timedelta(days=1))


def work_orders(conn, now: datetime) -> dict:
    wo = work_orders_of(conn)
    wo["technician"] = wo["technician_id"].map(_names(conn))
    top = wo.sort_values(["intake_at", "id"], ascending=False).head(PAGE)
    return {"total": len(wo), "first_page": top["id"].tolist()}


def dispatch_board(conn, now: datetime) -> dict:
    """The orders not yet dispatched (WO-3), the oldest first, with their customers."""
    wo = _read(conn, "work_orders", ("intake_at",))
    cu = _read(conn, "customers")[["id", "name"]].rename(columns={"id": "customer_id", "name": "customer"})
    waiting = wo[wo["status"] == "new"].merge(cu, on="customer_id").sort_values(["intake_at", "id"])
    return {"total": len(waiting), "first_page": waiting["id"].head(PAGE).tolist()}


def engineer_orders(conn, now: datetime) -> dict:
    """One engineer's work-order list (the first engineer's), newest intake first."""
    users = _read(conn, "users")
    me = users[users["role"] == "engineer"]["id"].min()
    wo = work_orders_of(conn)
    mine = wo[wo["technician_id"] == me].sort_values(["intake_at", "id"], ascending=False)
    return {"total": len(mine), "first_page": mine["id"].head(PAGE).tolist()}


def work_orders_of(conn) -> pd.DataFrame:
    wo = _read(conn, "work_orders", ("intake_at", "completed_at"))
    cu = _read(conn, "customers")[["id", "name"]].rename(columns={"id": "customer_id", "name": "customer"})
    return wo.merge(cu, on="customer_id", how="inner")


def callbacks(conn, now: datetime) -> dict:
    cb = _read(conn, "callbacks", ("due_end", "completed_at"))
    cu = _read(conn, "customers")[["id", "name", "phone", "grade"]].rename(columns={"id": "customer_id"})
    cb = cb.merge(cu, on="customer_id", how="left")
    cb["assignee"] = cb["assignee_id"].map(_names(conn))
    is_open = cb["status"].isin(OPEN_CB)
    cb["overdue"] = is_open & (cb["due_end"] < pd.Timestamp(now.replace(tzinfo=None)))
    cb["open_rank"] = (~is_open).astype(int)
    cb["grade_rank"] = cb["grade"].map({"vip": 0, "key": 1}).fillna(2)
    top = cb.sort_values(["open_rank", "due_end", "grade_rank", "id"]).head(PAGE)
    return {"total": len(cb), "first_page": top["id"].tolist()}


def complaints(conn, now: datetime) -> dict:
    cp = _read(conn, "complaints", ("received_at", "reply_deadline"))
    cu = _read(conn, "customers")[["id", "name"]].rename(columns={"id": "customer_id", "name": "customer"})
    pr = _read(conn, "products")[["id", "model"]].rename(columns={"id": "product_id"})
    cp = cp.merge(cu, on="customer_id").merge(pr, on="product_id", how="left")
    names = _names(conn)
    cp["owner"] = cp["owner_id"].map(names)
    cp["overdue"] = (cp["status"] != "closed") & (cp["reply_deadline"] < pd.Timestamp(now.replace(tzinfo=None)))
    top = cp.sort_values(["received_at", "id"], ascending=False).head(PAGE)
    owners = sorted(names[names.index.isin(cp["owner_id"].dropna())].tolist())
    return {"total": len(cp), "first_page": top["id"].tolist(), "owners": len(owners)}


def complaints_attention(conn, now: datetime) -> dict:
    """The complaints list with only the escalated or overdue ones (CP-5), newest first."""
    cp = _read(conn, "complaints", ("received_at", "reply_deadline", "replied_at", "first_response_due",
                                    "first_response_at"))
    cu = _read(conn, "customers")[["id", "name"]].rename(columns={"id": "customer_id", "name": "customer"})
    cp = cp.merge(cu, on="customer_id")
    cp["owner"] = cp["owner_id"].map(_names(conn))
    naive_now = pd.Timestamp(now.replace(tzinfo=None))
    late = ((cp["first_response_at"].isna() & (cp["first_response_due"] < naive_now))
            | (cp["replied_at"].isna() & (cp["reply_deadline"] < naive_now)))
    cp = cp[(cp["status"] != "closed") & (cp["escalated"].astype(bool) | late)]
    top = cp.sort_values(["received_at", "id"], ascending=False).head(PAGE)
    return {"total": len(cp), "first_page": top["id"].tolist()}


def month_before(now: datetime, tz: str = "Asia/Shanghai") -> tuple[date, date]:
    """The office's last whole calendar month before `now`: the period the complaint log is timed for."""
    last = now.astimezone(ZoneInfo(tz)).date().replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _month_of_complaints(conn, now: datetime) -> pd.DataFrame:
    """Every complaint with its customer's name and product's model, then those received in the month."""
    cp = _read(conn, "complaints", ("received_at", "closed_at", "reply_deadline"))
    cu = _read(conn, "customers")[["id", "name"]].rename(columns={"id": "customer_id", "name": "customer"})
    pr = _read(conn, "products")[["id", "model"]].rename(columns={"id": "product_id"})
    cp = cp.merge(cu, on="customer_id", how="left").merge(pr, on="product_id", how="left")
    start, end = month_before(now)
    zone = ZoneInfo("Asia/Shanghai")
    lo, hi = (pd.Timestamp(datetime.combine(d, datetime.min.time(), zone).astimezone(UTC).replace(tzinfo=None))
              for d in (start, end + timedelta(days=1)))
    return cp[(cp["received_at"] >= lo) & (cp["received_at"] < hi)]


def complaint_log(conn, now: datetime) -> dict:
    """The complaint log of a month (CP-4): the first page in the order received, with days to close."""
    cp = _month_of_complaints(conn, now)
    top = cp.sort_values(["received_at", "id"]).head(PAGE).copy()
    top["days_to_close"] = (top["closed_at"] - top["received_at"]).dt.days.where(top["status"] == "closed")
    return {"total": len(cp), "first_page": top["id"].tolist()}


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 6)


def complaint_log_summary(conn, now: datetime) -> dict:
    """The month's summary (K-3): by cause and by model, repeats, reopen rate, closed by the promised date."""
    cp = _month_of_complaints(conn, now)
    naive_now = pd.Timestamp(now.replace(tzinfo=None))
    decided = cp["reply_deadline"].notna() & (cp["closed_at"].notna() | (cp["reply_deadline"] < naive_now))
    kept = decided & (cp["closed_at"] <= cp["reply_deadline"])
    return {
        "received": len(cp), "by_cause": {str(k): int(v) for k, v in cp["cause"].fillna("none").value_counts().items()},
        "models": int(cp["model"].nunique(dropna=False)),
        "repeat_customers": int((cp.groupby("customer_id").size() >= 2).sum()),
        "repeat_models": int((cp.groupby("model").size() >= 2).sum()),
        "reopen_rate": _share(int((cp["reopen_count"] > 0).sum()), len(cp)),
        "closed_by_promised_date": _share(int(kept.sum()), int(decided.sum())),
    }


def customers(conn, now: datetime) -> dict:
    cu = _read(conn, "customers", ("created_at",))
    names = _names(conn)
    cu["specialist"] = cu["specialist_id"].map(names)
    top = cu.sort_values(["created_at", "id"], ascending=False).head(PAGE)
    return {"total": len(cu), "first_page": top["id"].tolist(),
            "specialists": int(cu["specialist_id"].dropna().nunique())}


def my_work(conn, now: datetime) -> dict:
    naive_now = pd.Timestamp(now.replace(tzinfo=None))
    lo, hi = _today(now)
    cb = _read(conn, "callbacks", ("due_end", "completed_at"))
    is_open = cb["status"].isin(OPEN_CB)
    counts = {
        "cb_overdue": int((is_open & (cb["due_end"] < naive_now)).sum()),
        "cb_due_today": int((is_open & cb["due_end"].between(lo, hi, inclusive="left")).sum()),
        "cb_completed_today": int(cb["completed_at"].between(lo, hi, inclusive="left").sum()),
    }
    del cb
    cp = _read(conn, "complaints", ("reply_deadline", "replied_at"))
    live = cp[cp["status"] != "closed"]
    counts |= {"cp_open": len(live), "cp_escalated": int(live["escalated"].astype(bool).sum()),
               "cp_overdue": int((live["replied_at"].isna() & (live["reply_deadline"] < naive_now)).sum())}
    wo = _read(conn, "work_orders", ("completed_at",))
    counts |= {f"wo_{k}": int(v) for k, v in wo["status"].value_counts().items()}
    counts["wo_completed_today"] = int(wo["completed_at"].between(lo, hi, inclusive="left").sum())
    counts["pending_by_reason"] = wo.loc[wo["status"] == "pending", "pending_reason"].value_counts().to_dict()
    leads = _read(conn, "leads", ("next_follow_up",))
    counts["lead_due"] = int(((leads["status"] == "open") & (leads["next_follow_up"] < hi)).sum())
    contacts = _read(conn, "lead_contacts", ("contacted_at",))
    week = contacts[contacts["contacted_at"] >= lo - pd.Timedelta(days=now.weekday())]
    counts["activity_rows"] = int(week.groupby("user_id").size().shape[0])
    return counts


def kpis(conn, now: datetime) -> dict:
    """The last 12 weeks: callbacks due and done per week with the completion and on-time rates, reach
    rate and satisfaction of attempts, complaints by channel and status, work orders opened and completed
    per week, the open backlog by status and age, dispatch within target and paid-service revenue."""
    naive_now = pd.Timestamp(now.replace(tzinfo=None))
    lo, hi = _today(now)
    lo = lo - pd.Timedelta(days=now.weekday() + 7 * 11)
    week = lambda s: s.dt.to_period("W")  # noqa: E731
    cb = _read(conn, "callbacks", ("due_end", "completed_at"))
    cb = cb[cb["due_end"].between(lo, hi, inclusive="left")]
    done = cb["status"] == "completed"
    figures = {"cb_weeks": len(cb.groupby(week(cb["due_end"])).agg(due=("id", "size"))),
               "cb_done": int(done.sum()), "cb_on_time": int((done & (cb["completed_at"] <= cb["due_end"])).sum())}
    del cb
    at = _read(conn, "call_attempts", ("attempted_at",))
    at = at[at["attempted_at"].between(lo, hi, inclusive="left")]
    figures |= {"attempts": len(at), "reached": int((at["outcome"] == "reached").sum()),
                "score": float(at["score"].mean()), "satisfaction": at["satisfaction"].value_counts().to_dict()}
    del at
    cp = _read(conn, "complaints", ("received_at", "closed_at", "reply_deadline"))
    cp = cp[cp["received_at"].between(lo, hi, inclusive="left")]
    figures["cp_cells"] = len(cp.groupby(["channel", "status"]).size())
    figures["cp_closed_in_time"] = int((cp["closed_at"] <= cp["reply_deadline"]).sum())
    wo = _read(conn, "work_orders", ("intake_at", "dispatched_at", "completed_at"))
    opened = wo[wo["intake_at"].between(lo, hi, inclusive="left")]
    completed = wo[wo["completed_at"].between(lo, hi, inclusive="left")]
    backlog = wo[wo["status"].isin(["new", "dispatched", "received", "survey", "in_repair", "pending"])]
    age = pd.cut((naive_now - backlog["intake_at"]).dt.days, [-1, 1, 3, 7, 10**6])
    minutes = (opened["dispatched_at"] - opened["intake_at"]).dt.total_seconds() / 60
    figures |= {"wo_opened_weeks": len(opened.groupby(week(opened["intake_at"])).size()),
                "wo_completed": len(completed), "backlog_cells": len(backlog.groupby(["status", age], observed=True)),
                "dispatched_in_target": int((minutes <= 5).sum()),
                "revenue": int(completed.loc[completed["service_type"] == "A", "fee_cents"].sum())}
    return figures


BASELINES: dict[str, Callable[[object, datetime], dict]] = {
    "pages/my_work.py": my_work, "pages/callbacks.py": callbacks, "pages/complaints.py": complaints,
    "pages/work_orders.py": work_orders, "pages/customers.py": customers, "pages/kpis.py": kpis,
}


def time_baseline(engine: Engine, page: str, runs: int) -> dict | None:
    """Median ms of the naive way for `page` over `runs` runs, or None where there is none (or runs is 0)."""
    fn = BASELINES.get(page)
    if fn is None or runs < 1:
        return None
    times, figures = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        with engine.connect() as conn:
            figures = fn(conn, datetime.now(UTC))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"median_ms": round(times[len(times) // 2], 1), "runs_ms": [round(t, 1) for t in times],
            "figures": {k: v for k, v in figures.items() if k != "first_page"}}
