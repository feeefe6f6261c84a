"""The password rule with its list: domain/passwords.py decides, zxcvbn knows which passwords are guessable.

zxcvbn (Dropbox's estimator, maintained Python port) ships the 30,000 most common passwords and spots
dictionary words, l33t spellings, keyboard walks, repeats, sequences and dates, also in the user's own
name; a password it rates below "safely unguessable" (score 3 of 4) is refused. `Yingkou@2026` rates 4.
"""

from __future__ import annotations

from collections.abc import Callable

from zxcvbn import zxcvbn

from domain.passwords import MAX_LENGTH, check_password

MIN_SCORE = 3


def guessable_for(username: str) -> Callable[[str], bool]:
    def guessable(password: str) -> bool:
        if len(password) > MAX_LENGTH:
            return False  # refused for its length already
        return int(zxcvbn(password, user_inputs=[username], max_length=MAX_LENGTH)["score"]) < MIN_SCORE

    return guessable


def require_acceptable_password(password: str, *, username: str, field: str = "password") -> None:
    """DomainError with every reason this password may not be chosen (create-user, change, reset)."""
    check_password(password, username=username, is_common=guessable_for(username), field=field)
