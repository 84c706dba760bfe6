"""Phone numbers (CB-11 caller lookup): what counts as a number, and the spellings of one number that are
matched exactly against the archive's stored numbers."""

from __future__ import annotations

import pytest

from core.phones import canonical, clean_phone, grouped, plausible, readable, spellings


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


# --- the archive's canonical form (C-1) ---------------------------------------------------------------

CANONICAL = {
    "a mobile": ("13812345678", "+8613812345678", "138 1234 5678"),
    "a mobile with +86 and blanks": ("+86 138 1234 5678", "+8613812345678", "138 1234 5678"),
    "a mobile dialled with 0086": ("0086-138-1234-5678", "+8613812345678", "138 1234 5678"),
    "a mobile with 86 and no plus": ("86 13812345678", "+8613812345678", "138 1234 5678"),
    "a Beijing landline": ("010-1234 5678", "+861012345678", "010 1234 5678"),
    "a Shenzhen landline": ("(0755) 8888 1234", "+8675588881234", "0755 8888 1234"),
    "a landline with +86 and no trunk 0": ("+86 21 6123 4567", "+862161234567", "021 6123 4567"),
    "a 400 number": ("400-123-4567", "+864001234567", "400 123 4567"),
    "an 800 number": ("800 123 4567", "+868001234567", "800 123 4567"),
    "a number abroad": ("+1 (201) 555-0143", "+12015550143", "+1 201-555-0143"),
}


@pytest.mark.parametrize("typed, stored, shown", list(CANONICAL.values()), ids=list(CANONICAL))
def test_every_spelling_of_a_number_is_stored_in_one_canonical_form_and_shown_grouped(typed, stored, shown):
    assert canonical(typed, "CN") == stored
    assert grouped(stored, "CN") == shown
    assert stored in spellings(typed, "CN")  # an incoming call from it finds the archive's record


@pytest.mark.parametrize("typed", ["12345", "1381234567", "138123456789", "010-123", "0000 0000", "999",
                                   "phone me", "+86 138 1234 5678 ext 9", "", "138１２３４５６７８"])
def test_what_is_no_valid_number_has_no_canonical_form(typed):
    assert canonical(typed, "CN") is None


def test_a_number_is_read_in_the_offices_region():
    assert canonical("(201) 555-0143", "US") == "+12015550143"
    assert grouped("+12015550143", "US") == "(201) 555-0143"
    assert canonical("(201) 555-0143", "CN") == "+862015550143"  # in China: a Guangzhou landline (020)


def test_an_older_spelling_that_is_not_canonical_is_shown_as_stored():
    assert grouped("138-1234-5678", "CN") == "138-1234-5678" and grouped(None, "CN") == ""


def test_a_phone_kept_as_typed_reads_like_a_canonical_one_and_what_is_no_number_reads_as_typed():
    """A work order's own phone is kept as typed: its lists, record and export read it grouped, like customers'."""
    assert readable("18629690431", "CN") == readable("+8618629690431", "CN") == "186 2969 0431"
    assert readable("(201) 555-0143", "US") == "(201) 555-0143" and readable("+12015550143", "CN") == "+1 201-555-0143"
    assert readable("ext. 12", "CN") == "ext. 12" and readable(None, "CN") == ""
