"""docs/rules.md: the rule catalogue (id, article, summary, where enforced, which tests), generated so it
cannot drift from domain/rules.py, the domain modules that cite each rule and the tests named after it."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from domain.rules import RULE_IDS, RULES, article_label

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "rules.md"

# A rule id inside a test name, as STYLE.md spells it: test_R11_3_exactly_two_million…, test_R7_all_five…
_NAMED = re.compile(r"(?:^|_)R(\d+)(?:_(\d+))?(?=_|$)")


def _python_files(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def citations(root: Path = ROOT) -> dict[str, list[str]]:
    """Rule id → the domain modules citing it: a string literal equal to the id (`rule="R11.3"`, a default
    argument, a table entry), found by parsing, so comments and docstrings do not count."""
    found: dict[str, list[str]] = {}
    for path in _python_files(root / "domain"):
        if path == root / "domain" / "rules.py":  # where the ids are declared, not cited
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        cited = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in RULE_IDS
        }
        for rule in cited:
            found.setdefault(rule, []).append(path.relative_to(root).as_posix())
    return found


def rules_named(test_name: str) -> set[str]:
    """The rule ids a test's name states: `R13_1` is R13.1 when that rule exists, else R13 followed by a
    word (test_R22_12_months… names R22); an article whose rules are numbered (`test_R13_…`) names them
    all (R13.1 and R13.2). A token naming no rule (`R30`, `R11_4`) names nothing."""
    named = set()
    for match in _NAMED.finditer(test_name):
        major, minor = match.groups()
        if minor is not None and f"R{major}.{minor}" in RULE_IDS:
            named.add(f"R{major}.{minor}")
        elif f"R{major}" in RULE_IDS:
            named.add(f"R{major}")
        elif minor is None:
            named |= {rule for rule in RULE_IDS if rule.startswith(f"R{major}.")}
    return named


def unknown_rules_named(test_name: str) -> list[str]:
    """The tokens of a test's name that look like a rule id but name no rule (a typo, or a rule never added)."""
    return [
        match.group(0).strip("_")
        for match in _NAMED.finditer(test_name)
        if not rules_named(match.group(0).strip("_"))
    ]


def tests_naming(root: Path = ROOT) -> dict[str, Counter[str]]:
    """Rule id → test file → how many of its test functions name the rule."""
    found: dict[str, Counter[str]] = {}
    for path in _python_files(root / "tests"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                for rule in rules_named(node.name):
                    found.setdefault(rule, Counter())[path.relative_to(root).as_posix()] += 1
    return found


def render(root: Path = ROOT) -> str:
    """The catalogue for the source tree at `root`."""
    cited, named = citations(root), tests_naming(root)
    out = [
        "# 规则目录 — rule catalogue",
        "",
        "Generated from `domain/rules.py` (`RuleId`, `RULES`) by `python -m api rules-doc`; do not edit by "
        "hand (a test fails when this file is stale). *Enforced in*: the `domain/` modules whose code cites "
        "the rule id; *tests*: the test files with tests named after the rule (`test_R11_3_…`) and how many. "
        "The rules in full are in `../shared/spec/RULES.md`, the regulation in `../shared/regulation/`.",
        "",
        "| rule | article | summary | enforced in | tests |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        modules = "<br>".join(f"`{m}`" for m in cited.get(rule.id, [])) or "—"
        files = named.get(rule.id, Counter())
        tests = "<br>".join(f"`{f}` ({files[f]})" for f in sorted(files)) or "—"
        article = f"{article_label(rule.id)} ({article_label(rule.id, 'en')})"
        out.append(f"| `{rule.id}` | {article} | {rule.summary} | {modules} | {tests} |")
    out.append("")
    return "\n".join(out)


def write(path: Path | None = None) -> Path:
    target = path or DOC_PATH
    target.write_text(render(), encoding="utf-8")
    return target
