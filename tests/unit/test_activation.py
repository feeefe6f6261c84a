"""Which activation tokens may set a password (domain/activation.py), at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.activation import DEFAULT_TTL, ActivationToken, Unusable, expiry, unusable

ISSUED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOKEN = ActivationToken(user_id=1, issued_at=ISSUED, expires_at=expiry(ISSUED, DEFAULT_TTL))


def test_a_token_works_until_the_last_second_of_its_72_hours_and_not_at_them():
    # given a token issued with the default lifetime
    # when it is presented a second before, and exactly at, 72 hours
    before = unusable(TOKEN, user_active=True, now=ISSUED + timedelta(hours=72, seconds=-1))
    at = unusable(TOKEN, user_active=True, now=ISSUED + timedelta(hours=72))
    # then it works before and has expired at
    assert before is None and at is Unusable.EXPIRED


def test_a_used_or_superseded_token_never_works_again_even_in_time():
    # given a used token and a superseded one, both within their lifetime
    used = ActivationToken(1, ISSUED, TOKEN.expires_at, used_at=ISSUED)
    superseded = ActivationToken(1, ISSUED, TOKEN.expires_at, superseded_at=ISSUED)
    # when / then each is refused for its reason
    assert unusable(used, user_active=True, now=ISSUED) is Unusable.USED
    assert unusable(superseded, user_active=True, now=ISSUED) is Unusable.SUPERSEDED


def test_an_unknown_token_or_a_disabled_user_is_refused():
    assert unusable(None, user_active=True, now=ISSUED) is Unusable.UNKNOWN
    assert unusable(TOKEN, user_active=False, now=ISSUED) is Unusable.USER_DISABLED


def test_a_token_needs_a_positive_lifetime():
    with pytest.raises(ValueError):
        expiry(ISSUED, timedelta(0))
