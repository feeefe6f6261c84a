"""Throttling sign-in (OWASP Authentication Cheat Sheet): a growing delay after each failure, then a
temporary lockout. Counted per username and per client address, each with its own limits.

Each attempt is counted as a failure *before* the password is checked (parallel guesses cannot slip
between the check and the count) and forgiven once the password turns out right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The limits of one kind of key (username or address)."""

    max_failures: int  # this many failures in a row lock the key
    lockout: timedelta
    base_delay: timedelta  # after the n-th failure the next attempt waits base × 2^(n−1) …
    max_delay: timedelta  # … at most this long
    window: timedelta  # failures older than this are forgotten
    free_failures: int = 0  # failures that cost no delay yet (an office's shared address: a few typos)


@dataclass(frozen=True, slots=True)
class ThrottleState:
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: timedelta = timedelta(0)
    locked: bool = False


def _current(state: ThrottleState | None, now: datetime, policy: ThrottlePolicy) -> ThrottleState | None:
    """The state as it stands now: an ended lockout or failures older than the window are forgotten."""
    if state is None:
        return None
    if state.locked_until is not None:
        return state if now < state.locked_until else None
    if now - state.last_failure_at >= policy.window:
        return None
    return state


def delay_after(failures: int, policy: ThrottlePolicy) -> timedelta:
    """How long the attempt after `failures` failures must wait."""
    counted = failures - policy.free_failures
    if counted <= 0:
        return timedelta(0)
    return min(policy.base_delay * (1 << min(counted - 1, 30)), policy.max_delay)


def decide(state: ThrottleState | None, now: datetime, policy: ThrottlePolicy) -> Decision:
    """May an attempt be made now, and if not, for how long must the client wait?"""
    current = _current(state, now, policy)
    if current is None:
        return Decision(allowed=True)
    if current.locked_until is not None:
        return Decision(allowed=False, retry_after=current.locked_until - now, locked=True)
    ready_at = current.last_failure_at + delay_after(current.failures, policy)
    if now < ready_at:
        return Decision(allowed=False, retry_after=ready_at - now)
    return Decision(allowed=True)


def after_failure(state: ThrottleState | None, now: datetime, policy: ThrottlePolicy) -> ThrottleState:
    """Count one failure; the one that reaches `max_failures` starts the lockout."""
    current = _current(state, now, policy)
    failures = (current.failures if current is not None else 0) + 1
    locked_until = now + policy.lockout if failures >= policy.max_failures else None
    return ThrottleState(failures=failures, last_failure_at=now, locked_until=locked_until)


def newly_locked(before: ThrottleState | None, after: ThrottleState, now: datetime) -> bool:
    return after.locked_until is not None and (
        before is None or before.locked_until is None or before.locked_until <= now
    )


def after_success(
    state: ThrottleState | None, *, forgive_all: bool, policy: ThrottlePolicy
) -> ThrottleState | None:
    """Forgive the attempt counted in advance; a username's failures are all forgiven by a right password
    (an address's are not: a shared office address must not be cleared by one colleague's sign-in)."""
    if state is None or forgive_all or state.failures <= 1:
        return None
    failures = state.failures - 1
    locked_until = state.locked_until if failures >= policy.max_failures else None
    return replace(state, failures=failures, locked_until=locked_until)
