"""Which passwords may be chosen (NIST SP 800-63B §5.1.1.2): length, not the username, not a common one.

No composition rules (NIST advises against them); instead a password must be long enough and must not be
one an attacker tries first: a common password, a run of one character or a keyboard/number sequence, or
the username itself. The list of common passwords is passed in, so this module stays standard library.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from domain.errors import DomainError, Violation

MIN_LENGTH = 12
MAX_LENGTH = 128  # long enough for passphrases; a cap keeps a 1 MB "password" away from argon2
# Runs a password must not be made of (also reversed), e.g. `123456789012`, `abcdefghijkl`, `qwertyuiop12`.
SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
)


def normalized(password: str) -> str:
    """NFKC, as NIST asks, so the same password typed on another keyboard is the same password."""
    return unicodedata.normalize("NFKC", password)


def _trivial(password: str) -> bool:
    """One character repeated, or a stretch of one of SEQUENCES (either direction)."""
    lowered = password.lower()
    if len(set(lowered)) <= 2:
        return True
    return any(lowered in run or lowered[::-1] in run for run in SEQUENCES)


def password_violations(
    password: str, *, username: str, is_common: Callable[[str], bool], field: str = "password"
) -> list[Violation]:
    """Every reason this password may not be chosen for this username (empty: it may)."""
    path = ("input", field)
    text = normalized(password)
    if len(text) < MIN_LENGTH:
        return [
            Violation(
                "PASSWORD_TOO_SHORT",
                f"密码至少{MIN_LENGTH}个字符。",
                f"A password has at least {MIN_LENGTH} characters.",
                field=path,
            )
        ]
    if len(text) > MAX_LENGTH:
        return [
            Violation(
                "PASSWORD_TOO_LONG",
                f"密码最多{MAX_LENGTH}个字符。",
                f"A password has at most {MAX_LENGTH} characters.",
                field=path,
            )
        ]
    problems = []
    name = username.strip().lower()
    if name and name in text.lower():
        problems.append(
            Violation(
                "PASSWORD_CONTAINS_USERNAME",
                "密码不得包含用户名。",
                "A password may not contain the username.",
                field=path,
            )
        )
    if _trivial(text) or is_common(text):
        problems.append(
            Violation(
                "PASSWORD_TOO_COMMON",
                "该密码过于常见或容易猜到（如常用密码、重复字符、连续数字或字母），请另选一个。",
                "This password is common or easy to guess (a well-known password, repeated characters "
                "or a sequence); choose another.",
                field=path,
            )
        )
    return problems


def check_password(
    password: str, *, username: str, is_common: Callable[[str], bool], field: str = "password"
) -> None:
    """Raise DomainError listing every reason the password may not be chosen."""
    problems = password_violations(password, username=username, is_common=is_common, field=field)
    if problems:
        raise DomainError(problems)
