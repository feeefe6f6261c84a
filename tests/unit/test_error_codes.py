"""One catalogue of user-error codes: every code the source can raise is in it, and nothing else."""

from __future__ import annotations

from pathlib import Path

from domain.error_codes import USER_ERROR_CODES
from domain.rules import RULE_ARTICLES
from tests.unit.error_code_scan import scan


def test_every_code_raised_in_the_source_is_in_the_catalogue():
    # given every Violation/refuse code in domain/, api/, authz/ and store/
    found = scan()
    # when compared with the catalogue
    missing = {code: places for code, places in found.places.items() if code not in USER_ERROR_CODES}
    # then none is missing (add it to domain/error_codes.py, then `python -m api errors-doc`)
    assert missing == {}, f"add these to domain/error_codes.py: {missing}"


def test_every_refusal_names_its_code_as_a_literal_the_scan_can_read():
    # given the source
    found = scan()
    # then no code is computed at run time (the catalogue could not be checked against it)
    assert found.unreadable == [], f"use a literal code (or a helper taking `code`): {found.unreadable}"


def test_the_catalogue_lists_no_code_that_nothing_raises():
    # given the codes the source raises
    raised = set(scan().places)
    # then every catalogue entry is one of them (a stale enum value would promise a refusal that never comes)
    assert sorted(set(USER_ERROR_CODES) - raised) == []


def test_catalogue_entries_are_described_in_both_languages_and_cite_known_rules():
    # given the catalogue
    entries = list(USER_ERROR_CODES.values())
    # then each has Chinese and English text, and a rule of RULES.md where one is fixed
    assert [e.code for e in entries if not e.zh.strip() or not e.en.strip()] == []
    assert [e.code for e in entries if e.rule is not None and e.rule not in RULE_ARTICLES] == []


def test_a_catalogue_rule_is_fixed_only_where_every_refusal_cites_it():
    # given where each code is raised and the rules those refusals cite
    found = scan()
    # then a catalogue rule never contradicts a refusal that cites another rule
    contradicted = {
        code: sorted(str(r) for r in found.rules[code])
        for code, entry in USER_ERROR_CODES.items()
        if entry.rule is not None and found.rules.get(code, set()) - {entry.rule, None, "?"}
    }
    assert contradicted == {}


def test_the_scan_reads_literals_helper_defaults_and_reports_computed_codes(tmp_path: Path):
    # given a package that refuses with a literal, through a helper taking `code`, and with a computed code
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "rules.py").write_text(
        "from domain.errors import Violation, refuse\n"
        "def _state(x, code='WRONG_STATE'):\n"
        "    return Violation(code, 'zh', 'en')\n"
        "def check(name):\n"
        "    _state(1)\n"
        "    _state(2, 'HELPER_CODE')\n"
        "    refuse('LITERAL_CODE', '中', 'en', rule='R7')\n"
        "    refuse('A_CODE' if name else 'B_CODE', 'zh', 'en')\n"
        "    refuse(name.upper(), 'zh', 'en')\n",
        encoding="utf-8",
    )
    # when scanned
    found = scan(tmp_path, ["pkg"])
    # then every readable code is found, with its rule, and the computed one is reported by line
    assert sorted(found.places) == ["A_CODE", "B_CODE", "HELPER_CODE", "LITERAL_CODE", "WRONG_STATE"]
    assert found.rules["LITERAL_CODE"] == {"R7"} and found.messages["LITERAL_CODE"] == ("中", "en")
    assert found.unreadable == ["pkg/rules.py:9"]
