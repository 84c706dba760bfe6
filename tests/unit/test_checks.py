"""The shared input checks (core.checks): each refuses with the caller's own key and field, and lets good
input through as typed (trimmed)."""

from __future__ import annotations

import pytest

from core import inputs
from core.checks import blank_to_none, choice, whole_number
from core.errors import Invalid
from db.enums import Channel


def _refused(fn, *args, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as err:
        fn(*args, **kwargs)
    return err.value


def test_a_choice_is_a_member_or_its_stored_value_and_anything_else_is_refused_with_the_callers_key():
    choice("channel", Channel.PHONE, Channel, "calls.bad_choice")
    choice("channel", Channel.PHONE.value, Channel, "calls.bad_choice")
    err = _refused(choice, "channel", "fax", Channel, "leads.bad_choice")
    assert (err.key, err.params["field"]) == ("leads.bad_choice", "channel")


def test_text_is_trimmed_blank_is_none_and_too_long_is_refused_with_its_params():
    assert inputs.text("  张伟 ", "name", 5, inputs.Kind.TEXT, too_long="x.too_long") == "张伟"
    assert inputs.text("   ", "name", 5, inputs.Kind.TEXT, too_long="x.too_long") is None
    err = _refused(inputs.text, "abcdef", "name", 5, inputs.Kind.TEXT, too_long="incoming.too_long", limit=5)
    assert (err.key, err.params) == ("incoming.too_long", {"field": "name", "limit": 5})
    assert blank_to_none(" a ") == " a " and blank_to_none(" \n") is None and blank_to_none(None) is None


def test_required_text_refuses_blank_before_length():
    assert _refused(inputs.required, " ", "finding", 3, inputs.Kind.TEXT, missing="tasks.finding_required",
                    too_long="tasks.finding_too_long").key == "tasks.finding_required"
    assert _refused(inputs.required, "abcd", "finding", 3, inputs.Kind.TEXT, missing="tasks.finding_required",
                    too_long="tasks.finding_too_long", max=3).params == {"field": "finding", "max": 3}


@pytest.mark.parametrize(("value", "ok"), [(1, True), (5, True), (0, False), (6, False), (True, False),
                                           (2.0, False), ("3", False), (None, False)])
def test_a_whole_number_is_an_int_within_bounds_never_a_bool(value, ok):
    if ok:
        assert whole_number(value, "score", 1, 5, "calls.bad_score") == value
    else:
        assert _refused(whole_number, value, "score", 1, 5, "calls.bad_score").key == "calls.bad_score"


def test_a_whole_number_without_an_upper_bound():
    assert whole_number(10**9, "sale_amount_cents", 1, None, "leads.sale_amount_required") == 10**9
