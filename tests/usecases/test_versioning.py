"""No lost updates (core.versioning via core.customers.services, C-1/C-3: wrong data is corrected, every
correction audited): of two saves based on the same version exactly one wins, the other learns who
saved and when, and nothing of it is written; bad input writes nothing at all. A threaded race checks
the compare-and-set under real contention on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from core.customers.services import update_customer
from core.errors import Forbidden, Invalid, NotFound, StaleEdit, Unchanged
from db.engine import session_scope
from db.enums import CustomerGrade, Role
from tests.factories import NOW, make_account, make_fresh_customer
from tests.helpers import audit_mark, audit_since, customer_row, restoring_settings, set_setting

TODAY = date(2026, 11, 20)
ROUNDS = 300
RACERS = 4


@pytest.fixture
def pair(engine):
    with session_scope(engine) as s:
        return (make_account(s, Role.SPECIALIST, username="alice", display_name="Alice Wang"),
                make_account(s, Role.MANAGER, username="mei", display_name="Mei Chen"))


@pytest.fixture
def customer(engine):
    return make_fresh_customer(engine, phone="13800000001")


# --- two users, one record ----------------------------------------------------------------------------

def test_a_save_based_on_the_current_version_returns_the_next_version_and_is_audited(engine, pair, customer):
    alice, _ = pair
    customer_id, version = customer
    mark = audit_mark(engine)
    assert update_customer(engine, alice, customer_id, version, {"grade": "vip"}, NOW, TODAY) == version + 1
    assert customer_row(engine, customer_id)["grade"] == CustomerGrade.VIP
    assert customer_row(engine, customer_id)["version"] == version + 1
    [row] = audit_since(engine, mark)
    assert (row["entity"], row["entity_id"], row["action"], row["username"], row["changes"]) == (
        "customer", str(customer_id), "update", "alice", {"grade": ["normal", "vip"]})


def test_the_second_of_two_saves_based_on_the_same_version_is_refused_naming_the_first(engine, pair, customer):
    alice, mei = pair
    customer_id, version = customer
    assert update_customer(engine, alice, customer_id, version, {"phone": "13911112222"}, NOW, TODAY) == version + 1
    mark = audit_mark(engine)
    with pytest.raises(StaleEdit) as err:
        update_customer(engine, mei, customer_id, version, {"phone": "13733334444", "notes": "mei was here"},
                        NOW + timedelta(minutes=3), TODAY)
    assert err.value.key == "error.stale"
    assert err.value.params == {"who": "alice", "when": NOW}
    stored = customer_row(engine, customer_id)
    assert (stored["phone"], stored["notes"], stored["version"]) == ("+8613911112222", None, version + 1)
    assert audit_since(engine, mark) == []


def test_after_reloading_the_second_user_saves_on_the_new_version(engine, pair, customer):
    alice, mei = pair
    customer_id, version = customer
    update_customer(engine, alice, customer_id, version, {"phone": "13911112222"}, NOW, TODAY)
    assert update_customer(engine, mei, customer_id, version + 1, {"notes": "called"}, NOW, TODAY) == version + 2
    stored = customer_row(engine, customer_id)
    assert (stored["phone"], stored["notes"]) == ("+8613911112222", "called")  # stored canonical (C-1)


INVALID = {
    "bad phone": {"phone": "not a phone"},
    "empty phone": {"phone": ""},
    "bad email": {"email": "not-an-email"},
    "unknown field": {"code": "C9999999"},
    "version is not a field": {"version": 99},
    "unknown grade": {"grade": "gold"},
    "unknown validity": {"validity": "maybe"},
    "name too long": {"name": "x" * 201},
    "one good one bad": {"notes": "fine", "email": "still@wrong"},
}


def test_a_phone_written_the_offices_way_with_brackets_is_accepted_and_stored_canonical_c_1(engine, pair, customer):
    """An office in the US writes numbers as (201) 555-0143; correcting to one of those is not refused, and it
    is stored in the archive's one form (E.164)."""
    alice, _ = pair
    customer_id, version = customer
    with restoring_settings(engine, "office.phone_region"):
        set_setting(engine, "office.phone_region", "US")
        update_customer(engine, alice, customer_id, version, {"phone": " (201)  555-0143 "}, NOW, TODAY)
    assert customer_row(engine, customer_id)["phone"] == "+12015550143"


@pytest.mark.parametrize("changes", list(INVALID.values()), ids=list(INVALID))
def test_invalid_input_is_refused_and_changes_nothing(engine, pair, customer, changes):
    alice, _ = pair
    customer_id, version = customer
    before, mark = customer_row(engine, customer_id), audit_mark(engine)
    with pytest.raises(Invalid):
        update_customer(engine, alice, customer_id, version, changes, NOW, TODAY)
    assert customer_row(engine, customer_id) == before
    assert audit_since(engine, mark) == []


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ENGINEER, Role.FINANCE, Role.ADMIN])
def test_roles_that_do_not_keep_the_archive_may_not_correct_a_customer(engine, customer, role):
    with session_scope(engine) as s:
        actor = make_account(s, role)
    customer_id, version = customer
    with pytest.raises(Forbidden):
        update_customer(engine, actor, customer_id, version, {"notes": "x"}, NOW, TODAY)
    assert customer_row(engine, customer_id)["version"] == version


def test_saving_no_changes_writes_nothing(engine, pair, customer):
    alice, _ = pair
    customer_id, version = customer
    mark = audit_mark(engine)
    with pytest.raises(Unchanged):
        update_customer(engine, alice, customer_id, version, {}, NOW, TODAY)
    assert audit_since(engine, mark) == [] and customer_row(engine, customer_id)["version"] == version


def test_a_customer_that_does_not_exist_is_not_found(engine, pair):
    with pytest.raises(NotFound):
        update_customer(engine, pair[0], 987_654_321, 1, {"notes": "x"}, NOW, TODAY)


# --- the race -----------------------------------------------------------------------------------------

def run_race(engine, actors, customer_id: int, rounds: int) -> list[dict]:
    """Each round every racer saves its own note on the version the main thread just read, all released
    together by a barrier; returns per round the loaded version, each racer's outcome and what is stored."""
    start, done = threading.Barrier(len(actors) + 1, timeout=60), threading.Barrier(len(actors) + 1, timeout=60)
    shared: dict = {}

    def racer(i: int, actor) -> None:
        for r in range(rounds):
            start.wait()
            try:
                got = update_customer(engine, actor, customer_id, shared["loaded"], {"notes": f"r{r} {actor.username}"},
                                      NOW + timedelta(seconds=r), TODAY)
                shared["outcomes"][i] = ("won", got)
            except StaleEdit as e:
                shared["outcomes"][i] = ("stale", e.params["who"], e.params["when"])
            except Exception as e:  # noqa: BLE001 - any other error (e.g. 'database is locked') is a finding
                shared["outcomes"][i] = ("error", repr(e))
            done.wait()

    threads = [threading.Thread(target=racer, args=(i, a), daemon=True) for i, a in enumerate(actors)]
    for t in threads:
        t.start()
    report = []
    for _ in range(rounds):
        shared["loaded"], shared["outcomes"] = customer_row(engine, customer_id)["version"], [None] * len(actors)
        start.wait()
        done.wait()
        report.append({"loaded": shared["loaded"], "outcomes": list(shared["outcomes"]),
                       "stored": customer_row(engine, customer_id)})
    for t in threads:
        t.join(timeout=60)
    return report


def check_round(r: int, rnd: dict, actors) -> str:
    """Exactly one winner, the losers told who won and when, the winner's note stored: returns the winner."""
    outcomes = rnd["outcomes"]
    assert not [o for o in outcomes if o[0] == "error"], (r, outcomes)
    winners = [actors[i].username for i, o in enumerate(outcomes) if o[0] == "won"]
    assert len(winners) == 1, (r, outcomes)
    assert [o for o in outcomes if o[0] == "won"] == [("won", rnd["loaded"] + 1)]
    assert sorted(o for o in outcomes if o[0] == "stale") == [("stale", winners[0], NOW + timedelta(seconds=r))] * (
        len(actors) - 1), (r, outcomes)
    assert (rnd["stored"]["notes"], rnd["stored"]["version"]) == (f"r{r} {winners[0]}", rnd["loaded"] + 1), r
    return winners[0]


def test_racing_saves_on_the_same_version_have_exactly_one_winner_each_round_and_lose_no_write(engine):
    with session_scope(engine) as s:
        actors = [make_account(s, Role.SPECIALIST if i % 2 else Role.MANAGER, username=f"racer{i}")
                  for i in range(RACERS)]
    customer_id, initial = make_fresh_customer(engine)
    mark = audit_mark(engine)
    report = run_race(engine, actors, customer_id, ROUNDS)
    assert len(report) == ROUNDS
    winners = [check_round(r, rnd, actors) for r, rnd in enumerate(report)]
    assert customer_row(engine, customer_id)["version"] == initial + ROUNDS
    rows = [row for row in audit_since(engine, mark) if row["entity_id"] == str(customer_id)]
    assert [row["username"] for row in rows] == winners
    assert [row["changes"]["notes"][1] for row in rows] == [f"r{r} {w}" for r, w in enumerate(winners)]
