"""Passwords are stored as Argon2id hashes only, verified without exceptions leaking, rehashed when the
parameters were weaker, and a new password is long enough and not the user name."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from core.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from core.errors import Invalid

SECRET = "correct horse battery"
HASH = hash_password(SECRET)


def test_a_password_is_stored_as_an_argon2id_hash_never_as_itself():
    assert HASH.startswith("$argon2id$")
    assert SECRET not in HASH


def test_the_same_password_hashes_differently_each_time_because_of_the_salt():
    assert hash_password(SECRET) != HASH


def test_the_right_password_verifies_and_a_wrong_one_does_not():
    assert verify_password(HASH, SECRET) is True
    assert verify_password(HASH, SECRET + "!") is False
    assert verify_password(HASH, "") is False


@pytest.mark.parametrize("stored", [None, "", "plain-text", "$argon2id$v=19$garbage"])
def test_a_missing_or_broken_hash_never_verifies_and_never_raises(stored):
    assert verify_password(stored, SECRET) is False


def test_a_hash_with_weaker_parameters_needs_a_rehash_and_a_current_one_does_not():
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(SECRET)
    assert needs_rehash(weak) is True
    assert needs_rehash(HASH) is False
    assert verify_password(weak, SECRET) is True


def test_the_minimum_length_is_ten_characters():
    assert MIN_LENGTH == 10


def test_a_new_password_shorter_than_the_minimum_is_refused():
    with pytest.raises(Invalid) as err:
        check_new_password("x" * (MIN_LENGTH - 1), "alice")
    assert err.value.key == "auth.password_too_short"
    assert err.value.params == {"min": MIN_LENGTH}


def test_a_new_password_of_exactly_the_minimum_length_is_accepted():
    check_new_password("x" * MIN_LENGTH, "alice")


@pytest.mark.parametrize("password", ["administrator", "Administrator", " ADMINISTRATOR "])
def test_a_new_password_equal_to_the_user_name_in_any_case_is_refused(password):
    with pytest.raises(Invalid) as err:
        check_new_password(password, "administrator")
    assert err.value.key == "auth.password_is_username"


@pytest.mark.parametrize(("password", "key"), [("x" * (MAX_LENGTH + 1), "auth.password_too_long"),
                                               ("x" * 100_000, "auth.password_too_long"),
                                               ("correct horse\x00battery", "input.control_chars")],
                         ids=["one-too-many", "100k", "nul"])
def test_an_over_long_or_nul_new_password_is_refused_before_hashing(password, key):
    """Issue 9, one input policy: a new password is bounded and holds no NUL, each said as what it is."""
    with pytest.raises(Invalid) as err:
        check_new_password(password, "alice")
    assert err.value.key == key


def test_the_longest_password_allowed_is_accepted():
    check_new_password("x" * MAX_LENGTH, "alice")
