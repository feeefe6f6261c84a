"""The per-process credential cache (issue 17): what a notice drops, and what it never keeps."""

from __future__ import annotations

from datetime import UTC, datetime

from api.credential_cache import (
    CredentialCache,
    SessionEntry,
    TokenEntry,
    session_notice,
    token_notice,
    user_notice,
)
from domain.actors import Actor

WHEN = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def _session(user_id: int, session_id: int) -> SessionEntry:
    actor = Actor(
        user_id=user_id, organization_id=1, role="unit", username=f"u{user_id}", session_id=session_id
    )
    return SessionEntry(actor, WHEN)


def _cache() -> CredentialCache:
    cache = CredentialCache(max_entries=100, ttl_seconds=30)
    cache.enabled = True  # as its listener does once it listens
    return cache


def test_a_user_notice_drops_every_session_of_that_user_and_no_other():
    # given three sessions of two users
    cache = _cache()
    for user_id, session_id in ((1, 10), (1, 11), (2, 20)):
        cache.keep_session(session_id, _session(user_id, session_id), cache.generation)
    # when user 1's notice arrives
    cache.drop([user_notice(1)])
    # then
    assert [cache.session(i) is None for i in (10, 11, 20)] == [True, True, False]


def test_an_answer_read_while_a_notice_arrived_is_not_kept():
    # given a check that started reading before a revocation's notice arrived
    cache = _cache()
    started = cache.generation
    cache.drop([session_notice(10)])
    # when it keeps what it read
    cache.keep_session(10, _session(1, 10), started)
    # then the cache holds nothing: the next check reads the database again
    assert cache.session(10) is None


def test_a_token_is_found_by_digest_and_dropped_by_its_id():
    # given a cached API token
    cache = _cache()
    actor = Actor(user_id=None, organization_id=1, role="unit", username="token:x", token_id=7)
    cache.keep_token("digest", TokenEntry(actor, None, WHEN), cache.generation)
    assert cache.token("digest") is not None
    # when its revocation's notice arrives
    cache.drop([token_notice(7)])
    # then
    assert cache.token("digest") is None


def test_the_cache_serves_nothing_while_its_listener_is_away_or_its_lifetime_is_zero():
    # given a cache that held a session, then lost its LISTEN connection; and one turned off
    away = _cache()
    away.keep_session(10, _session(1, 10), away.generation)
    away.enabled = False
    off = CredentialCache(ttl_seconds=0)
    off.enabled = True
    off.keep_session(10, _session(1, 10), off.generation)
    # then neither answers
    assert away.session(10) is None and off.session(10) is None
