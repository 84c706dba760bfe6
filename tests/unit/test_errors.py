"""Several field errors of one submission, refused together (issue 10: a form shows them all at once)."""

import pytest

from core.errors import FieldErrors, Invalid, Refusals


def _refuse(key: str, field: str) -> None:
    raise Invalid(key, field=field)


def test_every_refused_field_is_kept_and_the_first_error_gives_the_key():
    with pytest.raises(FieldErrors) as err, Refusals() as check:
        check(_refuse, "calls.score_required", "score")
        assert check(lambda: 7) == 7  # a passing check returns its result and the block goes on
        check(_refuse, "calls.reason_required", "dissatisfaction_reason")
        check(_refuse, "input.too_long", "score")  # a second error of a field already refused is not added
    assert (err.value.key, err.value.params) == ("calls.score_required", {"field": "score"})
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "score": "calls.score_required", "dissatisfaction_reason": "calls.reason_required"}


def test_one_refused_field_is_raised_as_it_was_and_none_raises_nothing():
    with pytest.raises(Invalid) as err, Refusals() as check:
        check(_refuse, "customer.bad_phone", "phone")
    assert type(err.value) is Invalid and err.value.errors == {"phone": err.value}
    with Refusals() as check:
        check(lambda: None)


def test_a_setting_is_named_by_its_key_and_other_errors_pass_through():
    assert Invalid("setting_edit.bad_timezone", setting="office.timezone").field == "office.timezone"
    with pytest.raises(KeyError), Refusals() as check:
        check(_refuse, "calls.score_required", "score")
        raise KeyError("a bug is not a refusal")


def test_a_customer_correction_names_every_bad_field_at_once():
    from datetime import date

    from core.customers.rules import clean_customer_changes

    with pytest.raises(FieldErrors) as err:
        typed = {"name": " ", "phone": "12", "email": "no address", "city": "Hangzhou"}
        clean_customer_changes(typed, date(2026, 5, 1))
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "name": "customer.required", "phone": "customer.bad_phone", "email": "customer.bad_email"}


def test_an_incoming_call_names_every_bad_field_at_once():
    from datetime import UTC, datetime

    from core.incoming.rules import IncomingInput, check_call

    with pytest.raises(FieldErrors) as err:
        check_call(IncomingInput(phone=" ", category=None, caller_name="Ann\x07"), datetime(2026, 5, 1, tzinfo=UTC))
    assert {f: e.key for f, e in err.value.errors.items()} == {
        "phone": "incoming.phone_required", "category": "incoming.category_required",
        "caller_name": "input.control_chars"}
