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
from core.rechecks.rules import (
    draw,
    due_window,
    period_of,
    population_rows,
    sample_size,
    sampled,
    seed_of,
    shortfall,
)
from db.enums import CallbackLevel, Channel, LeadClass, LeadResult, LeadStatus, SampleGroup
from tests.factories import NOW

TZ = "Asia/Shanghai"
ids = st.lists(st.integers(min_value=1, max_value=5000), max_size=300)
rates = st.integers(min_value=0, max_value=100)
D, C, U = SampleGroup.DELIVERED, SampleGroup.COMPLAINED, SampleGroup.CUSTOMERS
L2, L3 = CallbackLevel.L2, CallbackLevel.L3


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


def level_samples(delivered, complained, customers, r2, r3, seed):
    drawn = draw({D: delivered, C: complained, U: customers}, {L2: r2, L3: r3}, seed)
    return drawn, sampled(drawn, L2), sampled(drawn, L3)


@settings(max_examples=80, deadline=None)
@given(ids, ids, ids, rates, rates, st.integers(min_value=0, max_value=2**32))
def test_the_draw_takes_at_least_the_rate_of_each_group_never_twice_and_the_same_again_cb4(delivered, complained,
                                                                                            l3pop, r2, r3, seed):
    """CB-4 as written: at least the rate of the delivered AND of the complaining customers, each group."""
    drawn, l2, l3 = level_samples(delivered, complained, l3pop, r2, r3, seed)
    for group in (delivered, complained):
        assert len(set(l2) & set(group)) >= math.ceil(r2 * len(set(group)) / 100)
    assert set(l2) <= set(delivered) | set(complained) and set(l3) <= set(l3pop) and len(set(l2)) == len(l2)
    assert set(drawn[D]) <= set(delivered) and set(drawn[C]) <= set(complained) and set(drawn[D]).isdisjoint(drawn[C])
    assert set(l2).isdisjoint(l3)
    assert len(l3) == min(math.ceil(r3 * len(set(l3pop)) / 100), len(set(l3pop) - set(l2)))
    again = level_samples(list(reversed(delivered)), complained, l3pop, r2, r3, seed)
    assert again == (drawn, l2, l3)  # the order given does not matter


@pytest.mark.parametrize("seed", range(40))
def test_205_delivered_customers_get_21_re_checks_whatever_the_complaints_cb4(seed):
    """Issue 9: October's 205 delivered customers got 20 re-checks (10% of both groups together); the rule is
    ceil(10% × 205) = 21 of the delivered and 10% of the complaining, each group."""
    delivered, complained = list(range(1, 206)), list(range(200, 240))  # 6 customers in both groups
    drawn, l2, _ = level_samples(delivered, complained, [], 10, 5, seed)
    assert len(set(l2) & set(delivered)) >= 21 and len(set(l2) & set(complained)) >= 4
    assert len(drawn[D]) == 21


def test_a_customer_in_both_groups_is_re_checked_once_and_counts_for_both_cb4():
    """Drawn for the delivered group first; the complaint group counts them and draws only what is missing."""
    both = list(range(1, 11))
    drawn, l2, _ = level_samples(both, both, [], 10, 5, seed=3)
    assert (len(drawn[D]), drawn[C], l2) == (1, [], drawn[D])
    drawn, l2, _ = level_samples(both, both + [11], [], 10, 5, seed=3)  # 11 complainers: 2 wanted, 1 counted
    assert (len(drawn[D]), len(drawn[C]), len(l2)) == (1, 1, 2)


def test_l3_takes_all_that_is_left_when_l2_used_up_its_population():
    drawn = draw({D: [1, 2], C: [3], U: [1, 2, 3, 4]}, {L2: 100, L3: 100}, seed=7)
    assert (sampled(drawn, L2), sampled(drawn, L3)) == ([1, 2, 3], [4])
    assert shortfall({U: [1, 2, 3, 4]}, [4], 100) == {"customers": 3}


def test_a_different_seed_usually_draws_a_different_sample():
    population = list(range(1, 1001))
    samples = {tuple(draw({D: population, U: population}, {L2: 10, L3: 5}, seed)[D]) for seed in range(20)}
    assert len(samples) == 20


def test_what_was_drawn_from_is_stored_per_group_with_the_group_each_customer_was_drawn_for_cb4():
    groups = {D: [3, 1, 2, 2], C: [2, 4]}
    assert population_rows(groups, {D: [2], C: [4]}) == [(D, 1, False), (D, 2, True), (D, 3, False),
                                                         (C, 2, False), (C, 4, True)]
    assert shortfall(groups, [1, 2], 50) == {"delivered": 0, "complained": 0}
    assert shortfall(groups, [4], 50) == {"delivered": 2, "complained": 0}


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
