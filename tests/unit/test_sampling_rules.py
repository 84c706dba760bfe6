"""The pure rules of CB-4 re-check sampling (periods, sample sizes, the reproducible draw) and of L-1
lead follow-ups, with a pinned clock."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import Invalid
from core.leads.rules import LeadContactInput, after_contact, check_contact, next_follow_up
from core.office.defaults import DEFAULTS
from core.rechecks.rules import draw, due_window, period_of, sample_size, seed_of
from db.enums import Channel, LeadClass, LeadResult, LeadStatus
from tests.factories import NOW

TZ = "Asia/Shanghai"
ids = st.lists(st.integers(min_value=1, max_value=5000), max_size=300)
rates = st.integers(min_value=0, max_value=100)


# --- CB-4 periods ------------------------------------------------------------------------------------

def test_a_week_period_is_the_iso_week_from_monday_to_sunday():
    assert period_of(date(2026, 11, 20), "week") == ("2026-W47", date(2026, 11, 16), date(2026, 11, 22))


def test_the_last_day_of_2026_is_in_week_53_of_2026():
    assert period_of(date(2026, 12, 31), "week") == ("2026-W53", date(2026, 12, 28), date(2027, 1, 3))
    assert period_of(date(2027, 1, 3), "week")[0] == "2026-W53"
    assert period_of(date(2027, 1, 4), "week")[0] == "2027-W01"


def test_a_month_period_runs_from_the_first_to_the_last_day_of_the_month():
    assert period_of(date(2026, 11, 20), "month") == ("2026-11", date(2026, 11, 1), date(2026, 11, 30))
    assert period_of(date(2026, 12, 31), "month") == ("2026-12", date(2026, 12, 1), date(2026, 12, 31))
    assert period_of(date(2028, 2, 10), "month") == ("2028-02", date(2028, 2, 1), date(2028, 2, 29))


def test_an_unknown_period_kind_is_refused():
    with pytest.raises(ValueError):
        period_of(date(2026, 11, 20), "fortnight")


def test_the_seed_is_stable_per_period_and_differs_between_periods():
    assert seed_of("2026-W47") == 1279960140  # the first 32 bits of sha256("2026-W47"), the same in every run
    assert seed_of("2026-W47") != seed_of("2026-W48")


def test_the_re_checks_fall_due_over_the_rest_of_the_period_in_office_days():
    start, end = date(2026, 11, 16), date(2026, 11, 22)
    assert due_window(start, end, NOW, TZ) == (datetime(2026, 11, 19, 16, tzinfo=UTC),
                                               datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC))


def test_a_period_drawn_after_it_ended_gets_a_period_s_length_from_today():
    lo, hi = due_window(date(2026, 11, 9), date(2026, 11, 15), NOW, TZ)
    assert (lo, hi) == (datetime(2026, 11, 19, 16, tzinfo=UTC), datetime(2026, 11, 26, 15, 59, 59, tzinfo=UTC))


# --- CB-4 sample sizes and the draw -----------------------------------------------------------------

@pytest.mark.parametrize(("rate", "population", "size"), [(10, 0, 0), (10, 1, 1), (10, 10, 1), (10, 11, 2),
                                                          (5, 100, 5), (5, 101, 6), (100, 7, 7)])
def test_the_sample_size_is_the_rate_rounded_up(rate, population, size):
    assert sample_size(rate, population) == size


@settings(max_examples=60, deadline=None)
@given(ids, ids, rates, rates, st.integers(min_value=0, max_value=2**32))
def test_the_draw_takes_at_least_the_rate_never_twice_and_the_same_again_with_the_same_seed(l2pop, l3pop, r2, r3,
                                                                                              seed):
    l2, l3 = draw(l2pop, l3pop, r2, r3, seed)
    assert len(l2) == math.ceil(r2 * len(set(l2pop)) / 100) and len(l2) * 100 >= r2 * len(set(l2pop))
    assert set(l2) <= set(l2pop) and set(l3) <= set(l3pop) and len(set(l2)) == len(l2)
    assert set(l2).isdisjoint(l3)
    wanted_l3 = math.ceil(r3 * len(set(l3pop)) / 100)
    assert len(l3) == min(wanted_l3, len(set(l3pop) - set(l2)))
    assert draw(list(reversed(l2pop)), l3pop, r2, r3, seed) == (l2, l3)  # the order given does not matter


def test_l3_takes_all_that_is_left_when_l2_used_up_its_population():
    l2, l3 = draw([1, 2, 3], [1, 2, 3, 4], 100, 100, seed=7)
    assert (l2, l3) == ([1, 2, 3], [4])


def test_a_different_seed_usually_draws_a_different_sample():
    population = list(range(1, 1001))
    samples = {tuple(draw(population, population, 10, 5, seed)[0]) for seed in range(20)}
    assert len(samples) == 20


# --- L-1 lead follow-ups ----------------------------------------------------------------------------

@pytest.mark.parametrize(("lead_class", "days"), [(LeadClass.A, 2), (LeadClass.B, 7), (LeadClass.C, 30)])
def test_the_next_follow_up_falls_the_class_interval_after_the_contact(lead_class, days):
    assert next_follow_up(lead_class, NOW, DEFAULTS) == NOW + timedelta(days=days)


def test_the_follow_up_intervals_come_from_the_settings():
    assert next_follow_up(LeadClass.A, NOW, DEFAULTS | {"lead.a_interval_days": 3}) == NOW + timedelta(days=3)


def test_a_class_change_sets_the_follow_up_from_the_new_class():
    contact = LeadContactInput(Channel.PHONE, LeadResult.TALKED, new_class=LeadClass.A)
    assert after_contact(LeadClass.C, contact, NOW, DEFAULTS) == (LeadClass.A, LeadStatus.OPEN,
                                                                  NOW + timedelta(days=2))


@pytest.mark.parametrize(("result", "amount", "status"), [(LeadResult.SALE, 1_250_000, LeadStatus.WON),
                                                          (LeadResult.LOST, None, LeadStatus.LOST)])
def test_a_sale_wins_and_a_loss_loses_the_lead_with_no_next_follow_up(result, amount, status):
    contact = LeadContactInput(Channel.VISIT, result, sale_amount_cents=amount)
    assert after_contact(LeadClass.B, contact, NOW, DEFAULTS) == (LeadClass.B, status, None)


@pytest.mark.parametrize("amount", [None, 0, -5, 12.5, True, "100"])
def test_a_sale_needs_a_positive_amount_in_whole_cents(amount):
    with pytest.raises(Invalid) as refused:
        check_contact(LeadContactInput(Channel.PHONE, LeadResult.SALE, sale_amount_cents=amount))
    assert (refused.value.key, refused.value.params) == ("leads.sale_amount_required", {"field": "sale_amount_cents"})


@pytest.mark.parametrize("result", [r for r in LeadResult if r != LeadResult.SALE])
def test_only_a_sale_carries_an_amount(result):
    check_contact(LeadContactInput(Channel.PHONE, result))
    with pytest.raises(Invalid) as refused:
        check_contact(LeadContactInput(Channel.PHONE, result, sale_amount_cents=100))
    assert refused.value.key == "leads.amount_only_for_sale"


def test_an_unknown_channel_result_or_class_is_refused():
    for contact, field in ((LeadContactInput("fax", LeadResult.TALKED), "channel"),
                           (LeadContactInput(Channel.PHONE, "maybe"), "result"),
                           (LeadContactInput(Channel.PHONE, LeadResult.TALKED, new_class="D"), "new_class")):
        with pytest.raises(Invalid) as refused:
            check_contact(contact)
        assert refused.value.params == {"field": field}
