"""The demo office's work orders are ones the app could have made (issue 12): every history replays through
core.work_orders.flow's gate with the recorded user's role, accepted orders pass the acceptance checklist
(WO-5/WO-6) or carry a special approval, signatures are drawn images, finance's weeks hold the settled
orders (WO-8), and the callbacks of WO-10/WO-11 are there. One small office, built once (SQLite), for a
pinned Monday: the current week and the last are still unsigned."""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import create_engine, select

from core.office.settings import Office as Settings
from core.permissions import Actor
from core.scheduling.rules import after_repair_key
from core.work_orders.flow import Act, Context, Move, act_refusal, refusal, target_of
from core.work_orders.progress import progress_key, purpose
from core.work_orders.rules import delay_due, finance_week, missing
from db.enums import Role
from db.models import Base
from demo.build import Scale
from tests.helpers import demo_office

TODAY = date(2026, 11, 23)  # a Monday: finance signs last week off tomorrow
SCALE = Scale(customers=200, work_orders=400, callbacks=600, complaints=20, leads=20)
SETTINGS = Settings()
TABLES = ("users", "work_orders", "work_order_events", "work_order_signatures", "finance_batches", "callbacks")
FINAL = {"accepted", "settled", "closed"}


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict[str, list[dict]]:
    url = demo_office(tmp_path_factory.mktemp("wo") / "demo.sqlite", TODAY, SCALE)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: [dict(r._mapping) for r in conn.execute(select(Base.metadata.tables[name])
                                                                  .order_by(Base.metadata.tables[name].c.id))]
                    for name in TABLES}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def events(office) -> dict[int, list[dict]]:
    out = defaultdict(list)
    for e in office["work_order_events"]:
        out[e["work_order_id"]].append(e)
    return out


@pytest.fixture(scope="module")
def signatures(office) -> dict[int, dict[str, dict]]:
    out = defaultdict(dict)
    for sig in office["work_order_signatures"]:
        out[sig["work_order_id"]][sig["kind"]] = sig
    return out


def step_of(value: str) -> Move | Act:
    return Move(value) if value in Move._value2member_map_ else Act(value)


def replay(wo: dict, history: list[dict], users: dict[int, dict]) -> None:
    """Each event is a move or act the gate lets its user make at that point (WO-4, WO-5)."""
    state = {"status": "new", "service_type": wo["service_type"], "technician_id": wo["technician_id"]}
    signed: set[Act] = set()
    intake, *steps = history
    assert intake["move"] is None and intake["to_status"] == "new" and intake["user_id"] == wo["intake_by_id"]
    for previous, e in zip(history, steps, strict=False):
        step, user = step_of(e["move"]), users[e["user_id"]]
        actor = Actor(user["id"], user["username"], user["display_name"], user["role"])
        ctx = Context(technician_signed=Act.SIGN_TECHNICIAN in signed, customer_signed=Act.SIGN_CUSTOMER in signed)
        gate = refusal if isinstance(step, Move) else act_refusal
        assert gate(step, state, actor, ctx) is None, (wo["number"], e)
        assert e["from_status"] == state["status"] and e["at"] >= previous["at"], (wo["number"], e)
        if step == Move.PEND:
            state["pending_from"] = state["status"]
        if isinstance(step, Move):
            state["status"] = target_of(step, state).value
        else:
            signed.add(step)
            state[{Act.COUNTERSIGN: "manager_countersigned_at", Act.APPROVE: "special_approval_at",
                   Act.INVOICE: "invoice_no", Act.FEE: "fee_cents"}.get(step, "_")] = True
        assert e["to_status"] == state["status"], (wo["number"], e)
    assert state["status"] == wo["status"] and len(history) == wo["version"]


def test_every_history_replays_through_the_flow_gate_with_its_users_role(office, events):
    users = {u["id"]: u for u in office["users"]}
    for wo in office["work_orders"]:
        replay(wo, events[wo["id"]], users)


def test_the_desk_is_a_specialist_the_dispatcher_the_manager_and_finance_settles(office, events):
    roles = {u["id"]: u["role"] for u in office["users"]}
    expected = {"dispatch": Role.MANAGER, "accept": Role.SPECIALIST, "send_back": Role.SPECIALIST,
                "close": Role.SPECIALIST, "settle": Role.FINANCE, "invoice": Role.FINANCE,
                "countersign": Role.MANAGER, "approve": Role.MANAGER, "receive": Role.ENGINEER}
    for wo in office["work_orders"]:
        for e in events[wo["id"]]:
            if e["move"] in expected:
                assert roles[e["user_id"]] == expected[e["move"]], (wo["number"], e["move"])
            if e["move"] == "accept":
                assert wo["accepted_by_id"] == e["user_id"] and wo["accepted_at"] == e["at"]


def test_accepted_orders_pass_the_acceptance_checklist_or_were_specially_approved(office, signatures):
    final = [wo for wo in office["work_orders"] if wo["status"] in FINAL]
    for wo in final:
        kinds = signatures[wo["id"]]
        assert missing(wo, "technician" in kinds, "customer" in kinds, SETTINGS) == [], wo["number"]
        approval = (wo["special_approval_at"], wo["special_approval_by_id"], wo["special_approval_note"])
        assert all(approval) or not any(approval)
        assert wo["return_signed_by_id"] == wo["technician_id"]
    assert any(wo["special_approval_at"] for wo in final)


def test_a_delay_reason_is_recorded_exactly_where_one_is_due(office):
    for wo in office["work_orders"]:
        assert bool(wo["delay_reason"]) == delay_due(wo, SETTINGS), wo["number"]
    assert any(wo["delay_reason"] for wo in office["work_orders"])


def test_some_orders_were_sent_back_for_the_customers_signature_then_returned_and_accepted(office, events):
    sent = [wo for wo in office["work_orders"] if any(e["move"] == "send_back" for e in events[wo["id"]])]
    assert sent
    for wo in sent:
        moves = [e for e in events[wo["id"]] if e["move"]]
        back = next(i for i, e in enumerate(moves) if e["move"] == "send_back")
        assert moves[back]["note"] and moves[back - 1]["move"] == "return"
        after = [e["move"] for e in moves[back:]]
        assert after.index("sign_customer") < after.index("return") < after.index("accept")
        assert moves[back]["at"] < wo["customer_signed_at"] < wo["returned_at"]


def test_signature_images_are_drawn_strokes_stored_with_who_and_when(office, signatures):
    users = {u["id"]: u for u in office["users"]}
    for wo in office["work_orders"]:
        kinds = signatures[wo["id"]]
        assert ("technician" in kinds) == bool(wo["technician_signed_at"])
        assert ("customer" in kinds) == bool(wo["customer_signed_at"])
        for kind, sig in kinds.items():
            assert sig["captured_by_id"] == wo["technician_id"]
            assert sig["signer_name"] == (users[wo["technician_id"]]["display_name"] if kind == "technician"
                                          else wo["customer_signed_name"])
            assert sig["signed_at"] == wo[f"{kind}_signed_at"]
    images = {sig["sha256"]: sig["png"] for sig in office["work_order_signatures"]}
    assert len(images) > 20
    for digest, png in images.items():
        assert hashlib.sha256(png).hexdigest() == digest and len(png) < 4096
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (300, 100)
        ink = sum(image.convert("L").histogram()[:128])  # dark pixels: strokes, neither blank nor filled
        assert 200 < ink < 300 * 100 // 4


def test_settled_orders_are_in_a_signed_week_and_recent_weeks_wait_unsigned(office):
    batches = {b["id"]: b for b in office["finance_batches"]}
    by_week = {b["week_start"]: b for b in office["finance_batches"]}
    finance = next(u["id"] for u in office["users"] if u["role"] == Role.FINANCE)
    assert all((b["signed_by_id"] == finance) == bool(b["signed_at"]) for b in batches.values())
    paid_accepted = [wo for wo in office["work_orders"] if wo["service_type"] == "A" and wo["accepted_at"]]
    for wo in paid_accepted:
        week = by_week[finance_week(wo["accepted_at"], SETTINGS.timezone)]
        assert bool(week["signed_at"]) == bool(wo["settled_at"]), wo["number"]
        if wo["settled_at"]:
            assert batches[wo["finance_batch_id"]] is week and wo["invoice_no"]
            assert wo["settled_at"] == week["signed_at"]
    this_week, last_week = sorted(by_week)[-1], sorted(by_week)[-2]
    assert not by_week[this_week]["signed_at"] and not by_week[last_week]["signed_at"]
    waiting = [wo for wo in paid_accepted if wo["status"] == "accepted"]
    assert waiting and any(wo["invoice_no"] for wo in waiting) and not all(wo["invoice_no"] for wo in waiting)


def test_every_wait_put_a_progress_call_on_the_queue_wo_11(office, events):
    calls = {cb["source_key"]: cb for cb in office["callbacks"] if cb["kind"] == "progress"}
    pending = [wo for wo in office["work_orders"] if wo["status"] == "pending"]
    assert pending
    for wo in pending:
        pend = [e for e in events[wo["id"]] if e["move"] == "pend"][-1]
        assert wo["pending_from"] == pend["from_status"] and wo["pending_reason"] == pend["pending_reason"]
        if wo["service_type"] == "D":  # internal: no customer to call
            assert progress_key(wo["id"], "pending:1") not in calls
            continue
        call = calls[progress_key(wo["id"], "pending:1")]
        assert call["work_order_id"] == wo["id"] and call["due_start"] == pend["at"]
        assert call["purpose"] == purpose(wo) == wo["number"]
    assert all(wo["pending_from"] is None for wo in office["work_orders"] if wo["status"] != "pending")


def test_every_completed_customer_order_has_its_after_repair_callback_wo_10(office):
    keys = {cb["source_key"]: cb for cb in office["callbacks"] if cb["kind"] == "after_repair"}
    for wo in office["work_orders"]:
        if wo["completed_at"] and wo["service_type"] != "D":
            assert keys[after_repair_key(wo["id"])]["work_order_id"] == wo["id"]
    assert not [k for k, cb in keys.items() if cb["work_order_id"] is None]


def test_the_office_has_every_kind_of_history(office, events):
    moves = {e["move"] for e in office["work_order_events"]}
    assert moves >= {m.value for m in Move} | {a.value for a in Act} - {"note"}
    resumed = [e for e in office["work_order_events"] if e["move"] == "resume"]
    assert {e["to_status"] for e in resumed} == {"survey", "in_repair"}
