"""K-6, the staff view: per specialist and per technician, the volumes, on-time rates and satisfaction of the
other KPIs side by side, one row per person. Pure functions of the daily aggregates (the A-frames of issue 14's
contracts: A1 callback_days, A2 attempt_days, A4 order_intake_days, A5 order_done_days) and of K-5's
lead_contact_days, so they read the rollups or the plain SQL alike and apply the same filter. A person is listed
when any frame has a row for them (unassigned rows are left out); a figure whose frame has nothing for the person
is None (no data), never 0, and so is a rate with nothing to divide by. People are ordered by id; the page shows
their names (core.kpi.staff)."""

from __future__ import annotations

import pandas as pd

from core.kpi.sql import ratio
from db.enums import CallbackKind

# Each column of specialist_view, with what it counts (STYLE habit 3: the definition travels with the figure).
SPECIALIST_COLUMNS = {
    "user_id": "The specialist: the callbacks' assignee, the calls' caller, the lead contacts' user.",
    "callbacks_due": "A1: callbacks assigned to them whose due window ends in the range, cancelled ones left out.",
    "callbacks_done": "A1: those of them completed.",
    "callback_on_time_rate": "A1: completed no later than the window's end ÷ callbacks_due.",
    "attempts": "A2: call attempts they made in the range.",
    "reached": "A2: those whose outcome is reached.",
    "average_score": "A2: the sum of the scores recorded on their reached calls ÷ the number recorded.",
    "satisfied": "A2: their reached calls answered satisfied.",
    "neutral": "A2: their reached calls answered neutral.",
    "dissatisfied": "A2: their reached calls answered dissatisfied.",
    "lead_contacts": "K-5: lead contacts they made in the range (dialed).",
    "lead_sales": "K-5: those that made a sale.",
    "lead_sales_amount_cents": "K-5: the sum of those sales' amounts, in cents.",
}

# Each column of technician_view.
TECHNICIAN_COLUMNS = {
    "technician_id": "The technician of the work orders (and of the order an after-repair callback follows).",
    "orders_opened": "A4: their work orders taken in during the range.",
    "dispatch_within_target_rate": "A4: those dispatched within the target ÷ those dispatched or not dispatched "
                                   "although the target has passed (K-4's denominator: orders_opened less the "
                                   "undispatched ones still inside their target, awaiting_dispatch_by_technician).",
    "orders_completed": "A5: their work orders completed in the range.",
    "average_complete_s": "A5: the seconds from intake to completion summed ÷ orders_completed.",
    "accepted": "A5: completed orders the customer accepted.",
    "accepted_signed_rate": "A5: accepted with the technician's, customer's and manager's signatures ÷ accepted.",
    "after_repair_reached": "A2: reached after-repair calls about their orders.",
    "after_repair_average_score": "A2: the sum of those calls' scores ÷ the number recorded.",
    "after_repair_satisfied": "A2: those answered satisfied.",
    "after_repair_neutral": "A2: those answered neutral.",
    "after_repair_dissatisfied": "A2: those answered dissatisfied.",
}


def totals(frame: pd.DataFrame, key: str, columns: tuple[str, ...]) -> dict[int, dict[str, int]]:
    """The columns summed per person (`key`), rows without a person left out."""
    rows = frame[frame[key].notna()] if len(frame) else frame
    if not len(rows):
        return {}
    sums = rows.groupby(rows[key].astype(int))[list(columns)].sum()
    return {int(k): {c: int(v) for c, v in r.items()} for k, r in sums.iterrows()}


def _side_by_side(parts: list[tuple[dict[int, dict[str, int]], object]], key: str, columns: dict) -> pd.DataFrame:
    """One row per person found in any part; each part (its totals, a function totals → figures) fills its
    columns, or None where it has no row for the person."""
    people = sorted(set().union(*(found for found, _ in parts)))
    rows = []
    for person in people:
        row = {key: person}
        for found, figures in parts:
            row |= figures(found[person]) if person in found else {}
        rows.append(row)
    return pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=list(columns), dtype=object)


def _callbacks(t: dict[str, int]) -> dict:
    return {"callbacks_due": t["due"], "callbacks_done": t["done"],
            "callback_on_time_rate": ratio(t["on_time"], t["due"])}


def _calls(t: dict[str, int], prefix: str = "") -> dict:
    return {f"{prefix}average_score": ratio(t["score_sum"], t["scored"]),
            **{f"{prefix}{s}": t[s] for s in ("satisfied", "neutral", "dissatisfied")}}


CALL_SUMS = ("attempts", "reached", "score_sum", "scored", "satisfied", "neutral", "dissatisfied")


def specialist_view(callback_days: pd.DataFrame, attempt_days: pd.DataFrame,
                    lead_days: pd.DataFrame) -> pd.DataFrame:
    """K-6 per specialist: callbacks (A1 by assignee), calls (A2 by caller) and lead work (K-5 by the contact's
    user) side by side; the columns are SPECIALIST_COLUMNS. None: no data for that person in that frame."""
    leads = totals(lead_days, "user_id", ("dialed", "sales", "sales_amount_cents"))
    return _side_by_side([
        (totals(callback_days, "assignee_id", ("due", "done", "on_time")), _callbacks),
        (totals(attempt_days, "caller_id", CALL_SUMS),
         lambda t: {"attempts": t["attempts"], "reached": t["reached"], **_calls(t)}),
        (leads, lambda t: {"lead_contacts": t["dialed"], "lead_sales": t["sales"],
                           "lead_sales_amount_cents": t["sales_amount_cents"]}),
    ], "user_id", SPECIALIST_COLUMNS)


def technician_view(intake_days: pd.DataFrame, done_days: pd.DataFrame, attempt_days: pd.DataFrame,
                    awaiting: dict[int, int]) -> pd.DataFrame:
    """K-6 per technician: work orders taken in (A4) and completed (A5), and the satisfaction of the
    after-repair calls about their orders (A2 by technician_id, kind after_repair) side by side; the columns
    are TECHNICIAN_COLUMNS. `awaiting`: per technician, the undispatched orders still inside their target
    (core.kpi.awaiting_dispatch_by_technician), left out of the dispatch rate's denominator as K-4 (WO-3) does.
    `attempt_days` must be read without the staff filter (its staff part is the caller) and narrowed to the
    technician by the caller. None: no data for that person in that frame."""
    intake = totals(intake_days, "technician_id", ("opened", "within_1"))
    for person, sums in intake.items():
        sums["awaiting"] = awaiting.get(person, 0)
    after_repair = attempt_days[attempt_days["kind"] == CallbackKind.AFTER_REPAIR]
    return _side_by_side([
        (intake, _intake),
        (totals(done_days, "technician_id", ("completed", "complete_s_sum", "accepted", "accepted_signed")), _done),
        (totals(after_repair, "technician_id", CALL_SUMS),
         lambda t: {"after_repair_reached": t["reached"], **_calls(t, "after_repair_")}),
    ], "technician_id", TECHNICIAN_COLUMNS)


def _intake(t: dict[str, int]) -> dict:
    decided = t["opened"] - t["awaiting"]  # dispatched, or not dispatched although the target has passed
    return {"orders_opened": t["opened"], "dispatch_within_target_rate": ratio(t["within_1"], decided)}


def _done(t: dict[str, int]) -> dict:
    return {"orders_completed": t["completed"], "average_complete_s": ratio(t["complete_s_sum"], t["completed"]),
            "accepted": t["accepted"], "accepted_signed_rate": ratio(t["accepted_signed"], t["accepted"])}
