"""The URL parameters of a list (ui.listing): contract values in no language, defaults left out of the URL, and
anything a URL may hold that is not a value read as the default, never an error."""

from datetime import date

import pytest

from db.enums import CallbackStatus, WorkOrderStatus
from ui.listing import choice, dates, enums, page_param, person, texts, typed

OPEN = (CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS)
PEOPLE = {7: "王芳", 9: "李娜"}


@pytest.mark.parametrize(("url", "value"), [
    ([], list(OPEN)), (["completed"], [CallbackStatus.COMPLETED]), (["all"], []),
    (["open", "completed"], [CallbackStatus.OPEN, CallbackStatus.COMPLETED]), (["bogus"], list(OPEN)),
    (["待回访"], list(OPEN)), (["Open"], list(OPEN)),
], ids=["absent", "one", "all", "two", "unknown", "a-label-zh", "a-label-en"])
def test_a_status_filter_reads_enum_values_and_all(url, value):
    assert enums("status", list(CallbackStatus), OPEN).parse(url) == value


def test_a_status_filter_writes_enum_values_leaving_out_its_default_and_writing_all_for_none():
    status = enums("status", list(CallbackStatus), OPEN)
    assert status.dump(list(OPEN)) == [] and status.dump([]) == ["all"]
    assert status.dump([CallbackStatus.COMPLETED, CallbackStatus.CANCELLED]) == ["completed", "cancelled"]
    assert enums("status", list(WorkOrderStatus)).dump([]) == []


@pytest.mark.parametrize(("default", "url", "value"), [
    (7, [], 7), (7, ["9"], 9), (7, ["all"], None), (7, ["8"], 7), (7, ["x"], 7), (None, [], None),
    (None, ["9"], 9), (None, ["-9"], None), (None, ["²"], None),
])
def test_who_is_a_listed_user_id_all_or_the_roles_default(default, url, value):
    assert person("who", PEOPLE, default).parse(url) == value


def test_who_writes_the_id_all_or_nothing_for_the_default():
    mine = person("who", PEOPLE, 7)
    assert (mine.dump(7), mine.dump(9), mine.dump(None)) == ([], ["9"], ["all"])
    assert person("who", PEOPLE).dump(None) == []


@pytest.mark.parametrize(("url", "value"), [
    ([], ()), (["2026-06-01"], (date(2026, 6, 1),)),
    (["2026-06-01", "2026-06-17"], (date(2026, 6, 1), date(2026, 6, 17))),
    (["2026-06-17", "2026-06-01"], ()), (["2026-13-01"], ()), (["yesterday"], ()),
])
def test_a_day_range_is_one_or_two_iso_days_in_order(url, value):
    assert dates("on").parse(url) == value


def test_sort_page_and_search_keep_to_what_the_list_offers():
    sort = choice("sort", ["", "name", "-name"], "")
    assert (sort.parse(["-name"]), sort.parse(["name desc"]), sort.parse([])) == ("-name", "", "")
    assert sort.dump("") == [] and sort.dump("-name") == ["-name"]
    assert [page_param(5).parse(v) for v in (["3"], ["0"], ["-1"], ["6"], ["x"], ["²"], [])] == [3] + [1] * 6
    assert typed("q").parse(["a" * 500]) == "a" * 200 and typed("q").dump("  ") == []


def test_an_id_or_page_of_thousands_of_digits_is_ignored_not_a_crash():
    """Review finding 8: int() of more than 4300 digits raises ValueError; such a URL gives the default."""
    huge = "9" * 5000
    assert person("who", PEOPLE, 7).parse([huge]) == 7 and person("who", PEOPLE).parse([huge]) is None
    assert page_param().parse([huge]) == 1 and page_param(10**30).parse(["9" * 25]) == 1


@pytest.mark.parametrize(("url", "value"), [
    ([], []), (["ZX-9"], ["ZX-9"]), (["ZX-9", "A1"], ["ZX-9", "A1"]), (["nope", "A1"], ["A1"]), (["zx-9"], []),
], ids=["absent", "one", "two", "unknown-dropped", "case-matters"])
def test_a_model_filter_reads_only_listed_values_as_they_are(url, value):
    assert texts("model", ["A1", "ZX-9"]).parse(url) == value


def test_a_model_filter_writes_the_values_as_they_are():
    assert texts("model", ["A1", "ZX-9"]).dump(["ZX-9"]) == ["ZX-9"] and texts("model", ["A1"]).dump([]) == []
