"""NIST SP 800-63B password rules at their boundaries (domain/passwords.py, with zxcvbn's list)."""

from __future__ import annotations

import pytest

from api.passwords import guessable_for
from domain.passwords import MAX_LENGTH, MIN_LENGTH, password_violations


def _codes(password: str, username: str = "li.si") -> list[str]:
    return [
        v.code for v in password_violations(password, username=username, is_common=guessable_for(username))
    ]


def test_the_demo_password_is_acceptable():
    # given the published demo password (12 characters)
    # then it may be chosen
    assert _codes("Yingkou@2026", "edu.chen") == []


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Tq8#vLm2pZ4", ["PASSWORD_TOO_SHORT"]),  # 11
        ("Tq8#vLm2pZ4w", []),  # 12
        ("Tq8#vLm2pZ4w" * 10 + "Tq8#vLm2", []),  # 128
        ("Tq8#vLm2pZ4w" * 10 + "Tq8#vLm2x", ["PASSWORD_TOO_LONG"]),  # 129
    ],
)
def test_a_password_has_12_to_128_characters(password, codes):
    # given passwords at the length boundaries
    # then only those outside 12–128 are refused for their length
    assert len(password) in (MIN_LENGTH - 1, MIN_LENGTH, MAX_LENGTH, MAX_LENGTH + 1)
    assert _codes(password) == codes


def test_a_megabyte_password_is_refused_for_its_length_only():
    # given a 1 MB password
    # then it is refused at once as too long (no estimator runs on it)
    assert _codes("x" * 1_000_000) == ["PASSWORD_TOO_LONG"]


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "123456789012",
        "zyxwvutsrqpo",
        "abcdefghijkl",
        "qwertyuiopas",
        "210987654321",
    ],
)
def test_repeated_characters_and_sequences_are_too_common(password):
    # given passwords made of one character or a run
    # then they are refused as easy to guess
    assert "PASSWORD_TOO_COMMON" in _codes(password)


@pytest.mark.parametrize("password", ["password1234", "qwerty123456", "1qaz2wsx3edc", "iloveyou1234"])
def test_common_passwords_are_refused(password):
    # given passwords from the common password list or built from it
    # then they are refused
    assert "PASSWORD_TOO_COMMON" in _codes(password)


def test_a_password_may_not_contain_the_username():
    # given a password that is the username, and one containing it
    # then both are refused for it, whatever the case
    assert "PASSWORD_CONTAINS_USERNAME" in _codes("wang.xiaoming", "wang.xiaoming")
    assert "PASSWORD_CONTAINS_USERNAME" in _codes("Wang.Xiaoming#2026!", "wang.xiaoming")
