"""Pinyin sort keys of names (issue 15.4): Chinese users expect 北京 < 上海 < 营口, not code-point order.

The embedded PostgreSQL has no ICU collation, so the app writes the key beside the name on create and
rename (store/mapping.py listens for both) and `orderBy: NAME` sorts by it (collation "C": byte order).
The key is the tone-less pinyin syllables (pypinyin's lazy_pinyin, its phrase dictionary choosing a
polyphonic character's reading: 重庆 → chong qing, 银行 → yin hang), lower-cased and space-separated, then a
tab and the name itself, so names of the same reading keep a stable code-point order (a tab sorts before
the space that continues a longer reading: 北京 < 北京市).
"""

from __future__ import annotations

from pypinyin import lazy_pinyin

SEPARATOR = "\t"


def name_sort_key(name: str) -> str:
    """The pinyin sort key of a name: `bei jing\\t北京`."""
    reading = " ".join(part.strip() for part in lazy_pinyin(name) if part.strip()).lower()
    return f"{reading}{SEPARATOR}{name}"
