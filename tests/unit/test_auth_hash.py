"""Passwords are stored as argon2id at OWASP's parameters; a hash carries its own parameters."""

from __future__ import annotations

from argon2 import extract_parameters
from argon2.low_level import Type
from argon2.profiles import RFC_9106_LOW_MEMORY

from api.auth import hash_password, verify_password
from tests.utils import PASSWORD, _password_hash


def test_a_stored_password_is_argon2id_with_at_least_owasps_memory_and_passes():
    # given a password hashed as the API stores it
    stored = hash_password("Yingkou@2026-secure")
    # when its parameters are read back
    used = extract_parameters(stored)
    # then argon2id, ≥ 19 MiB and ≥ 2 passes (OWASP Password Storage Cheat Sheet), as strong as RFC 9106's
    # low-memory profile in memory
    assert used.type is Type.ID
    assert used.memory_cost >= 19 * 1024
    assert used.time_cost >= 2
    assert used.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost
    assert verify_password(stored, "Yingkou@2026-secure")
    assert not verify_password(stored, "Yingkou@2026-securE")


def test_the_tests_cheap_hash_is_verified_by_the_apis_own_verifier():
    # given the cheap hash the test users are seeded with
    cheap = _password_hash()
    # then the API verifies it (the parameters travel in the hash) and refuses a wrong password
    assert verify_password(cheap, PASSWORD)
    assert not verify_password(cheap, PASSWORD + "x")
