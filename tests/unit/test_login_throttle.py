"""Sign-in throttling at its boundaries: growing delay, lockout at the limit, forgetting (domain/login_throttle.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.login_throttle import (
    ThrottlePolicy,
    after_failure,
    after_success,
    decide,
    delay_after,
    newly_locked,
)

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
POLICY = ThrottlePolicy(
    max_failures=5,
    lockout=timedelta(minutes=15),
    base_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=30),
    window=timedelta(minutes=15),
)


def _fail(times: int, every: timedelta = timedelta(minutes=1)):
    state, now = None, NOW
    for _ in range(times):
        state = after_failure(state, now, POLICY)
        now += every
    return state


def test_the_delay_doubles_with_each_failure_up_to_its_cap():
    # given failure counts
    # then the next attempt waits 0, 1, 2, 4, 8 … s, at most 30 s
    assert [delay_after(n, POLICY).total_seconds() for n in range(7)] == [0, 1, 2, 4, 8, 16, 30]


def test_an_attempt_before_the_delay_is_over_is_refused_and_one_at_its_end_allowed():
    # given two failures, the last at NOW
    state = after_failure(after_failure(None, NOW - timedelta(seconds=5), POLICY), NOW, POLICY)
    # then an attempt 1.9 s later waits, one 2 s later may go ahead
    early = decide(state, NOW + timedelta(seconds=1.9), POLICY)
    assert not early.allowed and not early.locked
    assert decide(state, NOW + timedelta(seconds=2), POLICY).allowed


def test_the_fifth_failure_locks_for_15_minutes():
    # given four failures, then a fifth
    four = _fail(4)
    five = after_failure(four, NOW + timedelta(minutes=4), POLICY)
    # then the fourth locked nothing, the fifth locks until 15 minutes after it
    assert four.locked_until is None and not newly_locked(None, four, NOW)
    assert five.locked_until == NOW + timedelta(minutes=19)
    assert newly_locked(four, five, NOW + timedelta(minutes=4))
    locked = decide(five, NOW + timedelta(minutes=18, seconds=59), POLICY)
    assert not locked.allowed and locked.locked and locked.retry_after == timedelta(seconds=1)
    assert decide(five, NOW + timedelta(minutes=19), POLICY).allowed


def test_failures_older_than_the_window_are_forgotten():
    # given four failures a minute apart, the last at NOW + 3 min
    state = _fail(4)
    # when the next failure comes 15 minutes after the last
    later = after_failure(state, NOW + timedelta(minutes=18), POLICY)
    # then the count starts again
    assert later.failures == 1 and later.locked_until is None


def test_free_failures_cost_no_delay():
    # given an address policy whose first 5 failures are free
    shared = ThrottlePolicy(
        max_failures=20,
        lockout=timedelta(minutes=15),
        base_delay=timedelta(seconds=1),
        max_delay=timedelta(seconds=30),
        window=timedelta(minutes=15),
        free_failures=5,
    )
    # then the 5th failure costs nothing and the 6th one second
    assert delay_after(5, shared) == timedelta(0) and delay_after(6, shared) == timedelta(seconds=1)


def test_a_right_password_forgives_a_username_everything_and_an_address_one_attempt():
    # given three failures
    state = _fail(3)
    # then the username's count is cleared and the address's goes down by the attempt counted in advance
    assert after_success(state, forgive_all=True, policy=POLICY) is None
    assert after_success(state, forgive_all=False, policy=POLICY).failures == 2  # type: ignore[union-attr]
