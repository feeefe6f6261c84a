"""The typed rule ids (domain/rules.py) and docs/rules.md, generated from them and from the source tree."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from api import rules_doc
from domain.rules import RULE_ARTICLES, RULES, RuleId, is_rule_id


def test_every_rule_id_has_exactly_one_catalogue_entry_in_rules_md_order() -> None:
    # given the type the code cites and the catalogue the documents are made from
    typed = list(get_args(RuleId))
    # when / then: the same ids, once each, in the order of RULES.md
    assert [rule.id for rule in RULES] == typed
    assert {rule.id: rule.article for rule in RULES} == RULE_ARTICLES
    assert all(rule.summary.strip() and "\n" not in rule.summary for rule in RULES)


def test_a_stored_string_is_a_rule_id_only_when_the_catalogue_has_it() -> None:
    # given / when / then
    assert is_rule_id("R11.3") and is_rule_id("R25")
    assert not is_rule_id("R11.4") and not is_rule_id("R11") and not is_rule_id("r7")


def test_committed_rule_catalogue_matches_the_source() -> None:
    # given the committed catalogue
    committed = rules_doc.DOC_PATH.read_text(encoding="utf-8")
    # when it is generated again from domain/rules.py, domain/ and tests/
    current = rules_doc.render()
    # then they are identical
    assert committed == current, "docs/rules.md is stale: run `.venv/bin/python -m api rules-doc`"


def test_every_rule_id_a_test_name_states_exists() -> None:
    # given every test function of the suite
    names = [
        node.name
        for path in sorted(Path(rules_doc.ROOT, "tests").rglob("test_*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    ]
    # when the rule ids in their names are read
    unknown = {name: rules_doc.unknown_rules_named(name) for name in names}
    # then none names a rule the catalogue lacks (a typo would hide the test from docs/rules.md)
    assert {name: tokens for name, tokens in unknown.items() if tokens} == {}


def test_a_test_name_states_a_rule_an_article_or_nothing() -> None:
    # given / when / then: R13_1 is R13.1; R13 alone is every rule of Art. 13; R22_12 is R22 then a word
    assert rules_doc.rules_named("test_R13_1_bdb_assigns") == {"R13.1"}
    assert rules_doc.rules_named("test_R13_never_above_the_request") == {"R13.1", "R13.2", "R13.3"}
    assert rules_doc.rules_named("test_R22_12_months_after_operation") == {"R22"}
    assert rules_doc.rules_named("test_R10_R13_design_before_plan") == {
        "R10.1",
        "R10.2",
        "R13.1",
        "R13.2",
        "R13.3",
    }
    assert rules_doc.rules_named("test_R11_4_typo") == set() and rules_doc.unknown_rules_named(
        "test_R11_4_typo"
    )
    assert rules_doc.rules_named("test_PR7_is_not_a_rule") == set()


def test_catalogue_names_the_modules_citing_a_rule_and_the_tests_named_after_it(tmp_path: Path) -> None:
    # given a source tree where one module cites R11.3 in code and R12 only in a docstring
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "path.py").write_text(
        '"""Mentions R12 in prose only."""\nVIOLATION = dict(rule="R11.3")\n', encoding="utf-8"
    )
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_path.py").write_text(
        "def test_R11_3_two_million_may_skip(): ...\ndef test_R11_3_above_may_not(): ...\n"
        "def helper_R12(): ...\n",
        encoding="utf-8",
    )
    # when the catalogue is rendered for that tree
    rows = {
        line.split(" | ")[0]: line
        for line in rules_doc.render(tmp_path).splitlines()
        if line.startswith("| `R")
    }
    # then R11.3 lists the module and the two tests; R12 has neither
    assert rows["| `R11.3`"].endswith("| `domain/path.py` | `tests/unit/test_path.py` (2) |")
    assert "第十一条 (Art. 11)" in rows["| `R11.3`"]
    assert rows["| `R12`"].endswith("| — | — |")
    assert len(rows) == len(RULES)


def test_cli_command_rebuilds_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given the catalogue path pointed at a scratch file
    from typer.testing import CliRunner

    from api.cli import app

    target = tmp_path / "rules.md"
    monkeypatch.setattr(rules_doc, "DOC_PATH", target)
    # when the command runs
    result = CliRunner().invoke(app, ["rules-doc"])
    # then it wrote the generated catalogue
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == rules_doc.render()
