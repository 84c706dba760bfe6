"""Phone numbers (CB-11 caller lookup): what counts as a number, and the spellings of one number that are
matched exactly against the archive's stored numbers."""

from __future__ import annotations

import pytest

from core.phones import clean_phone, plausible, spellings


def test_a_typed_number_is_trimmed_and_its_inner_blanks_made_single():
    assert clean_phone("  138  0000\t1111 ") == "138 0000 1111"


@pytest.mark.parametrize("phone", ["13800001111", "+86 138-0000-1111", "(201) 555-0143", "010-12345678"])
def test_numbers_with_digits_blanks_dashes_brackets_and_a_leading_plus_are_plausible(phone):
    assert plausible(phone)


@pytest.mark.parametrize("phone", ["", "1234", "call me", "138+0000", "1" * 21, "138 0000 1111 ext. 5"])
def test_words_short_numbers_and_stray_signs_are_not(phone):
    assert not plausible(phone)


def test_a_mobile_number_is_found_however_it_was_stored():
    found = set(spellings("+86 138 0000 1111"))
    assert {"13800001111", "138 0000 1111", "138-0000-1111", "+8613800001111", "+86 138 0000 1111"} <= found


def test_a_north_american_number_is_found_in_the_english_demos_spelling():
    assert "(201) 555-0143" in spellings("+1 201 555 0143") and "(201) 555-0143" in spellings("2015550143")


def test_a_chinese_mobile_is_not_mistaken_for_a_north_american_number():
    assert "(380) 000-1111" not in spellings("13800001111")


def test_an_implausible_number_matches_nothing():
    assert spellings("not a number") == []
