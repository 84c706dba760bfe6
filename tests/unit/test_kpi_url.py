"""The KPI dashboard's URL (issue 14): filters as raw values in no language, a value a hand-edited link cannot
hold is told apart (and then dropped with a notice), and a drill-down's pick reads back as it was written."""

from datetime import date

import pytest

from core.kpi.periods import CUSTOM, DEFAULT
from db.enums import CustomerGrade
from ui.kpi.drill import encode, parse_pick
from ui.kpi.filters import AREA, PERIOD, Choices, _day, params, unreadable

TODAY = date(2026, 11, 18)
C = Choices(TODAY, {7: "王芳", 9: "李娜"}, ["AC-100", "AC-200"])


@pytest.mark.parametrize(("name", "raw", "value"), [
    (PERIOD, [], DEFAULT), (PERIOD, ["this_month"], "this_month"), (PERIOD, [CUSTOM], CUSTOM),
    (PERIOD, ["本月"], DEFAULT), ("staff", ["9"], 9), ("staff", ["8"], None), ("staff", ["王芳"], None),
    ("grade", ["vip", "normal"], [CustomerGrade.NORMAL, CustomerGrade.VIP]), ("grade", ["VIP"], []),
    ("model", ["AC-200", "XX"], ["AC-200"]), (AREA, ["complaints"], "complaints"), (AREA, ["投诉"], "callbacks"),
], ids=lambda v: str(v))
def test_the_url_holds_raw_values_and_anything_else_reads_as_the_default(name, raw, value):
    got = params(C)[name].parse(raw)
    assert (sorted(got, key=str) if isinstance(got, list) else got) == (
        sorted(value, key=str) if isinstance(value, list) else value)


@pytest.mark.parametrize(("name", "raw", "bad"), [
    (PERIOD, [], False), (PERIOD, ["last_week"], False), (PERIOD, [DEFAULT], False), (PERIOD, ["yesterday"], True),
    ("staff", ["7"], False), ("staff", ["8"], True), ("grade", ["vip"], False), ("grade", ["vip", "emperor"], True),
    ("model", ["AC-100"], False), ("model", ["ZZ"], True), (AREA, ["staff"], False), (AREA, ["../etc"], True),
], ids=lambda v: str(v))
def test_a_value_the_parameter_cannot_read_is_told_apart(name, raw, bad):
    assert unreadable(params(C)[name], raw) is bad


@pytest.mark.parametrize(("raw", "day"), [
    (["2026-11-01"], date(2026, 11, 1)), (["2026-11-19"], None), (["2026-13-01"], None), (["1999-01-01"], None),
    ([], None), (["yesterday"], None),
], ids=["in-range", "tomorrow", "no-such-month", "before-the-earliest", "absent", "a-word"])
def test_a_custom_day_is_an_iso_day_between_the_earliest_and_today(raw, day):
    assert _day(raw, C) == day


def test_a_pick_reads_back_as_it_was_written():
    pick = {"week": "2026-11-16", "series": "done"}
    assert parse_pick(encode("callbacks_per_week", pick)) == ("callbacks_per_week", pick)


@pytest.mark.parametrize("pick", [
    {"reason": "slow, rude"}, {"model": "X=2,Y=3"}, {"reason": "too  slow "}, {"reason": "服务态度差，很慢"},
    {"model": "100% cotton %2C"}, {"a,b=c": "d=e,f"}])
def test_any_text_in_a_pick_reads_back_as_it_was_written(pick):
    """Issue 14: keys and values are percent-encoded, so commas, equals signs, spaces, Chinese and '%' round-trip."""
    raw = encode("dissatisfaction_reasons", pick)
    assert parse_pick(raw) == ("dissatisfaction_reasons", pick)
    assert raw.count(",") == len(pick) - 1 and raw.count("=") == len(pick)


@pytest.mark.parametrize("raw", ["", "callbacks_per_week", "no_such_chart:week=2026-11-16",
                                 "callbacks_per_week:week", "callbacks_per_week:=x"],
                         ids=["empty", "no-keys", "unknown-chart", "no-value", "no-key"])
def test_a_pick_that_does_not_read_as_one_is_no_pick(raw):
    assert parse_pick(raw) is None
