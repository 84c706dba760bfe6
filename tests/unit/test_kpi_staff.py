"""K-6, the staff view, on hand-made A-frames (issue 14's contracts): one row per person, the figures of each
frame side by side, None where a frame has nothing for the person."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.kpi.staff_view import SPECIALIST_COLUMNS, TECHNICIAN_COLUMNS, specialist_view, technician_view
from db.enums import CallbackKind

D1, D2 = date(2026, 11, 16), date(2026, 11, 17)
A1 = ["day", "assignee_id", "kind", "level", "due", "done", "on_time"]
A2 = ["day", "caller_id", "technician_id", "kind", "level", "attempts", "reached", "wrong_number", "score_sum",
      "scored", "satisfied", "neutral", "dissatisfied", "qa_sum", "qa_n"]
A4 = ["day", "technician_id", "service_type", "opened", "dispatched", "dispatch_s_sum", "within_1", "within_3",
      "within_12", "undispatched"]
A5 = ["day", "technician_id", "service_type", "completed", "complete_s_sum", "accepted", "accepted_signed",
      "accepted_special", "fee_sum", "fee_n"]
LEADS = ["day", "user_id", "dialed", "completed", "appointments", "recommendations", "sales", "sales_amount_cents"]
AFTER, FIRST = CallbackKind.AFTER_REPAIR, CallbackKind.FIRST


def frame(columns, *rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns).astype({columns[1]: object})


def by_person(view: pd.DataFrame) -> dict:
    return {r[view.columns[0]]: r for r in view.to_dict("records")}


def test_a_specialist_row_sums_their_days_and_divides_only_where_there_is_something_to_divide():
    """K-6 with K-1 (A1 by assignee), K-2 (A2 by caller) and K-5 (lead contacts by user)."""
    callbacks = frame(A1, [D1, 7, FIRST, 1, 3, 2, 1], [D2, 7, AFTER, 2, 1, 1, 1], [D1, None, FIRST, 1, 5, 0, 0])
    calls = frame(A2, [D1, 7, None, FIRST, 1, 4, 3, 0, 9, 2, 1, 1, 1, 0, 0], [D2, 8, 3, AFTER, 1, 2, 0, 1, 0, 0, 0,
                                                                              0, 0, 0, 0])
    leads = frame(LEADS, [D1, 9, 5, 3, 1, 1, 1, 12_000], [D2, 9, 2, 0, 0, 0, 0, 0])
    view = specialist_view(callbacks, calls, leads)
    assert list(view.columns) == list(SPECIALIST_COLUMNS)
    rows = by_person(view)
    assert list(rows) == [7, 8, 9]  # the unassigned callbacks (None) are nobody's
    assert rows[7] == {"user_id": 7, "callbacks_due": 4, "callbacks_done": 3, "callback_on_time_rate": 0.5,
                       "attempts": 4, "reached": 3, "average_score": 4.5, "satisfied": 1, "neutral": 1,
                       "dissatisfied": 1, "lead_contacts": None, "lead_sales": None, "lead_sales_amount_cents": None}
    assert rows[8]["attempts"] == 2 and rows[8]["average_score"] is None and rows[8]["callbacks_due"] is None
    assert (rows[9]["lead_contacts"], rows[9]["lead_sales"], rows[9]["lead_sales_amount_cents"]) == (7, 1, 12_000)


def test_a_technician_row_holds_orders_and_the_satisfaction_of_after_repair_calls_only():
    """K-6 with K-4 (A4/A5 by technician) and K-2's after-repair calls about their orders (A2 technician_id)."""
    intake = frame(A4, [D1, 3, "paid", 4, 3, 900, 2, 3, 3, 1], [D2, 3, "warranty", 1, 1, 60, 1, 1, 1, 0])
    done = frame(A5, [D1, 3, "paid", 2, 7200, 2, 1, 0, 5000, 1], [D2, 4, "paid", 1, 3600, 0, 0, 0, 0, 0])
    calls = frame(A2, [D1, 7, 3, AFTER, 1, 2, 2, 0, 9, 2, 1, 0, 1, 0, 0],
                  [D1, 7, 3, FIRST, 1, 5, 5, 0, 25, 5, 5, 0, 0, 0, 0],  # not after repair: not the technician's
                  [D2, 7, None, AFTER, 1, 1, 1, 0, 5, 1, 1, 0, 0, 0, 0])  # no work order: nobody's
    view = technician_view(intake, done, calls, {})
    assert list(view.columns) == list(TECHNICIAN_COLUMNS)
    rows = by_person(view)
    assert rows[3] == {"technician_id": 3, "orders_opened": 5, "dispatch_within_target_rate": 0.6,
                       "orders_completed": 2, "average_complete_s": 3600.0, "accepted": 2, "accepted_signed_rate": 0.5,
                       "after_repair_reached": 2, "after_repair_average_score": 4.5, "after_repair_satisfied": 1,
                       "after_repair_neutral": 0, "after_repair_dissatisfied": 1}
    assert rows[4]["orders_opened"] is None and rows[4]["accepted_signed_rate"] is None
    assert rows[4]["after_repair_reached"] is None and rows[4]["average_complete_s"] == 3600.0


@pytest.mark.parametrize("view, frames", [
    (specialist_view, (A1, A2, LEADS)), (technician_view, (A4, A5, A2)),
], ids=["specialists", "technicians"])
def test_no_rows_at_all_is_an_empty_view_with_every_column(view, frames):
    result = view(*(frame(columns) for columns in frames), *([{}] if view is technician_view else []))
    assert result.empty and len(result.columns) == len(SPECIALIST_COLUMNS if view is specialist_view
                                                       else TECHNICIAN_COLUMNS)


def test_the_dispatch_rate_leaves_out_the_orders_still_inside_their_target_as_k4_does():
    """K-6 with K-4 (WO-3): within_1 ÷ (opened − awaiting): dispatched, or undispatched past the target; a
    technician whose orders all still wait inside the target has no rate (None), not 0."""
    intake = frame(A4, [D1, 3, "paid", 4, 2, 900, 1, 2, 2, 2], [D2, 5, "paid", 2, 0, 0, 0, 0, 0, 2])
    done, calls = frame(A5), frame(A2)
    rows = by_person(technician_view(intake, done, calls, {3: 1, 5: 2}))
    assert rows[3]["orders_opened"] == 4 and rows[3]["dispatch_within_target_rate"] == 1 / 3
    assert rows[5]["orders_opened"] == 2 and rows[5]["dispatch_within_target_rate"] is None
    assert by_person(technician_view(intake, done, calls, {}))[3]["dispatch_within_target_rate"] == 1 / 4
