"""The pinyin sort key (issue 15.4) at its boundaries: polyphonic phrases read as the phrase dictionary says,
one name after another, and mixed names keep pypinyin's own `lazy_pinyin` reading."""

from __future__ import annotations

from pypinyin import lazy_pinyin

from store.sort_keys import SEPARATOR, name_sort_key

POLYPHONIC = {
    "重庆": "chong qing",
    "重要系统": "zhong yao xi tong",
    "银行": "yin hang",
    "行政审批": "xing zheng shen pi",
    "长春": "chang chun",
    "成长": "cheng zhang",
}


def test_polyphonic_phrases_read_as_the_phrase_dictionary_says() -> None:
    # given names whose characters read differently in different phrases
    # when their keys are computed one after another (the shared converter keeps no state between names)
    keys = {name: name_sort_key(name) for name in POLYPHONIC}
    # then each reads as its phrase does, followed by a tab and the name
    assert keys == {name: f"{reading}{SEPARATOR}{name}" for name, reading in POLYPHONIC.items()}


def test_the_key_is_the_one_lazy_pinyin_gives_for_mixed_names() -> None:
    # given names mixing Chinese, Latin letters, digits, spaces and punctuation
    names = ["营口市压测项目12", "ABC 数据 平台", "政务云（二期）", "Ünïcode·项目", "  ", "5G基站"]
    for name in names:
        # when the key is computed
        key = name_sort_key(name)
        # then it is the lower-cased, space-joined reading of pypinyin's lazy_pinyin, then a tab and the name
        reading = " ".join(p.strip() for p in lazy_pinyin(name) if p.strip()).lower()
        assert key == f"{reading}{SEPARATOR}{name}"
