"""Rule ids of RULES.md and the article each comes from — the one place a refusal finds its citation."""

from __future__ import annotations

RULE_ARTICLES: dict[str, int] = {
    "R2": 2,
    "R6": 6,
    "R7": 7,
    "R8": 8,
    "R9": 9,
    "R10.1": 10,
    "R10.2": 10,
    "R11.0": 11,
    "R11.1": 11,
    "R11.2": 11,
    "R11.3": 11,
    "R12": 12,
    "R13.1": 13,
    "R13.2": 13,
    "R13.3": 13,
    "R14": 14,
    "R14.1": 14,
    "R15": 15,
    "R16": 16,
    "R17": 17,
    "R18": 18,
    "R19.1": 19,
    "R19.2": 19,
    "R19.3": 19,
    "R20": 20,
    "R21": 21,
    "R21.1": 21,
    "R22": 22,
    "R23.1": 23,
    "R23.2": 23,
    "R24": 24,
    "R24.1": 24,
    "R25": 25,
}

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals as used in article numbers: 7 → 七, 11 → 十一, 23 → 二十三."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def article_of(rule: str | None) -> int | None:
    """The article number a rule id comes from, or None for a rule that is not in the regulation."""
    return RULE_ARTICLES.get(rule) if rule else None


def article_label(rule: str | None, lang: str = "zh") -> str | None:
    """The article as people cite it: 第十一条 / Art. 11."""
    number = article_of(rule)
    if number is None:
        return None
    return f"Art. {number}" if lang == "en" else f"第{chinese_number(number)}条"
