"""The search box's terms (C-1, core.customers.search): what a customer is found by, and what a typed query
looks for. A query finds a customer when each of its tokens starts one of the customer's terms."""

from __future__ import annotations

import pytest

from core.customers.search import code_terms, name_terms, phone_terms, query_terms, too_short


def finds(query: str, terms: set[str], region: str = "CN") -> bool:
    """What matching_ids asks the database, asked of one customer's terms."""
    tokens = query_terms(query, region)
    return bool(tokens) and all(any(t.startswith(a) for a in alternatives for t in terms) for alternatives in tokens)


def test_a_chinese_name_is_found_by_its_pinyin_initials_its_full_pinyin_and_any_of_its_characters():
    terms = name_terms("张伟")
    assert {"zw", "zhangwei", "张伟", "伟"} <= terms
    assert finds("zw", terms) and finds("ZhangW", terms) and finds("伟", terms)
    assert not finds("wz", terms)


@pytest.mark.parametrize(("name", "initials"), [
    ("曾华", {"zh", "ch"}),  # zeng / ceng
    ("单华", {"dh", "sh", "ch"}),  # dan / shan / chan
], ids=["zeng-or-ceng", "dan-or-shan"])
def test_a_surname_with_two_readings_is_found_by_either(name, initials):
    terms = name_terms(name)
    assert initials <= terms
    assert all(finds(i, terms) for i in initials)


def test_a_company_name_is_found_by_the_start_of_any_of_its_words_in_any_case():
    terms = name_terms("Acme  Power-Tools Ltd")
    assert all(finds(q, terms) for q in ("acme", "POWER", "tools", "ltd", "acme power"))
    assert not finds("cme", terms)


MOBILE_SPELLINGS = ["+86 138-1234-5678", "0086 138 1234 5678", "138 1234 5678", "13812345678", "8613812345678",
                    "138-1234", "+86-138"]


@pytest.mark.parametrize("stored", ["+8613812345678", "13812345678", "138-1234-5678"])
@pytest.mark.parametrize("typed", MOBILE_SPELLINGS)
def test_a_mobile_is_found_in_any_spelling_whatever_spelling_it_was_stored_in(stored, typed):
    assert finds(typed, phone_terms(stored))


@pytest.mark.parametrize("typed", ["(0)10-6512 3456", "010 6512 3456", "+86 10 6512 3456", "10-65123456"])
def test_a_beijing_landline_is_found_with_or_without_its_trunk_zero_and_country_code(typed):
    assert finds(typed, phone_terms("+861065123456"))
    assert finds(typed, phone_terms("010-65123456"))


@pytest.mark.parametrize("typed", ["400-820-8820", "400 820 8820", "+86 400 820 8820", "4008208820"])
def test_a_400_number_is_found_in_any_spelling(typed):
    assert finds(typed, phone_terms("+864008208820"))


def test_another_number_is_not_found():
    assert not finds("139 1234 5678", phone_terms("+8613812345678"))


@pytest.mark.parametrize("typed", ["粤B12345", "b12345", "B1234", "粤b"])
def test_a_plate_is_found_with_or_without_its_province(typed):
    assert finds(typed, code_terms("粤B12345"))


@pytest.mark.parametrize("typed", ["SN-ABC-9", "snabc9", "SNABC", "so-77"])
def test_serial_and_order_numbers_are_found_without_their_punctuation(typed):
    assert finds(typed, code_terms("SN-ABC-9") | code_terms("SO-7781"))


@pytest.mark.parametrize("typed", ["", "   ", "\t"])
def test_a_blank_query_looks_for_nothing(typed):
    assert query_terms(typed) == []


def test_a_chinese_name_typed_keeps_its_surname_it_is_no_plate():
    """Only a plate's province is dropped: 靳桂英 does not look for every 桂英."""
    assert query_terms("靳桂英") == [{"靳桂英"}]
    assert not finds("靳桂英", name_terms("王桂英"))


@pytest.mark.parametrize("query,short", [("1", True), ("z", True), (" Z ", True), ("z 1", True), ("张", False),
                                         ("zw", False), ("12", False), ("", False)],
                         ids=["digit", "letter", "padded", "two-letters-apart", "one-character", "initials",
                              "two-digits", "empty"])
def test_one_latin_letter_or_digit_is_too_short_to_search_one_chinese_character_is_not(query, short):
    """A one-letter query would range over a large share of 300,000 customers' terms and sort them all."""
    assert too_short(query) is short


def test_a_too_short_token_is_left_out_of_the_query_and_alone_it_looks_for_nothing():
    assert query_terms("z") == [] and query_terms("1") == []
    assert query_terms("li n") == [{"li"}]  # still being typed: the long enough word looks
    assert query_terms("粤b") == [{"粤b"}]  # the plate without its region character would be one letter
